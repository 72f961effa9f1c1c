import type { AuditSink } from '../audit/auditLog.ts';
import { redactSecrets } from '../base/secretGuard.ts';
import { formatDuration } from '../duration.ts';
import type { LeaseApi } from '../vault/leaseApi.ts';
import { systemClock, type Clock } from '../base/clock.ts';
import type { ProcessIdentity } from '../base/processIdentity.ts';
import { errorMessage } from './errors.ts';
import { vaultExpiryOf } from './leaseExpiry.ts';
import type { JournalEntry, SessionJournal } from './journal.ts';
import { formatClockTime, type EndReason } from './session.ts';

/** What the revoke path needs to know of a session: what to revoke, who owns it, how far it got. */
export type EndingSession = Pick<
  JournalEntry,
  | 'sessionId'
  | 'targetId'
  | 'leaseId'
  | 'childAccessor'
  | 'expiresAt'
  | 'leaseExpiresAt'
  | 'revokeAttempts'
  | 'endReason'
  | 'pid'
  | 'pidStartTime'
  | 'hostname'
  | 'agentPid'
  | 'agentStartTime'
>;

export interface EndSessionDeps {
  journal: SessionJournal;
  leaseApi: LeaseApi;
  audit: AuditSink;
  /** Time after the Vault call decides whether a failure still matters; the system clock by default. */
  clock?: Pick<Clock, 'now'>;
  /** Told when the journal or the audit log cannot be written; neither may stop a revocation. */
  reportProblem?: (message: string) => void;
  /**
   * For sessions read from the journal: why a lease may not be revoked (its id is not from its
   * target's Vault path: a planted entry), or undefined. A refusal is kept as a failed revocation.
   */
  leaseScope?: (entry: Pick<EndingSession, 'targetId' | 'leaseId'>) => string | undefined;
  /**
   * Stops a session's journaled ssh-agent whose owner cannot (crashed, or another process ends
   * it): `ssh/agent.ts` `stopOrphanedAgent`, injected by the composition root so the session
   * engine does not depend on ssh/. Without it such an agent runs until its certificate expires.
   */
  stopAgent?: (agent: ProcessIdentity) => Promise<unknown>;
}

export interface EndSessionOptions {
  /** Local cleanup (kill the ssh-agent, stop the command); returns what went wrong, if anything. */
  runCleanup?: () => Promise<string | undefined>;
  /** Why this process ends the session, first in the audit line's detail ("owner pid 123 is gone"). */
  context?: string;
  /** The delay before the caller retries a failed revocation itself; without it, the next keyfob start retries. */
  retryDelayMs?: (revokeAttempts: number) => number;
  /** The session belongs to another process: if its journal entry is gone, that process ended it already. */
  onlyIfJournaled?: boolean;
  /** The lease is past its expiry already: Vault has expired it, so nothing is sent and the end is audited as expired. */
  leaseExpired?: boolean;
}

/** What happened, which is also what the audit log says (`status` is the audited action). */
export type EndSessionOutcome =
  | { status: 'revoked' | 'expired'; endReason: EndReason; cleanupError?: string; revokeError?: string }
  | { status: 'revoke-failed'; endReason: EndReason; error: string; revokeAttempts: number; nextRetryAt?: number; cleanupError?: string }
  | { status: 'not-found' };

/**
 * THE revoke path. Every end of every session, in any keyfob process, goes through here, so the
 * journal and the audit log tell one story whatever ended it:
 * - `SessionManager.end` / `endAll`: the command exits (`keyfob exec`, Ctrl-C), the TTL runs out,
 *   a retry of a failed revocation, and (with the tray) quit, sleep, lock and SSO end;
 * - `revokeJournaledSession`: `keyfob revoke ID|--all` and `keyfob logout`, for sessions of any
 *   keyfob process;
 * - `recoverOrphans`: a crash, at the next start, for sessions whose owner process is gone.
 *
 * Steps: journal `revoking` with the reason (a death from here on is finished by the next start),
 * the local cleanup at the same time (it cuts access even when Vault is down), Vault revokes the
 * lease, then the journal entry is removed and the end audited as `revoked` (`expired` when the
 * TTL ended it). A failure is journaled as `revoke-failed` with its redacted error and audited,
 * unless the lease is past its expiry (Vault expires it on its own: audited as `expired`).
 * `entry` is the session as its owner journaled it: a failed one is handed back to that owner,
 * which for an orphan is its dead process, so any later start retries it. Never throws.
 */
