// The engine: one per process, for as long as the process lives (a CLI command, a tray run).
// openEngine is the composition root: config, state dir, keychain, Vault client, sign-in,
// journal, audit log, session manager, then crash recovery (a journaled lease whose owner is
// gone is a session that ended). Every face calls the use cases below and listens to the
// events; every method throws only KeyfobError with a code from common/errors.ts.
import type { ErrorView } from '../../../common/errors.ts';
import type { ExposureView } from '../../../common/exposure.ts';
import type { HandoffResult, ShiftView, StoredHandoff } from '../../../common/handoff.ts';
import type { LeakReportView } from '../../../common/leak.ts';
import type { EndReason, Impact, LoginMethod, SessionView, SignInView, StatusView, TargetView } from '../../../common/views.ts';
import { REVOKE_CONCURRENCY, runBounded } from '../base/bounded.ts';
import { systemClock, type Clock } from '../base/clock.ts';
import { DisposableStore, Emitter, type Disposable, type Event } from '../base/events.ts';
import { cleanMessage, errorMessage, KeyfobError } from '../base/keyfobError.ts';
import { ensureStateDir, stateDir as defaultStateDir } from '../base/stateDir.ts';
import type { ProcessIdentity } from '../base/processIdentity.ts';
import { AuditLog } from '../audit/index.ts';
import { awsCredentialKey, cacheAwsCredential, forgetAwsCredential } from '../aws/credentialCache.ts';
import { browserOpener, type OnAuthUrl, type OpenUrl } from '../auth/browser.ts';
import type { AwsKeys } from '../brokers/aws.ts';
import type { KeyfobConfig, Target } from '../config/index.ts';
import { loadConfig } from '../config/load.ts';
import { forgetAwsSsoMaterial, openSecretStore, type SecretStore, type StoredVaultToken } from '../keychain/index.ts';
import {
  isEnding,
  Journal,
  journalRenewal,
  recoverOrphans,
  renewalOutcome,
  revokeJournaledSession,
  SessionManager,
  type JournalEntry,
  type Session,
} from '../sessions/index.ts';
import { fingerprintRecorder } from '../leak/index.ts';
import { copyStaticSecret, staticSecretAge, type Clipboard } from '../static/index.ts';
import { createVaultClientFromConfig, type VaultClient } from '../vault/index.ts';
import { AuthService, type SignInExpiring } from './auth.ts';
import { storedAwsSso } from './awsSsoSession.ts';
import { coded, toKeyfobError } from './errors.ts';
import { AccessPolicy, type HandoffRequest } from './accessPolicy.ts';
import { issueCredential, staticNotIssued } from './issue.ts';
import { localUser, respondToLeak } from './leak.ts';
import { leaseScopeFor, type LeaseScope } from './leaseScope.ts';
import { SessionLeases } from './sessionLeases.ts';
import { refreshOidcLogin, retireOidcRefreshToken, login as runLogin } from './login.ts';
import { SessionDirectory } from './sessionDirectory.ts';
import { shiftWarningAt } from '../policy/onCall.ts';
import { isLive, toSessionView, toStatusView, toTargetView } from './views.ts';

export type { SignInExpiring } from './auth.ts';
export type { HandoffRequest } from './accessPolicy.ts';

/** The on-call shift an elevated grant relied on, announced `onCall.warnBefore` ahead of its end. */
export interface ShiftEnding {
  endsAt: string;
  scheduleId: string | null;
  scheduleName: string | null;
}

export interface IssueOptions {
  /** Seconds; the target's ttl when absent. */
  ttlSeconds?: number;
  reason?: string;
  /** The person confirmed (--yes, a dialog) before asking: needed where the policy asks for a confirmation. */
  confirmed?: boolean;
}

/** How long ending many sessions from a command may take (`revoke --all`, `logout`). */
export const REVOKE_ALL_DEADLINE_MS = 15_000;

export interface IssuedSession {
  session: SessionView;
  /** Secrets: main-process memory only. env for a command; connectionUri (database); awsKeys (aws). */
  credential: { env: Record<string, string>; connectionUri?: string; awsKeys?: AwsKeys };
}

export interface RenewedSession {
  session: SessionView;
  /** Set when Vault capped the extension at the lease's max TTL. */
  cap: { maxTtlSeconds: number; message: string } | null;
  /** The seconds Vault granted from now, and what was asked for. */
  grantedSeconds: number;
  askedSeconds: number;
  /** Vault's warnings, as it sent them. */
  warnings: string[];
}

export interface EndedMany {
  revoked: SessionView[];
  failed: SessionView[];
}

