// The tracked-session model: a Session of this process plus what the manager keeps about it
// (timers' inputs, in-flight work, hooks), and the shapes other parts need made from it: the
// scheduler's view, the journal entry, what the revoke path sees, the public snapshot.
import type { ProcessIdentity } from '../base/processIdentity.ts';
import type { EndingSession } from './endSession.ts';
import type { JournalEntry } from './journal.ts';
import type { ScheduleView } from './schedule.ts';
import type { EndReason, Session } from './session.ts';
import type { EndOutcome, RenewResult } from './sessionManager.ts';

export type MutableSession = { -readonly [K in keyof Session]: Session[K] };

/** A session of this process with what the manager keeps about it beside the public model. */
export interface Tracked {
  session: MutableSession;
  onEnd?: (reason: EndReason) => void | Promise<void>;
  /** The TTL asked for at issue: automatic renewals ask for the same again. */
  ttlSeconds: number;
  renewedAt: number;
  warned: boolean;
  hooksRan: boolean;
  renewing?: Promise<RenewResult>;
  ending?: Promise<EndOutcome>;
  nextRenewAt?: number;
  autoRenewFailures: number;
  autoRenewStopped: boolean;
  nextRetryAt?: number;
  /** Order of addition, so reconcile() never judges a session journaled after it read the file. */
  seq: number;
}

/** A copy for listeners and callers: they never hold the manager's own object. */
export function snapshot(t: Tracked): Session {
  const s = t.session;
  return { ...s, ...(s.cap ? { cap: { ...s.cap } } : {}) };
}

/** What the scheduler needs to know of a tracked session. */
export function scheduleViewOf(t: Tracked): ScheduleView {
  const s = t.session;
  return {
    id: s.id,
    state: s.state,
    issuedAt: s.issuedAt,
    expiresAt: s.expiresAt,
    renewable: s.renewable,
    hasLease: Boolean(s.leaseId),
    ...(s.maxExpiresAt !== undefined ? { maxExpiresAt: s.maxExpiresAt } : {}),
    warned: t.warned,
    busy: Boolean(t.renewing || t.ending),
    renewedAt: t.renewedAt,
    ...(t.nextRenewAt !== undefined ? { nextRenewAt: t.nextRenewAt } : {}),
    autoRenewStopped: t.autoRenewStopped,
    ...(t.nextRetryAt !== undefined ? { nextRetryAt: t.nextRetryAt } : {}),
  };
}

/** The journal entry of a session this process has just issued. */
export function journalEntryOf(t: Tracked, owner: ProcessIdentity): JournalEntry {
  const s = t.session;
  return {
    sessionId: s.id,
    ...(s.leaseId ? { leaseId: s.leaseId } : {}),
    ...(s.childAccessor ? { childAccessor: s.childAccessor } : {}),
    targetId: s.targetId,
    kind: s.kind,
    issuedAt: s.issuedAt,
    expiresAt: s.expiresAt,
    ...(s.leaseExpiresAt !== undefined ? { leaseExpiresAt: s.leaseExpiresAt } : {}),
    pid: owner.pid,
    pidStartTime: owner.pidStartTime,
    hostname: owner.hostname,
    state: 'active',
    revokeAttempts: 0,
    ...(s.agentPid !== undefined ? { agentPid: s.agentPid } : {}),
    ...(s.agentStartTime !== undefined ? { agentStartTime: s.agentStartTime } : {}),
    renewable: s.renewable,
  };
}

/** The session as the revoke path sees it: what this process journaled, as of now. */
export function endingOf(t: Tracked, owner: ProcessIdentity): EndingSession {
  const s = t.session;
  return {
    sessionId: s.id,
    targetId: s.targetId,
    ...(s.leaseId ? { leaseId: s.leaseId } : {}),
    ...(s.childAccessor ? { childAccessor: s.childAccessor } : {}),
    expiresAt: s.expiresAt,
    ...(s.leaseExpiresAt !== undefined ? { leaseExpiresAt: s.leaseExpiresAt } : {}),
    revokeAttempts: s.revokeAttempts,
    ...(s.endReason ? { endReason: s.endReason } : {}),
    pid: owner.pid,
    pidStartTime: owner.pidStartTime,
    hostname: owner.hostname,
  };
}
