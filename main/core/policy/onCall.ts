// Is the signed-in person on call now? Asked of PagerDuty with the person's own API token: the
// PagerDuty user behind the token must be the signed-in identity (matched by email), so a
// colleague's token cannot make someone else "on call". A guard rail; Vault policy enforces.
import type { OnCallSettings } from '../config/index.ts';
import type { SecretStore } from '../keychain/index.ts';
import { GuardRailError } from './errors.ts';
import { pagerDutyClient, type PagerDutyClient } from './pagerDuty.ts';
import { findPagerDutyToken } from './pagerDutyToken.ts';

export interface OnCallDeps {
  settings: OnCallSettings;
  store: SecretStore;
  env: NodeJS.ProcessEnv;
  now: () => number;
  fetch?: typeof fetch;
}

export interface OnCallNow {
  onCall: boolean;
  /** The PagerDuty user (verified to be the signed-in person). */
  email: string;
  /** The shift that is on now, the one that ends last when several are. */
  shift: { scheduleId: string | null; scheduleName: string | null; endsAt: number | null } | null;
}

/** The PagerDuty client for the stored (or env) token; throws what to do when there is none. */
export async function pagerDutyFor(deps: OnCallDeps): Promise<PagerDutyClient> {
  const found = await findPagerDutyToken(deps.store, deps.settings, deps.env);
  if (!found) {
    throw new GuardRailError(
      `Keyfob asks PagerDuty whether you are on call, and has no PagerDuty token: run keyfob login --pagerduty (reads your API token from stdin), or set ${deps.settings.pagerduty.tokenEnv}`,
    );
  }
  return pagerDutyClient({ url: deps.settings.pagerduty.url, token: found.token, tokenSource: found.source, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
}

/** Checks the token is `identity`'s, then reads their current shift in the configured schedules. */
export async function onCallNow(identity: string | undefined, deps: OnCallDeps): Promise<OnCallNow> {
  if (!identity) {
    throw new GuardRailError(
      'Keyfob cannot tell your email from the Vault sign-in, so it cannot check who is on call: sign in with keyfob login (the Vault role must use the email claim)',
    );
  }
  const client = await pagerDutyFor(deps);
  const me = await client.me();
  if (me.email !== identity.toLowerCase()) {
    throw new GuardRailError(
      `the PagerDuty token belongs to ${me.email}, but you are signed in as ${identity}: run keyfob login --pagerduty with your own API token`,
    );
  }
  const shifts = await client.shifts(me.id, deps.settings.pagerduty.scheduleIds, deps.now());
  const latest = shifts.reduce<(typeof shifts)[number] | null>((best, s) => {
    if (!best) return s;
    if (best.endsAt === null) return best;
    return s.endsAt === null || s.endsAt > best.endsAt ? s : best;
  }, null);
  return { onCall: shifts.length > 0, email: me.email, shift: latest };
}

/** When the end-of-shift warning is due: `warnBefore` ahead of the end, or now if that has passed (null: no end, or over). */
export function shiftWarningAt(endsAt: number | null, warnBeforeSeconds: number, now: number): number | null {
  if (endsAt === null || endsAt <= now) return null;
  return Math.max(now, endsAt - warnBeforeSeconds * 1000);
}
