import type { AuditSink } from '../audit/auditLog.ts';
import type { LeaseApi } from '../vault/leaseApi.ts';
import { REVOKE_CONCURRENCY, REVOKE_DEADLINE_MS, runBounded } from '../base/bounded.ts';
import type { Clock } from '../base/clock.ts';
import { endSession, type EndSessionDeps } from './endSession.ts';
import type { JournalEntry, SessionJournal } from './journal.ts';
import { vaultExpiryOf } from './leaseExpiry.ts';
import { currentProcessIdentity, isOwnerAlive, type ProcessIdentity } from '../base/processIdentity.ts';

// A crash is a session end too. At start, whatever the journal says is still out and whose owner
// process is gone is ended through the revoke path (endSession); sessions of a keyfob still
// running elsewhere are left alone.

export interface RecoveryOptions {
  concurrency?: number;
  deadlineMs?: number;
  /** Who claims orphans while revoking them; this process by default. */
  self?: ProcessIdentity;
  /** Injected for tests; by default pid liveness plus start time on Linux. */
  isOwnerAlive?: (owner: ProcessIdentity) => boolean;
  /** Told when the journal or the audit log cannot be written while ending orphans. */
  reportProblem?: (message: string) => void;
  /** Refuses to revoke a journaled lease that is not from its target's Vault path (endSession). */
  leaseScope?: EndSessionDeps['leaseScope'];
  /** Stops an orphan's ssh-agent (see EndSessionDeps.stopAgent). */
  stopAgent?: (agent: ProcessIdentity) => Promise<unknown>;
}

export interface RecoveryReport {
  /** Orphans whose leases were revoked now. */
  revoked: JournalEntry[];
  /** Orphans past Vault's expiry of their lease (Vault has expired them), or whose revocation failed after it: dropped. */
  expired: JournalEntry[];
  /** Orphans whose revocation failed: kept with their error for the next start. */
  failed: JournalEntry[];
  /** Sessions of live processes. */
  leftAlone: JournalEntry[];
  /** Not finished by the deadline (kept in the journal). */
  pending: JournalEntry[];
}

const ownerOf = (e: JournalEntry): ProcessIdentity => ({ pid: e.pid, pidStartTime: e.pidStartTime, hostname: e.hostname });

export async function recoverOrphans(
  journal: SessionJournal,
  leaseApi: LeaseApi,
  audit: AuditSink,
  clock: Clock,
  options: RecoveryOptions = {},
): Promise<RecoveryReport> {
  const self = options.self ?? currentProcessIdentity();
  const alive = options.isOwnerAlive ?? isOwnerAlive;
  const now = clock.now();
  const report: RecoveryReport = { revoked: [], expired: [], failed: [], leftAlone: [], pending: [] };
  const lapsed: JournalEntry[] = [];
  const claimed: JournalEntry[] = [];

  // Claim orphans under the journal lock (taking them over as owner), so two keyfob processes
  // starting together do not both revoke and audit the same lease. The copies kept here name
  // the dead owner: a revocation that fails goes back to it, so any later start retries it.
  await journal.update((entries) => {
    for (const e of entries) {
      // A credential handed to credential_process outlives its process on purpose, until it
      // expires; once someone asked to end it (revoking, revoke-failed), recovery finishes that.
      const handedOver = e.heldBy !== undefined && e.expiresAt > now && (e.state === 'active' || e.state === 'expiring');
      if (alive(ownerOf(e)) || handedOver) {
        report.leftAlone.push({ ...e });
        continue;
      }
      (vaultExpiryOf(e) <= now ? lapsed : claimed).push({ ...e });
      Object.assign(e, { pid: self.pid, pidStartTime: self.pidStartTime, hostname: self.hostname, state: 'revoking' });
    }
  });

  const deps = {
    journal,
    leaseApi,
    audit,
    clock,
    ...(options.reportProblem ? { reportProblem: options.reportProblem } : {}),
    ...(options.stopAgent ? { stopAgent: options.stopAgent } : {}),
    ...(options.leaseScope ? { leaseScope: options.leaseScope } : {}),
  };
  const end = (e: JournalEntry, leaseExpired: boolean) =>
    endSession(e, 'crash-recovery', deps, { context: `owner pid ${e.pid} is gone`, onlyIfJournaled: true, leaseExpired });

  // Past their expiry Vault has expired them already: no network call, so they are settled first.
  for (const [e, outcome] of await Promise.all(lapsed.map(async (e) => [e, await end(e, true)] as const))) {
    if (outcome.status !== 'not-found') report.expired.push(e);
  }

  const result = await runBounded(claimed, (e) => end(e, false), {
    concurrency: options.concurrency ?? REVOKE_CONCURRENCY,
    deadlineMs: options.deadlineMs ?? REVOKE_DEADLINE_MS,
    clock,
  });
  for (const r of result.settled) {
    const e = r.item;
    if (!r.ok)
      report.pending.push(e); // endSession never throws; kept for the next start all the same
    else if (r.value.status === 'revoked') report.revoked.push(e);
    else if (r.value.status === 'expired') report.expired.push(e);
    else if (r.value.status === 'revoke-failed')
      report.failed.push({ ...e, state: 'revoke-failed', revokeAttempts: r.value.revokeAttempts, lastError: r.value.error });
  }

  // Not finished by the deadline: back to the dead owner as they were, so any later start
  // retries them. One still in flight records its own outcome if it settles while we run.
  const unfinished = [...result.inFlight, ...result.notStarted];
  report.pending.push(...unfinished);
  if (unfinished.length > 0) {
    await journal.update((entries) => {
      for (const original of unfinished) {
        const e = entries.find((x) => x.sessionId === original.sessionId);
        if (e) Object.assign(e, ownerOf(original), { state: original.state });
      }
    });
  }
  return report;
}