/** What the start's crash recovery did (the CLI says it, the tray can notify). */
export interface RecoveryView {
  revoked: SessionView[];
  failed: SessionView[];
  problems: ErrorView[];
}

export interface LeakOptions {
  /** Free text for the incident; redacted, and any secret Keyfob issued in it replaced by its session's label. */
  note?: string;
  /** Also revoke every lease of the session's role; the config's leak.prefixRevoke must list the target. */
  prefix?: boolean;
}

/** A static secret on the clipboard; `cleared` settles once the timed clear ran. */
export interface StaticCopy {
  version: number;
  clearAfterSeconds: number;
  cleared: Promise<'cleared' | 'replaced'>;
}

export interface LoginOptions {
  signal?: AbortSignal;
  onAuthUrl?: OnAuthUrl;
  /** How long to wait for the browser (ms); the method's default otherwise. */
  timeoutMs?: number;
}

export interface Engine extends Disposable {
  readonly config: KeyfobConfig;
  readonly configPath: string;
  readonly stateDir: string;
  /** Where tokens are kept; `note` says why when it is memory only. */
  readonly keychain: StatusView['keychain'];
  /** What the crash recovery at open did; undefined when signed out (orphans wait for a sign-in). */
  readonly recovery: RecoveryView | undefined;
  // state, synchronous snapshots
  signIn(): SignInView;
  /** Every journaled live session, whichever keyfob process owns it. */
  sessions(): SessionView[];
  targets(): TargetView[];
  // use cases
  status(): Promise<StatusView>;
  login(method?: LoginMethod, options?: LoginOptions): Promise<SignInView>;
  logout(): Promise<EndedMany>;
  /** Runs the access policy first (audited, granted or refused: 'guard-rail'), then issues. */
  issue(targetId: string, options?: IssueOptions): Promise<IssuedSession>;
  renew(sessionId: string, options?: { ttlSeconds?: number }): Promise<RenewedSession>;
  /** Ends one session of any keyfob process through the revoke path. */
  revoke(sessionId: string, reason?: EndReason): Promise<SessionView>;
  revokeAll(reason: EndReason, filter?: { owner?: 'this-process' | 'any'; impacts?: Impact[] }, deadlineMs?: number): Promise<EndedMany>;
  /** credential_process: issues AWS keys and hands the session over (not revoked at exit). */
  handOverAws(targetId: string, options?: { reason?: string; confirmed?: boolean }): Promise<{ session: SessionView; awsKeys: AwsKeys }>;
  // access policy (docs/policy.md)
  /** What someone holding this machine would have now: live sessions of any process by impact, and the sign-in. */
  exposure(): Promise<ExposureView>;
  /** End of shift: writes the handoff record (check-and-set), then revokes this machine's elevated sessions. */
  handoff(request?: HandoffRequest): Promise<HandoffResult>;
  /** The newest handoff addressed to the signed-in person or their schedule; null when there is none. */
  latestHandoff(): Promise<StoredHandoff | null>;
  /** Your on-call shift now, from PagerDuty; null when there is nothing to ask with (no onCall section, signed out, no PagerDuty token). */
  shift(): Promise<ShiftView | null>;
  /** Keeps the signed-in person's own PagerDuty API token in the OS keychain (checked with PagerDuty first). */
  savePagerDutyToken(token: string): Promise<{ email: string }>;
  // leak response and static targets (docs/runbook-leak.md)
  /**
   * "I leaked this": revokes the session at once (any owning process), optionally its role's lease
   * prefix, records the incident (audit log, Vault KV when configured). A static target's id
   * records a leak of its current version, which its owner must rotate.
   */
  leak(sessionId: string, options?: LeakOptions): Promise<LeakReportView>;
  /** A static target's secret to the clipboard (the face's own), cleared after its clearAfter. */
  copyStatic(targetId: string, clipboard: Clipboard): Promise<StaticCopy>;
  /** targets(), with each static target's current version age from KV metadata. */
  targetsWithRotation(): Promise<TargetView[]>;
  // events
  readonly onDidSignIn: Event<SignInView>;
  readonly onDidSignOut: Event<{ reason: 'logout' | 'expired' | 'elsewhere' }>;
  readonly onWillSignInExpire: Event<SignInExpiring>;
  readonly onDidRenewSignIn: Event<SignInView>;
  readonly onDidAddSession: Event<SessionView>;
  readonly onDidUpdateSession: Event<SessionView>;
  readonly onDidEndSession: Event<{ session: SessionView; reason: EndReason }>;
  readonly onDidWarnExpiring: Event<SessionView>;
  readonly onDidReportProblem: Event<ErrorView>;
  /** A crash recovery after a login revoked what a dead keyfob process left. */
  readonly onDidRecover: Event<RecoveryView>;
  /** The shift an on-call grant relied on ends soon (`onCall.warnBefore`): time for a handoff. */
  readonly onWillShiftEnd: Event<ShiftEnding>;
  /** Stops timers and watches and waits for revocations in flight. Does not end sessions: revokeAll first. */
  dispose(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenEngineOptions {
  configPath?: string;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Opens sign-in URLs; $BROWSER or the system browser by default. */
  openUrl?: OpenUrl;
  /** For PagerDuty (on-call guard rail); the global fetch by default. */
  fetch?: typeof fetch;
  /** The keychain; the OS keychain (or memory, said out loud) by default. Tests share one between engines. */
  secretStore?: SecretStore;
  /** Watch the journal and the sign-in marker for other processes' changes (default true). */
  watch?: boolean;
}

export async function openEngine(options: OpenEngineOptions): Promise<Engine> {
  return coded(async () => {
    const clock = options.clock ?? systemClock;
    const dir = defaultStateDir(options.env);
    const { path: configPath, config } = await loadConfig({ ...(options.configPath ? { path: options.configPath } : {}), env: options.env, cacheDir: dir });
    try {
      ensureStateDir(dir);
    } catch (error) {
      throw new KeyfobError('state-dir-unsafe', `cannot use the state dir ${dir}: ${errorMessage(error)}; set KEYFOB_HOME to a directory you own`);
    }
    const store = options.secretStore ?? (await openSecretStore({ env: options.env }));
    const vault = await createVaultClientFromConfig(config.vault);
    const engine = new KeyfobEngine({ ...options, clock, configPath, config, stateDir: dir, store, vault });
    await engine.start(options.watch ?? true);
    return engine;
  });
}

interface Parts {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  configPath: string;
  config: KeyfobConfig;
  stateDir: string;
  store: SecretStore;
  vault: VaultClient;
  openUrl?: OpenUrl;
  fetch?: typeof fetch;
}

class KeyfobEngine implements Engine {
  readonly config: KeyfobConfig;
  readonly configPath: string;
  readonly stateDir: string;
  recovery: RecoveryView | undefined;

  readonly #p: Parts;
  readonly #clock: Clock;
  readonly #vault: VaultClient;
  /** Leases through each session's child token: issue, renew, revoke (sessionLeases.ts). */
  readonly #leases: SessionLeases;
  readonly #store: SecretStore;
  readonly #auth: AuthService;
  readonly #journal: Journal;
  readonly #audit: AuditLog;
  readonly #manager: SessionManager;
  readonly #directory: SessionDirectory;
  readonly #policy: AccessPolicy;
  #shiftTimer: { handle: unknown; endsAt: number } | undefined;
  readonly #disposables = new DisposableStore();
  /** Every session this engine's manager ever held: the journal watch must not announce them again (ended or handed over). */
  readonly #ownIds = new Set<string>();
  /** Whether a journaled lease may be revoked with this config (a planted entry may not). */
  readonly #leaseScope: LeaseScope;
  #disposed: Promise<void> | undefined;

  readonly #onDidAddSession = new Emitter<SessionView>();
  readonly #onDidUpdateSession = new Emitter<SessionView>();
  readonly #onDidEndSession = new Emitter<{ session: SessionView; reason: EndReason }>();
  readonly #onDidWarnExpiring = new Emitter<SessionView>();
  readonly #onDidReportProblem = new Emitter<ErrorView>();
  readonly #onDidRecover = new Emitter<RecoveryView>();
  readonly #onWillShiftEnd = new Emitter<ShiftEnding>();
  readonly onDidAddSession = this.#onDidAddSession.event;
  readonly onDidUpdateSession = this.#onDidUpdateSession.event;
  readonly onDidEndSession = this.#onDidEndSession.event;
  readonly onDidWarnExpiring = this.#onDidWarnExpiring.event;
  readonly onDidReportProblem = this.#onDidReportProblem.event;
  readonly onDidRecover = this.#onDidRecover.event;
  readonly onWillShiftEnd = this.#onWillShiftEnd.event;
  readonly onDidSignIn: Event<SignInView>;
  readonly onDidSignOut: Event<{ reason: 'logout' | 'expired' | 'elsewhere' }>;
  readonly onWillSignInExpire: Event<SignInExpiring>;
  readonly onDidRenewSignIn: Event<SignInView>;

  constructor(parts: Parts) {
    this.#p = parts;
    this.config = parts.config;
    this.configPath = parts.configPath;
    this.stateDir = parts.stateDir;
    this.#clock = parts.clock;
    this.#vault = parts.vault;
    this.#store = parts.store;
    this.#leases = new SessionLeases(parts.vault, parts.store, parts.config.vault.address, () => parts.clock.now());
    this.#leaseScope = leaseScopeFor(parts.config.targets);
    this.#auth = this.#disposables.add(
      new AuthService({
        store: parts.store,
        vault: parts.vault,
        vaultAddress: parts.config.vault.address,
        stateDir: parts.stateDir,
        clock: parts.clock,
        renewBeforeSeconds: parts.config.sessions.renewBefore,
        signInQuietly: () => this.#signInQuietly(),
      }),
    );
    this.onDidSignIn = this.#auth.onDidSignIn;
    this.onDidSignOut = this.#auth.onDidSignOut;
    this.onWillSignInExpire = this.#auth.onWillSignInExpire;
    this.onDidRenewSignIn = this.#auth.onDidRenewSignIn;
    this.#journal = new Journal(parts.stateDir);
    // The audit log's user follows the sign-in as it is now, not as it was at start.
    this.#audit = new AuditLog({ dir: parts.stateDir, user: () => this.#auth.token?.displayName });
    this.#manager = new SessionManager({
      clock: parts.clock,
      leaseApi: this.#leases,
      journal: this.#journal,
      audit: this.#audit,
      policy: { warnLeadSeconds: parts.config.sessions.warnBefore, renewLeadSeconds: parts.config.sessions.renewBefore },
      stopAgent,
    });
    this.#policy = new AccessPolicy({
      config: parts.config,
      audit: this.#audit,
      store: parts.store,
      vault: parts.vault,
      journal: this.#journal,
      clock: parts.clock,
      env: parts.env,
      ...(parts.fetch ? { fetch: parts.fetch } : {}),
      token: () => this.#auth.token,
    });
    this.#directory = this.#disposables.add(
      new SessionDirectory(
        this.#journal,
        (id) => this.#ownIds.has(id) || this.#manager.get(id) !== undefined,
        () => parts.clock.now(),
      ),
    );
    this.#wireEvents();
  }

  #wireEvents(): void {
    const d = this.#disposables;
    const m = this.#manager;
    d.add(
      m.onDidAddSession((s) => {
        this.#ownIds.add(s.id);
        this.#onDidAddSession.fire(this.#view(s));
      }),
    );
    d.add(m.onDidUpdateSession((s) => this.#onDidUpdateSession.fire(this.#view(s))));
    d.add(m.onDidWarnExpiring(({ session }) => this.#onDidWarnExpiring.fire(this.#view(session))));
    d.add(m.onDidEndSession(({ session, reason }) => this.#onDidEndSession.fire({ session: this.#view(session), reason })));
    d.add(m.onDidReportProblem((message) => this.#problem('internal', message)));
    d.add(this.#directory.onDidAdd((e) => this.#onDidAddSession.fire(this.#view(e))));
    d.add(this.#directory.onDidUpdate((e) => this.#onDidUpdateSession.fire(this.#view(e))));
    d.add(this.#directory.onDidEnd(({ entry, reason }) => this.#onDidEndSession.fire({ session: this.#view(entry), reason })));
    d.add(this.#directory.onDidFail((message) => this.#problem('internal', message)));
    d.add(this.#auth.onDidReportProblem((p) => this.#onDidReportProblem.fire(p)));
  }

  async start(watch: boolean): Promise<void> {
    await this.#auth.load();
    await this.#directory.load();
    // Recovery needs a token to revoke with; without one, orphans wait for the next signed-in start.
    if (this.#auth.token) this.recovery = await this.#recover();
    if (!watch) return;
    this.#auth.watch();
    // Another process's change: its sessions' events here, and ours ended elsewhere stop here too.
    this.#disposables.add(this.#journal.watch(() => void Promise.all([this.#directory.refresh(), this.#manager.reconcile()])));
  }

  // ---- snapshots ----

  /** Read at each use: the OS keychain turns into memory at its first failed read or write (keychain/checkedStore.ts). */
  get keychain(): StatusView['keychain'] {
    const store = this.#store;
    return { kind: store.kind, note: store.kind === 'memory' ? `tokens are kept in memory only: ${store.reason}` : null };
  }

  signIn(): SignInView {
    return this.#auth.view();
  }

  sessions(): SessionView[] {
    const now = this.#clock.now();
    const own = new Map(this.#manager.list().map((s) => [s.id, s]));
    const views = [...own.values()].map((s) => this.#view(s));
    // An own session the manager no longer holds has ended, even while the journal (or the
    // directory's last read of it) still lists it, e.g. with another process's revoke mark.
    for (const e of this.#directory.entries()) if (!own.has(e.sessionId) && !this.#ownIds.has(e.sessionId) && isLive(e, now)) views.push(this.#view(e));
    return views;
  }

  targets(): TargetView[] {
    return this.config.targets.map((t) => toTargetView(t, this.config));
  }

  // ---- use cases ----

  status(): Promise<StatusView> {
    return coded(async () => {
      const now = this.#clock.now();
      const entries = await this.#journal.list();
      const settings = this.config.auth.awsSso;
      const sso = settings ? await storedAwsSso(this.#store, settings, now) : undefined;
      return toStatusView({
        configPath: this.configPath,
        vaultAddress: this.config.vault.address,
        token: this.#auth.token,
        awsSso: sso,
        keychain: this.keychain,
        entries,
        ctx: this.#ctx(),
      });
    });
  }

  login(method?: LoginMethod, options: LoginOptions = {}): Promise<SignInView> {
    return coded(async () => {
      const result = await runLogin(method, {
        config: this.config,
        vault: this.#vault,
        store: this.#store,
        openUrl: this.#p.openUrl ?? browserOpener(this.#p.env, process.platform, (message) => this.#problem('sign-in-refused', message)),
        onAuthUrl: options.onAuthUrl ?? (() => {}),
        now: () => this.#clock.now(),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (result.method === 'aws-sso') {
        return { signedIn: true, name: result.identity, method: 'aws-sso', expiresAt: new Date(result.expiresAt).toISOString() };
      }
      return this.#adoptSignIn(result.token);
    });
  }

  async #adoptSignIn(token: StoredVaultToken): Promise<SignInView> {
    const view = this.#auth.signedIn(token);
    // Now that there is a token, revoke what a crashed keyfob left behind.
    const recovery = await this.#recover();
    if (recovery.revoked.length + recovery.failed.length + recovery.problems.length > 0) this.#onDidRecover.fire(recovery);
    return view;
  }

  /**
   * A use found no sign-in (it expired, or reached Vault's max TTL): an `oidc` sign-in with an
   * IdP refresh token is renewed without the browser. Any failure leaves the person to sign in.
   */
  async #signInQuietly(): Promise<boolean> {
    let result;
    try {
      result = await refreshOidcLogin({ config: this.config, vault: this.#vault, store: this.#store, now: () => this.#clock.now() });
    } catch (error) {
      this.#problem('sign-in-refused', `Could not sign in again with the identity provider's refresh token: ${errorMessage(error)}`);
      return false;
    }
    if (result === null) return false;
    await this.#adoptSignIn(result.token);
    return true;
  }

  logout(): Promise<EndedMany> {
    return coded(async () => {
      let ended: EndedMany = { revoked: [], failed: [] };
      if (this.#auth.token) {
        ended = await this.#endMany(await this.#journal.list(), 'logout', REVOKE_ALL_DEADLINE_MS);
        // Revoking the token also revokes any lease it made that Keyfob did not know of.
        await this.#vault.revokeSelf().catch((error: unknown) => this.#problem('vault-error', `Vault did not revoke the token: ${errorMessage(error)}`));
      }
      await this.#auth.signOut();
      // The PagerDuty token is the person's too: a signed-out machine keeps nothing of theirs.
      await this.#policy.forgetPagerDutyToken();
      // The IdP's refresh token is revoked there too, so a copy of the keychain entry is worth nothing.
      const notRevoked = await retireOidcRefreshToken(this.config, this.#store);
      if (notRevoked) this.#problem('sign-in-refused', notRevoked);
      const { awsSso } = this.config.auth;
      if (awsSso) await forgetAwsSsoMaterial(this.#store, awsSso);
      // Keys cached for credential_process: their sessions were revoked above.
      for (const t of this.config.targets) if (t.kind === 'aws') await forgetAwsCredential(this.#store, awsCredentialKey(this.configPath, t.id));
      return ended;
    });
  }

  issue(targetId: string, options: IssueOptions = {}): Promise<IssuedSession> {
    return coded(async () => {
      const target = this.#target(targetId);
      // Refused before the policy decides, so the audit log never says "granted" for a static secret.
      if (target.kind === 'static') throw staticNotIssued(target.id);
      const needsVault = !(target.kind === 'aws' && target.aws.source === 'sso');
      if (needsVault) await this.#auth.require();
      const granted = await this.#policy.check(target, options);
      const issued = await issueCredential(
        target,
        granted.ttlSeconds,
        {
          vault: this.#vault,
          sessionTokens: this.#leases,
          sessions: this.#manager,
          store: this.#store,
          awsSso: this.config.auth.awsSso,
          now: () => this.#clock.now(),
          onIssued: this.#recordFingerprints,
          searchPath: this.#p.env.PATH,
        },
        options.reason,
      );
      // Armed once issued, so a face that subscribes on the answer hears a warning that is already due.
      if (granted.onCall?.shift) this.#armShiftWarning(granted.onCall.shift);
      const credential: IssuedSession['credential'] = { env: issued.env };
      if (issued.connectionUri) credential.connectionUri = issued.connectionUri;
      if (issued.awsKeys) credential.awsKeys = issued.awsKeys;
      return { session: this.#view(issued.session), credential };
    });
  }

  renew(sessionId: string, options: { ttlSeconds?: number } = {}): Promise<RenewedSession> {
    return coded(async () => {
      await this.#auth.require();
      const own = this.#manager.get(sessionId);
      const entry = own ? undefined : (await this.#journal.list()).find((e) => e.sessionId === sessionId);
      const targetId = own?.targetId ?? entry?.targetId;
      if (!targetId) throw unknownSession(sessionId);
      const target = this.config.targets.find((t) => t.id === targetId);
      const asked = options.ttlSeconds ?? target?.ttl ?? 3600;
      // The same bound as at issue (guard rails): a renewal may not ask past the target's maxTtl.
      if (target && asked > target.maxTtl) throw new KeyfobError('guard-rail', `--ttl is above ${target.id}'s maximum of ${target.maxTtl} s`);
      if (own) {
        const r = await this.#manager.renew(sessionId, asked);
        const granted = Math.max(0, Math.round((r.session.expiresAt - this.#clock.now()) / 1000));
        return {
          session: this.#view(r.session),
          cap: r.session.cap && r.capped ? { maxTtlSeconds: r.session.cap.maxTtlSeconds, message: r.message } : null,
          grantedSeconds: granted,
          askedSeconds: asked,
          warnings: r.warnings,
        };
      }
      // Another process's session: renew the lease here; its owner adopts the expiry from the journal.
      const e = entry!;
      if (isEnding(e.state)) throw new KeyfobError('not-renewable', `session ${sessionId} (${e.targetId}) is being revoked and cannot be extended`);
      if (!e.leaseId)
        throw new KeyfobError(
          'not-renewable',
          `session ${sessionId} (${e.targetId}) has no Vault lease to renew; SSH certificates cannot be extended, start a new session`,
        );
      const renewal = await this.#leases.renewLease(e.leaseId, asked, e.childAccessor);
      const { expiresAt, cap, message } = renewalOutcome(e.issuedAt, renewal, asked, this.#clock.now());
      // Ended while Vault answered: the lease's new expiry is kept for the retries, the state stays.
      if (!(await journalRenewal(this.#journal, sessionId, { expiresAt, renewable: renewal.renewable }))) {
        throw new KeyfobError('not-renewable', `session ${sessionId} (${e.targetId}) ended while it was being extended`);
      }
      this.#audit.append({ target: e.targetId, sessionId, leaseId: e.leaseId, action: 'renewed', detail: message });
      const session = this.#view({ ...e, expiresAt, state: 'active', renewable: renewal.renewable });
      return {
        session,
        cap: cap ? { maxTtlSeconds: cap.maxTtlSeconds, message } : null,
        grantedSeconds: renewal.leaseDuration,
        askedSeconds: asked,
        warnings: renewal.warnings,
      };
    });
  }

  revoke(sessionId: string, reason: EndReason = 'revoked'): Promise<SessionView> {
    return coded(async () => {
      // A revoke the user asks for needs a sign-in; an end the engine decides (command exit,
      // quit, sleep) runs regardless, so the local cleanup happens and a failure is kept.
      if (reason === 'revoked') await this.#auth.require();
      const own = this.#manager.get(sessionId);
      if (own) {
        const outcome = await this.#manager.end(sessionId, reason);
        if (outcome.status === 'revoke-failed') throw new KeyfobError('revoke-failed', outcome.error);
        return this.#view({ ...own, state: 'revoking' });
      }
      const entry = (await this.#journal.list()).find((e) => e.sessionId === sessionId);
      if (!entry) throw unknownSession(sessionId);
      const outcome = await revokeJournaledSession(sessionId, reason, this.#endDeps());
      if (outcome.status === 'revoke-failed') throw new KeyfobError('revoke-failed', outcome.error);
      void this.#directory.refresh();
      return this.#view({ ...entry, state: 'revoking' });
    });
  }

  revokeAll(reason: EndReason, filter: { owner?: 'this-process' | 'any'; impacts?: Impact[] } = {}, deadlineMs = REVOKE_ALL_DEADLINE_MS): Promise<EndedMany> {
    return coded(async () => {
      if (reason === 'revoked') await this.#auth.require();
      let entries = await this.#journal.list();
      if (filter.owner === 'this-process') entries = entries.filter((e) => this.#manager.get(e.sessionId) !== undefined);
      if (filter.impacts) {
        const impacts = filter.impacts;
        entries = entries.filter((e) => impacts.includes(this.config.targets.find((t) => t.id === e.targetId)?.impact ?? 'low'));
      }
      return this.#endMany(entries, reason, deadlineMs);
    });
  }

  handOverAws(targetId: string, options: { reason?: string; confirmed?: boolean } = {}): Promise<{ session: SessionView; awsKeys: AwsKeys }> {
    return coded(async () => {
      const target = this.#target(targetId);
      if (target.kind !== 'aws') throw new KeyfobError('usage', `${target.id} is a ${target.kind} target, not aws`);
      const issued = await this.issue(targetId, options);
      await this.#manager.handOver(issued.session.id);
      const awsKeys = issued.credential.awsKeys!;
      // For the next call's warm path (aws/cachedAnswer.ts); a keychain that fails costs only a cache miss.
      if (this.#store.kind === 'os-keychain')
        await cacheAwsCredential(this.#store, awsCredentialKey(this.configPath, target.id), issued.session.id, awsKeys).catch((error: unknown) =>
          this.#problem('keychain-unavailable', `could not cache the AWS keys in the keychain (the next call issues new ones): ${errorMessage(error)}`),
        );
      return { session: issued.session, awsKeys };
    });
  }

  // ---- access policy ----

  exposure(): Promise<ExposureView> {
    return coded(() => this.#policy.exposure());
  }

  handoff(request: HandoffRequest = {}): Promise<HandoffResult> {
    return coded(async () => {
      await this.#auth.require();
      return this.#policy.handoff(
        request,
        async (ids) => {
          const entries = (await this.#journal.list()).filter((e) => ids.includes(e.sessionId));
          const ended = await this.#endMany(entries, 'revoked', REVOKE_ALL_DEADLINE_MS);
          return { revoked: ended.revoked.map((s) => s.id), failed: ended.failed.map((s) => s.id) };
        },
        (message) => this.#problem('guard-rail', message),
      );
    });
  }

  latestHandoff(): Promise<StoredHandoff | null> {
    return coded(async () => {
      await this.#auth.require();
      return this.#policy.latestHandoff();
    });
  }

  shift(): Promise<ShiftView | null> {
    return coded(() => this.#policy.shift());
  }

  savePagerDutyToken(token: string): Promise<{ email: string }> {
    return coded(() => this.#policy.savePagerDutyToken(token));
  }

  /** One warning per shift: the latest end among the grants of this engine. */
  #armShiftWarning(shift: { scheduleId: string | null; scheduleName: string | null; endsAt: number | null }): void {
    const endsAt = shift.endsAt;
    const warnAt = shiftWarningAt(endsAt, this.config.onCall?.warnBefore ?? 0, this.#clock.now());
    if (endsAt === null || warnAt === null || this.#shiftTimer?.endsAt === endsAt) return;
    if (this.#shiftTimer) this.#clock.clearTimer(this.#shiftTimer.handle);
    const ending: ShiftEnding = { endsAt: new Date(endsAt).toISOString(), scheduleId: shift.scheduleId, scheduleName: shift.scheduleName };
    this.#shiftTimer = { endsAt, handle: this.#clock.setTimer(() => this.#onWillShiftEnd.fire(ending), warnAt - this.#clock.now()) };
  }

  // ---- leak response and static targets ----

  leak(sessionId: string, options: LeakOptions = {}): Promise<LeakReportView> {
    return coded(async () => {
      await this.#auth.require();
      const report = await respondToLeak(sessionId, options, {
        ...this.#endDeps(),
        vault: this.#vault,
        store: this.#store,
        stateDir: this.stateDir,
        settings: this.config.leak,
        target: (id) => this.config.targets.find((t) => t.id === id),
        reportedBy: this.#auth.token?.displayName ?? localUser(),
      });
      // The revoke went through the journal: our own manager and the directory catch up now.
      await Promise.all([this.#manager.reconcile(), this.#directory.refresh()]);
      return report;
    });
  }

  copyStatic(targetId: string, clipboard: Clipboard): Promise<StaticCopy> {
    return coded(async () => {
      const target = this.#target(targetId);
      if (target.kind !== 'static') {
        throw new KeyfobError(
          'usage',
          `${target.id} is a ${target.kind} target, not a static secret: it issues a short-lived credential instead (keyfob exec ${target.id} -- COMMAND)`,
        );
      }
      await this.#auth.require();
      return copyStaticSecret(target, { kv: this.#vault, clipboard, clock: this.#clock });
    });
  }

  targetsWithRotation(): Promise<TargetView[]> {
    return coded(async () => {
      const signedIn = this.#auth.token !== null;
      return Promise.all(
        this.config.targets.map(async (t) => {
          const view = toTargetView(t, this.config);
          if (t.kind !== 'static') return view;
          const age = signedIn ? await staticSecretAge(t, this.#vault, this.#clock.now()) : null;
          return {
            ...view,
            rotation: age && { version: age.version, rotatedAt: age.rotatedAt.toISOString(), ageSeconds: age.ageSeconds, overdue: age.overdue },
          };
        }),
      );
    });
  }

  // ---- lifetime ----

  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      this.#disposables.dispose();
      if (this.#shiftTimer) this.#clock.clearTimer(this.#shiftTimer.handle);
      await this.#manager.whenIdle();
      this.#manager.dispose();
      this.#vault.close();
      for (const e of [
        this.#onDidAddSession,
        this.#onDidUpdateSession,
        this.#onDidEndSession,
        this.#onDidWarnExpiring,
        this.#onDidReportProblem,
        this.#onDidRecover,
        this.#onWillShiftEnd,
      ])
        e.dispose();
    })();
    return this.#disposed;
  }

  close(): Promise<void> {
    return this.dispose();
  }

  // ---- helpers ----

  /** Keyed fingerprints of what was just issued, for `keyfob scan`; never fails the issue. */
  readonly #recordFingerprints = (issued: Parameters<ReturnType<typeof fingerprintRecorder>>[0]): Promise<void> =>
    fingerprintRecorder({ store: this.#store, journal: this.#journal, stateDir: this.stateDir, now: () => this.#clock.now() }, (m) =>
      this.#problem('internal', m),
    )(issued);

  #target(id: string): Target {
    const target = this.config.targets.find((t) => t.id === id);
    if (!target) throw new KeyfobError('unknown-target', `unknown target "${id}"; keyfob targets lists them`);
    return target;
  }

  #ctx() {
    return { now: this.#clock.now(), targets: this.config.targets };
  }

  #view(session: JournalEntry | Session): SessionView {
    return toSessionView(session, this.#ctx());
  }

  #problem(code: ErrorView['code'], message: string): void {
    this.#onDidReportProblem.fire({ code, message: cleanMessage(message) });
  }

  #endDeps() {
    return {
      journal: this.#journal,
      leaseApi: this.#leases,
      audit: this.#audit,
      clock: this.#clock,
      reportProblem: (m: string) => this.#problem('internal', m),
      stopAgent,
      leaseScope: this.#leaseScope,
    };
  }

  /** Ends many sessions of any process through the revoke path, in parallel, within a deadline. */
  async #endMany(entries: JournalEntry[], reason: EndReason, deadlineMs: number): Promise<EndedMany> {
    const deps = this.#endDeps();
    const result = await runBounded(
      entries,
      async (e) => {
        if (this.#manager.get(e.sessionId)) return (await this.#manager.end(e.sessionId, reason)).status !== 'revoke-failed';
        return (await revokeJournaledSession(e.sessionId, reason, deps)).status !== 'revoke-failed';
      },
      { concurrency: REVOKE_CONCURRENCY, deadlineMs, clock: this.#clock },
    );
    const revoked: SessionView[] = [];
    const failed: SessionView[] = [...result.inFlight, ...result.notStarted].map((e) => this.#view(e));
    for (const r of result.settled) (r.ok && r.value ? revoked : failed).push(this.#view({ ...r.item, state: r.ok && r.value ? 'revoking' : 'revoke-failed' }));
    void this.#directory.refresh();
    return { revoked, failed };
  }

  async #recover(): Promise<RecoveryView> {
    const problems: ErrorView[] = [];
    try {
      const report = await recoverOrphans(this.#journal, this.#leases, this.#audit, this.#clock, {
        reportProblem: (message) => problems.push({ code: 'internal', message: cleanMessage(message) }),
        stopAgent,
        leaseScope: this.#leaseScope,
      });
      return { revoked: report.revoked.map((e) => this.#view(e)), failed: report.failed.map((e) => this.#view(e)), problems };
    } catch (error) {
      return { revoked: [], failed: [], problems: [...problems, toKeyfobError(error).toView()] };
    }
  }
}

/** The revoke path's ssh-agent cleanup; the agent code loads only when a session had an agent. */
async function stopAgent(agent: ProcessIdentity): Promise<boolean> {
  const { stopOrphanedAgent } = await import('../ssh/agent.ts');
  return stopOrphanedAgent(agent);
}

function unknownSession(id: string): KeyfobError {
  return new KeyfobError('unknown-session', `no session ${id}; keyfob status lists them`);
}