export async function endSession(entry: EndingSession, reason: EndReason, deps: EndSessionDeps, options: EndSessionOptions = {}): Promise<EndSessionOutcome> {
  const endReason = entry.endReason ?? reason;
  const marked = markRevoking(entry.sessionId, endReason, deps);
  const cleanupError = await runCleanupSafely(async () => {
    const hookError = options.runCleanup ? await options.runCleanup() : undefined;
    // The owner's hook stops its agent; an agent whose owner crashed is stopped from its journaled pid.
    // The agent was started by the entry's owner, so it runs on the owner's host.
    if (entry.agentPid !== undefined) await deps.stopAgent?.({ pid: entry.agentPid, pidStartTime: entry.agentStartTime ?? null, hostname: entry.hostname });
    return hookError;
  });
  // Another process's session: its entry gone means its owner ended it first. Our own session is
  // revoked without waiting for the mark: it is not fsynced, so waiting bought no crash safety,
  // only a journal write in front of every revocation.
  if (options.onlyIfJournaled && (await marked) === 'gone') return { status: 'not-found' };

  let revokeError: string | undefined = entry.leaseId ? deps.leaseScope?.(entry) : undefined;
  let revokeNote: string | undefined;
  if (entry.leaseId && !options.leaseExpired && revokeError === undefined) {
    try {
      // With a child token (engine/sessionLeases.ts) this is its revoke-self: Vault ends the token and its leases.
      revokeNote = (await deps.leaseApi.revokeLease(entry.leaseId, entry.childAccessor)) ?? undefined;
    } catch (error) {
      revokeError = redactSecrets(errorMessage(error));
    }
  }
  const cleanupNote = cleanupError && `cleanup failed: ${cleanupError}`;
  // Only Vault's own expiry makes a failure harmless: until then the credential still works.
  const failedAfterExpiry = revokeError !== undefined && (deps.clock ?? systemClock).now() >= vaultExpiryOf(entry);

  if (revokeError !== undefined && !failedAfterExpiry) {
    await marked; // the failure note must land after the mark, not under it
    const failed = await recordFailedRevocation(entry, endReason, revokeError, deps, options);
    return { ...failed, ...(cleanupError ? { cleanupError } : {}) };
  }

  const status = failedAfterExpiry || options.leaseExpired || endReason === 'expired' ? 'expired' : 'revoked';
  const note = failedAfterExpiry
    ? `revoke failed after expiry (${revokeError}); Vault expires the lease on its own`
    : options.leaseExpired
      ? `the lease expired at ${formatClockTime(vaultExpiryOf(entry))}`
      : entry.leaseId
        ? undefined
        : 'no Vault lease to revoke';
  await marked;
  await writeJournal(deps, deps.journal.remove(entry.sessionId));
  // The session is over: its child token (revoked, or past Vault's expiry) is of no more use.
  if (entry.childAccessor) await deps.leaseApi.forgetSessionToken?.(entry.childAccessor).catch(() => undefined);
  auditEnd(deps, entry, status, endReason, [options.context, note ?? revokeNote, cleanupNote]);
  return { status, endReason, ...(cleanupError ? { cleanupError } : {}), ...(revokeError !== undefined ? { revokeError } : {}) };
}

/**
 * Records a revocation that did not happen (Vault failed, or a deadline came first): journal
 * `revoke-failed` with one more attempt and the redacted error, back with `entry`'s owner, and
 * the audit line saying when it is retried. Part of the revoke path; `endAll` uses it alone for
 * sessions it never got to.
 */
