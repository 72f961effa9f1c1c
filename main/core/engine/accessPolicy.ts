// The access policy's use cases (docs/policy.md), wired to one engine's parts: the decision
// before every issue (audited), live exposure, the on-call handoff, the latest handoff for the
// signed-in person, and the PagerDuty token in the keychain. The rules live in core/policy; this
// only knows where the engine keeps the config, keychain, journal, audit log and sign-in.
import type { ExposureView } from '../../../common/exposure.ts';
import type { HandoffResult, ShiftView, StoredHandoff } from '../../../common/handoff.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Clock } from '../base/clock.ts';
import { KeyfobError } from '../base/keyfobError.ts';
import type { KeyfobConfig, Target } from '../config/index.ts';
import type { SecretStore, StoredVaultToken } from '../keychain/index.ts';
import { GuardRailError } from '../policy/errors.ts';
import { exposureView } from '../policy/exposure.ts';
import { checkAccess, type AccessGranted, type AccessRequest } from '../policy/guardRails.ts';
import { commitHandoff, latestHandoff, prepareHandoff } from '../policy/handoff.ts';
import { signedInEmail } from '../policy/identity.ts';
import { onCallNow, type OnCallNow } from '../policy/onCall.ts';
import { pagerDutyClient } from '../policy/pagerDuty.ts';
import { checkPagerDutyToken, findPagerDutyToken, forgetPagerDutyToken, savePagerDutyToken } from '../policy/pagerDutyToken.ts';
import type { JournalEntry } from '../sessions/index.ts';
import type { VaultClient } from '../vault/index.ts';

export interface AccessPolicyParts {
  config: KeyfobConfig;
  audit: AuditSink;
  store: SecretStore;
  vault: Pick<VaultClient, 'kvRead' | 'kvWrite' | 'lookupSelf'>;
  journal: { list(): Promise<JournalEntry[]> };
  clock: Clock;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** The Vault sign-in as it is now. */
  token: () => StoredVaultToken | null;
}

export interface HandoffRequest {
  to?: string;
  note?: string;
}

export class AccessPolicy {
  readonly #p: AccessPolicyParts;

  constructor(parts: AccessPolicyParts) {
    this.#p = parts;
  }

  /** The signed-in email: what PagerDuty users and handoff records are matched on. */
  identity(): string | undefined {
    return signedInEmail(this.#p.token(), this.#p.config);
  }

  /** May this request go ahead? The TTL to ask for, or a GuardRailError that says what is missing. Audited both ways. */
  check(target: Target, request: AccessRequest): Promise<AccessGranted> {
    return checkAccess(target, request, { ...this.#common(), config: this.#p.config, audit: this.#p.audit, identity: this.identity() });
  }

  exposure(): Promise<ExposureView> {
    return exposureView({
      config: this.#p.config,
      journal: this.#p.journal,
      signIn: this.#p.token,
      policies: async () => (await this.#p.vault.lookupSelf()).policies,
      now: () => this.#p.clock.now(),
    });
  }

  /** The signed-in person's shift now, as PagerDuty says (throws a GuardRailError when it cannot be asked). */
  async onCallNow(): Promise<OnCallNow> {
    const settings = this.#p.config.onCall;
    if (!settings) throw new GuardRailError('the config has no onCall section, so Keyfob does not ask PagerDuty about shifts');
    return onCallNow(this.identity(), { ...this.#common(), settings });
  }

  /** The shift now, for status; null when there is nothing to ask with (no onCall section, signed out, no PagerDuty token). */
  async shift(): Promise<ShiftView | null> {
    const settings = this.#p.config.onCall;
    if (!settings || !this.#p.token() || !(await findPagerDutyToken(this.#p.store, settings, this.#p.env))) return null;
    const now = await this.onCallNow();
    const shift = now.onCall ? now.shift : null;
    return {
      onCall: now.onCall,
      email: now.email,
      schedule: shift ? { id: shift.scheduleId, name: shift.scheduleName } : null,
      endsAt: shift?.endsAt ? new Date(shift.endsAt).toISOString() : null,
    };
  }

  /**
   * Writes the handoff record (check-and-set), then ends the elevated sessions through `revoke`
   * (the engine's one revoke path). The shift comes from PagerDuty when it can be asked.
   */
  async handoff(
    request: HandoffRequest,
    revoke: (ids: string[]) => Promise<{ revoked: string[]; failed: string[] }>,
    warn: (message: string) => void,
  ): Promise<HandoffResult> {
    const deps = this.#handoffDeps();
    let schedule: { id: string; name: string | null } | undefined;
    if (this.#p.config.onCall) {
      try {
        const shift = (await this.onCallNow()).shift;
        if (shift?.scheduleId) schedule = { id: shift.scheduleId, name: shift.scheduleName };
      } catch (error) {
        warn(`could not ask PagerDuty for your shift (${(error as Error).message}); handing over ${this.#p.config.onCall.pagerduty.scheduleIds[0]}`);
      }
    }
    const plan = await prepareHandoff(deps, {
      ...(request.to ? { to: request.to } : {}),
      ...(request.note ? { note: request.note } : {}),
      ...(schedule ? { schedule } : {}),
    });
    return commitHandoff(plan, { ...deps, audit: this.#p.audit, revoke });
  }

  /** The newest handoff addressed to the signed-in person or their schedule (null: none, or no onCall section). */
  latestHandoff(): Promise<StoredHandoff | null> {
    return latestHandoff(this.#handoffDeps());
  }

  /** Checks with PagerDuty whose token it is (it must be the signed-in person's), then keeps it in the OS keychain. */
  async savePagerDutyToken(raw: string): Promise<{ email: string }> {
    const settings = this.#p.config.onCall;
    if (!settings) throw new KeyfobError('usage', 'the config has no onCall section, so Keyfob does not ask PagerDuty; nothing to store');
    const store = this.#p.store;
    if (store.kind !== 'os-keychain') {
      throw new KeyfobError(
        'keychain-unavailable',
        `there is no OS keychain to keep the PagerDuty token in (${store.reason ?? 'memory only'}): set ${settings.pagerduty.tokenEnv} instead`,
      );
    }
    const token = checkPagerDutyToken(raw);
    if (!token) throw new KeyfobError('usage', 'stdin did not hold a PagerDuty API token: pipe it in, e.g. keyfob login --pagerduty < token-file');
    const owner = await pagerDutyClient({ url: settings.pagerduty.url, token, tokenSource: 'stdin', ...(this.#p.fetch ? { fetch: this.#p.fetch } : {}) }).me();
    const identity = this.identity();
    if (identity && identity !== owner.email) {
      throw new KeyfobError('guard-rail', `that PagerDuty token belongs to ${owner.email}, but you are signed in as ${identity}: use your own API token`);
    }
    await savePagerDutyToken(store, settings, token);
    return { email: owner.email };
  }

  /** Removes the stored PagerDuty token (logout); true when there was one. */
  async forgetPagerDutyToken(): Promise<boolean> {
    const settings = this.#p.config.onCall;
    return settings ? forgetPagerDutyToken(this.#p.store, settings) : false;
  }

  #common() {
    return { store: this.#p.store, env: this.#p.env, now: () => this.#p.clock.now(), ...(this.#p.fetch ? { fetch: this.#p.fetch } : {}) };
  }

  #handoffDeps() {
    return { config: this.#p.config, journal: this.#p.journal, kv: this.#p.vault, identity: this.identity(), now: () => this.#p.clock.now() };
  }
}
