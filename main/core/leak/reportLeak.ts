// "I leaked this": the leak response for one session, from any keyfob process. Revokes at once
// through the one revoke path (endSession: the owning process notices and stops its command),
// optionally the role's whole lease prefix, then records the incident (audit log, and the team's
// KV v2 path when the config names one) and hands back what the face should tell the user.
import type { LeakReportView } from '../../../common/leak.ts';
import type { AuditSink } from '../audit/index.ts';
import { redactSecrets } from '../audit/index.ts';
import { KeyfobError } from '../base/keyfobError.ts';
import type { LeakSettings, Target } from '../config/index.ts';
import { endSession, errorMessage, type Clock, type JournalEntry, type SessionJournal } from '../sessions/index.ts';
import type { LeaseApi, VaultClient } from '../vault/index.ts';
import type { Incident, LeakOutcome } from './incident.ts';
import { readLedger } from './ledger.ts';

export interface LeakDeps {
  journal: SessionJournal;
  leaseApi: LeaseApi;
  vault: Pick<VaultClient, 'revokeLeasePrefix' | 'kvWrite'>;
  audit: AuditSink;
  clock: Pick<Clock, 'now'>;
  stateDir: string;
  settings: LeakSettings | undefined;
  target: (id: string) => Target | undefined;
  /** Who reports it, for the team's record in Vault (the audit log has its own user field). */
  reportedBy: string;
  reportProblem?: (message: string) => void;
}

export interface LeakOptions {
  note?: string;
  /** Also revoke every lease of the session's role (sys/leases/revoke-prefix); the config must allow it. */
  prefix?: boolean;
}

export type LeakReport = LeakReportView;

/** The lease prefix of a lease id: database/creds/orders-ro/AbC → database/creds/orders-ro/. */
export function leasePrefix(leaseId: string): string {
  return leaseId.slice(0, leaseId.lastIndexOf('/') + 1);
}

export async function reportLeak(sessionId: string, options: LeakOptions, deps: LeakDeps): Promise<LeakReport> {
  const reportedAt = deps.clock.now();
  const entry = (await deps.journal.list()).find((e) => e.sessionId === sessionId);
  const past = entry ? undefined : (await readLedger(deps.stateDir)).find((e) => e.sessionId === sessionId);
  if (!entry && !past) throw new KeyfobError('unknown-session', `no session ${sessionId} on this machine; keyfob status lists the live ones`);
  const targetId = (entry ?? past)!.targetId;
  const target = deps.target(targetId);
  // Refuse --prefix before anything happens, so a refused option never half-runs the response.
  if (options.prefix) {
    if (!deps.settings?.prefixRevoke.includes(targetId)) {
      throw new KeyfobError(
        'guard-rail',
        `--prefix is not allowed for ${targetId}: the config's leak.prefixRevoke does not list it (run without --prefix to revoke this session alone)`,
      );
    }
    if (entry && !entry.leaseId) throw new KeyfobError('guard-rail', `--prefix needs a Vault lease, and session ${sessionId} (${targetId}) has none`);
  }

  let outcome: LeakOutcome = 'already-ended';
  let revokedAt: number | null = null;
  let validUntil: number | null = null;
  if (entry) ({ outcome, revokedAt, validUntil } = await endLeaked(entry, deps));

  let prefix: Incident['prefix'];
  const leaseId = entry?.leaseId;
  if (options.prefix && leaseId) {
    const path = leasePrefix(leaseId);
    try {
      await deps.vault.revokeLeasePrefix(path);
      prefix = { path, revoked: true };
      await endSessionsUnder(path, sessionId, deps);
    } catch (error) {
      prefix = { path, revoked: false, error: redactSecrets(errorMessage(error)) };
    }
  }

  const incident: Incident = {
    issuedAt: new Date((entry ?? past)!.issuedAt).toISOString(),
    reportedAt: new Date(reportedAt).toISOString(),
    revokedAt: revokedAt === null ? null : new Date(revokedAt).toISOString(),
    validUntil: validUntil === null ? null : new Date(validUntil).toISOString(),
    outcome,
    grants: target?.grants ?? 'unknown (the target is no longer in the config)',
    scope: target?.scope ?? 'unknown',
    ...(prefix ? { prefix } : {}),
    ...(options.note?.trim() ? { note: redactSecrets(options.note.trim()).slice(0, 2000) } : {}),
  };
  const recorded = await recordIncident(sessionId, targetId, incident, deps);
  return { sessionId, targetId, incident, recorded, ...(deps.settings?.runbook ? { runbook: deps.settings.runbook } : {}) };
}

/**
 * Other sessions on this machine whose leases the prefix revoke just killed: ended through the
 * revoke path too, so their commands stop and the journal stops listing dead credentials.
 */
async function endSessionsUnder(prefix: string, leakedId: string, deps: LeakDeps): Promise<void> {
  const others = (await deps.journal.list()).filter((e) => e.sessionId !== leakedId && e.leaseId?.startsWith(prefix));
  await Promise.all(
    others.map((e) =>
      endSession(e, 'revoked', deps, { onlyIfJournaled: true, context: `its role's leases were revoked (${prefix}) after session ${leakedId} leaked` }),
    ),
  );
}

/** The session's end, through endSession, worded as the incident's outcome. */
async function endLeaked(entry: JournalEntry, deps: LeakDeps): Promise<{ outcome: LeakOutcome; revokedAt: number | null; validUntil: number | null }> {
  const ended = await endSession(entry, 'revoked', deps, {
    onlyIfJournaled: true,
    context: `reported leaked${entry.pid === process.pid ? '' : `; session of pid ${entry.pid}`}`,
  });
  const now = deps.clock.now();
  if (ended.status === 'not-found') return { outcome: 'already-ended', revokedAt: null, validUntil: null };
  if (ended.status === 'revoke-failed') return { outcome: 'revoke-failed', revokedAt: null, validUntil: entry.expiresAt };
  // An SSH certificate or Identity Center keys: the local session ended, the credential did not.
  if (!entry.leaseId) return { outcome: 'not-revocable', revokedAt: null, validUntil: entry.expiresAt > now ? entry.expiresAt : null };
  return { outcome: 'revoked', revokedAt: now, validUntil: null };
}

export async function recordIncident(
  sessionId: string,
  targetId: string,
  incident: Incident,
  deps: Pick<LeakDeps, 'audit' | 'vault' | 'settings' | 'reportedBy' | 'reportProblem'>,
): Promise<LeakReport['recorded']> {
  try {
    deps.audit.append({ target: targetId, action: 'leak-reported', sessionId, incident });
  } catch (error) {
    deps.reportProblem?.(`Could not write the incident to the audit log: ${errorMessage(error)}`);
  }
  const where = deps.settings?.incidents;
  if (!where) return {};
  const vaultPath = `${where.path}/${incident.reportedAt.replace(/[:.]/g, '-')}-${sessionId}`;
  try {
    await deps.vault.kvWrite(where.vaultMount, vaultPath, { target: targetId, session: sessionId, reportedBy: deps.reportedBy, ...incident }, { cas: 0 });
    return { vaultPath: `${where.vaultMount}/data/${vaultPath}` };
  } catch (error) {
    return { vaultError: redactSecrets(errorMessage(error)) };
  }
}