export async function recordFailedRevocation(
  entry: EndingSession,
  endReason: EndReason,
  error: string,
  deps: EndSessionDeps,
  options: Pick<EndSessionOptions, 'context' | 'retryDelayMs'> = {},
): Promise<Extract<EndSessionOutcome, { status: 'revoke-failed' }>> {
  const message = redactSecrets(error);
  const revokeAttempts = entry.revokeAttempts + 1;
  const delay = options.retryDelayMs?.(revokeAttempts);
  const nextRetryAt = delay === undefined ? undefined : (deps.clock ?? systemClock).now() + delay;
  await writeJournal(
    deps,
    deps.journal.patch(entry.sessionId, {
      state: 'revoke-failed',
      endReason,
      revokeAttempts,
      lastError: message,
      nextRetryAt,
      pid: entry.pid,
      pidStartTime: entry.pidStartTime,
      hostname: entry.hostname,
    }),
  );
  const retry = delay === undefined ? 'retried at next start' : `retry in ${formatDuration(delay / 1000)}`;
  auditEnd(deps, entry, 'revoke-failed', endReason, [options.context, message, retry]);
  return { status: 'revoke-failed', endReason, error: message, revokeAttempts, ...(nextRetryAt !== undefined ? { nextRetryAt } : {}) };
}

/** Journals `revoking` and the first end reason; says whether the entry was still there ('unknown' if the journal failed). */
async function markRevoking(sessionId: string, endReason: EndReason, deps: EndSessionDeps): Promise<'marked' | 'gone' | 'unknown'> {
  try {
    return await deps.journal.update((entries) => {
      const e = entries.find((x) => x.sessionId === sessionId);
      if (!e) return 'gone' as const;
      Object.assign(e, { state: 'revoking', endReason: e.endReason ?? endReason });
      return 'marked' as const;
    }, sessionId);
  } catch (error) {
    deps.reportProblem?.(`Could not update the session journal: ${errorMessage(error)}`);
    return 'unknown';
  }
}

async function runCleanupSafely(cleanup: (() => Promise<string | undefined>) | undefined): Promise<string | undefined> {
  if (!cleanup) return undefined;
  try {
    return await cleanup();
  } catch (error) {
    return redactSecrets(errorMessage(error));
  }
}

async function writeJournal(deps: EndSessionDeps, write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (error) {
    deps.reportProblem?.(`Could not update the session journal: ${errorMessage(error)}`);
  }
}

function auditEnd(
  deps: EndSessionDeps,
  entry: EndingSession,
  action: 'revoked' | 'expired' | 'revoke-failed',
  reason: EndReason,
  notes: Array<string | undefined>,
): void {
  const detail = notes.filter(Boolean).join('; ');
  try {
    deps.audit.append({
      target: entry.targetId,
      action,
      reason,
      sessionId: entry.sessionId,
      ...(entry.leaseId ? { leaseId: entry.leaseId } : {}),
      ...(detail ? { detail } : {}),
    });
  } catch (error) {
    deps.reportProblem?.(`Could not write the audit log: ${errorMessage(error)}`);
  }
}

/**
 * Ends one journaled session by id, whichever keyfob process owns it (`keyfob revoke ID`,
 * `logout`), through the revoke path. A live owner notices through SessionManager.reconcile and
 * stops its command; if the owner ended the session first, the answer is `not-found`.
 */
export async function revokeJournaledSession(sessionId: string, reason: EndReason, deps: EndSessionDeps): Promise<EndSessionOutcome> {
  const entry = (await deps.journal.list()).find((e) => e.sessionId === sessionId);
  if (!entry) return { status: 'not-found' };
  return endSession(entry, reason, deps, { onlyIfJournaled: true, ...(entry.pid === process.pid ? {} : { context: `session of pid ${entry.pid}` }) });
}
