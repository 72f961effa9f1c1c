import type { AuditSink } from '../audit/auditLog.ts';
import { redactSecrets } from '../audit/secretGuard.ts';
import type { LeaseApi } from '../vault/leaseApi.ts';
import { runBounded } from './bounded.ts';
import type { Clock } from './clock.ts';
import { errorMessage } from './errors.ts';
import type { JournalEntry, SessionJournal } from './journal.ts';
import { currentProcessIdentity, isOwnerAlive, type ProcessIdentity } from './processIdentity.ts';
import { formatClockTime, type EndReason } from './session.ts';

// A crash is a session end too. At start, whatever the journal says is still out and whose owner
// process is gone gets revoked; sessions of a keyfob still running elsewhere are left alone.

export interface RecoveryOptions {
  concurrency?: number;
  deadlineMs?: number;
  /** Who claims orphans while revoking them; this process by default. */
  self?: ProcessIdentity;
  /** Injected for tests; by default pid liveness plus start time on Linux. */
  isOwnerAlive?: (owner: ProcessIdentity) => boolean;
}

export interface RecoveryReport {
  /** Orphans whose leases were revoked now. */
  revoked: JournalEntry[];
  /** Orphans already past their expiry: dropped, Vault has expired them. */
  expired: JournalEntry[];
  /** Orphans whose revocation failed: kept with their error for the next start. */
  failed: JournalEntry[];
  /** Sessions of live processes. */
  leftAlone: JournalEntry[];
  /** Not finished by the deadline (kept in the journal). */
  pending: JournalEntry[];
}

const ownerOf = (e: JournalEntry): ProcessIdentity => ({ pid: e.pid, pidStartTime: e.pidStartTime, hostname: e.hostname });

export async function recoverOrphans(journal: SessionJournal, leaseApi: LeaseApi, audit: AuditSink, clock: Clock, options: RecoveryOptions = {}): Promise<RecoveryReport> {
  const self = options.self ?? currentProcessIdentity();
  const alive = options.isOwnerAlive ?? isOwnerAlive;
  const now = clock.now();
  const report: RecoveryReport = { revoked: [], expired: [], failed: [], leftAlone: [], pending: [] };
  const claimed: JournalEntry[] = [];

  // Claim orphans under the journal lock (taking them over as owner), so two keyfob processes
  // starting together do not both revoke and audit the same lease.
  await journal.update((entries) => {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (alive(ownerOf(e))) {
        report.leftAlone.unshift({ ...e });
      } else if (e.expiresAt <= now) {
        report.expired.unshift({ ...e });
        entries.splice(i, 1);
      } else {
        claimed.unshift({ ...e });
        Object.assign(e, { pid: self.pid, pidStartTime: self.pidStartTime, hostname: self.hostname, state: 'revoking' });
      }
    }
  });

  for (const e of report.expired) {
    safeAudit(audit, e, 'expired', reasonOf(e), `owner pid ${e.pid} is gone; the lease expired at ${formatClockTime(e.expiresAt)}`);
  }

  const result = await runBounded(claimed, (e) => (e.leaseId ? leaseApi.revokeLease(e.leaseId) : Promise.resolve()), {
    concurrency: options.concurrency ?? 8,
    deadlineMs: options.deadlineMs ?? 5000,
    clock,
  });

  const done = new Set<string>();
  const failures = new Map<string, string>();
  for (const r of result.settled) {
    if (r.ok) done.add(r.item.sessionId);
    else failures.set(r.item.sessionId, redactSecrets(errorMessage(r.error)));
  }
  const unfinished = new Set([...result.inFlight, ...result.notStarted].map((e) => e.sessionId));

  // Failed and unfinished entries go back to their dead owner, so any later start retries them.
  await journal.update((entries) => {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      const original = claimed.find((c) => c.sessionId === e.sessionId);
      if (!original) continue;
      if (done.has(e.sessionId)) {
        entries.splice(i, 1);
        continue;
      }
      const error = failures.get(e.sessionId);
      Object.assign(e, ownerOf(original), error === undefined ? { state: original.state } : { state: 'revoke-failed', revokeAttempts: original.revokeAttempts + 1, lastError: error });
    }
  });

  for (const e of claimed) {
    const error = failures.get(e.sessionId);
    if (done.has(e.sessionId)) {
      const detail = `owner pid ${e.pid} is gone${e.leaseId ? '' : '; no Vault lease to revoke'}`;
      safeAudit(audit, e, 'revoked', reasonOf(e), detail);
      report.revoked.push(e);
    } else if (error !== undefined) {
      safeAudit(audit, e, 'revoke-failed', reasonOf(e), `owner pid ${e.pid} is gone; ${error}; retried at next start`);
      report.failed.push({ ...e, state: 'revoke-failed', revokeAttempts: e.revokeAttempts + 1, lastError: error });
    } else if (unfinished.has(e.sessionId)) {
      report.pending.push(e);
    }
  }
  return report;
}

/**
 * Revokes one journaled session by id, whichever process owns it (`keyfob revoke ID` from another
 * terminal). The owner, if alive, notices through SessionManager.reconcile and stops its command.
 */
export async function revokeJournaledSession(
  sessionId: string,
  reason: EndReason,
  deps: { journal: SessionJournal; leaseApi: LeaseApi; audit: AuditSink },
): Promise<{ status: 'revoked'; entry: JournalEntry } | { status: 'not-found' } | { status: 'revoke-failed'; entry: JournalEntry; error: string }> {
  const entry = await deps.journal.update((entries) => {
    const e = entries.find((x) => x.sessionId === sessionId);
    if (!e) return undefined;
    const before = { ...e };
    Object.assign(e, { state: 'revoking', endReason: e.endReason ?? reason });
    return before;
  });
  if (!entry) return { status: 'not-found' };
  const withReason = { ...entry, endReason: entry.endReason ?? reason };
  try {
    if (entry.leaseId) await deps.leaseApi.revokeLease(entry.leaseId);
  } catch (error) {
    const message = redactSecrets(errorMessage(error));
    await deps.journal.patch(sessionId, { state: 'revoke-failed', revokeAttempts: entry.revokeAttempts + 1, lastError: message });
    safeAudit(deps.audit, withReason, 'revoke-failed', withReason.endReason, message);
    return { status: 'revoke-failed', entry: withReason, error: message };
  }
  await deps.journal.remove(sessionId);
  safeAudit(deps.audit, withReason, 'revoked', withReason.endReason, entry.pid === process.pid ? undefined : `session of pid ${entry.pid}`);
  return { status: 'revoked', entry: withReason };
}

function reasonOf(e: JournalEntry): EndReason {
  return e.endReason ?? 'crash-recovery';
}

function safeAudit(audit: AuditSink, e: JournalEntry, action: 'revoked' | 'expired' | 'revoke-failed', reason: EndReason, detail: string | undefined): void {
  try {
    audit.append({ target: e.targetId, action, reason, sessionId: e.sessionId, ...(e.leaseId ? { leaseId: e.leaseId } : {}), ...(detail ? { detail } : {}) });
  } catch {
    // The audit log must not stop a revocation; its failure shows up in the next append.
  }
}
