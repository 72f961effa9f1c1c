import type { SessionState } from './session.ts';

// Pure deadline math for the scheduler: for each session, the moments something must happen
// (warn, renew, expire, retry a failed revocation). The manager arms one timer to the earliest.

export interface SchedulePolicy {
  /** Warn this long before expiry (halved for sessions shorter than twice the lead). */
  warnLeadSeconds: number;
  autoRenew: boolean;
  /** Renew this long before expiry; by default a minute before the warning would fire. */
  renewLeadSeconds: number;
}

export const DEFAULT_SCHEDULE_POLICY: SchedulePolicy = { warnLeadSeconds: 300, autoRenew: false, renewLeadSeconds: 360 };

export type DeadlineAction = 'warn' | 'renew' | 'expire' | 'retry-revoke';

export interface Deadline {
  at: number;
  sessionId: string;
  action: DeadlineAction;
}

/** What the scheduler needs to know about one session. */
export interface ScheduleView {
  id: string;
  state: SessionState;
  issuedAt: number;
  expiresAt: number;
  renewable: boolean;
  hasLease: boolean;
  maxExpiresAt?: number;
  /** The expiring warning has fired for the current expiry. */
  warned: boolean;
  /** A renewal or a revocation is in flight. */
  busy: boolean;
  /** When the lease was last issued or renewed. */
  renewedAt: number;
  /** After a failed automatic renewal: when to try again (undefined: give up). */
  nextRenewAt?: number;
  autoRenewStopped: boolean;
  nextRetryAt?: number;
}

export function warnAt(view: Pick<ScheduleView, 'issuedAt' | 'expiresAt'>, policy: SchedulePolicy): number {
  const lead = Math.min(policy.warnLeadSeconds * 1000, (view.expiresAt - view.issuedAt) / 2);
  return view.expiresAt - Math.max(0, lead);
}

/** Whether a session in this state can have a deadline at all (sessionDeadlines gives none otherwise). */
export function mayHaveDeadlines(state: SessionState): boolean {
  return state === 'active' || state === 'expiring' || state === 'revoke-failed';
}

export function sessionDeadlines(view: ScheduleView, policy: SchedulePolicy): Deadline[] {
  const out: Deadline[] = [];
  if (!mayHaveDeadlines(view.state)) return out;
  const add = (at: number, action: DeadlineAction) => out.push({ at, sessionId: view.id, action });
  if (view.state === 'revoke-failed') {
    if (!view.busy && view.nextRetryAt !== undefined) add(view.nextRetryAt, 'retry-revoke');
    return out;
  }
  if (view.state !== 'active' && view.state !== 'expiring') return out;
  add(view.expiresAt, 'expire');
  if (!view.warned) add(warnAt(view, policy), 'warn');
  const canGrow = view.maxExpiresAt === undefined || view.expiresAt < view.maxExpiresAt;
  if (policy.autoRenew && view.renewable && view.hasLease && canGrow && !view.busy && !view.autoRenewStopped) {
    const planned = Math.max(view.expiresAt - policy.renewLeadSeconds * 1000, view.renewedAt + (view.expiresAt - view.renewedAt) / 2);
    const at = view.nextRenewAt ?? planned;
    if (at < view.expiresAt) add(at, 'renew');
  }
  return out;
}

export function nextDeadline(views: Iterable<ScheduleView>, policy: SchedulePolicy): Deadline | undefined {
  let best: Deadline | undefined;
  for (const view of views) {
    for (const d of sessionDeadlines(view, policy)) if (!best || d.at < best.at) best = d;
  }
  return best;
}
