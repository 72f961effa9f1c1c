// A leaked static secret: Keyfob cannot revoke it and never pretends to. It records the incident
// (audit log, and Vault when configured) with the current version's write time as "issued", and
// points at the owner's runbook; rotation is the owner's job.
import type { StaticTarget } from '../config/index.ts';
import { redactSecrets } from '../audit/index.ts';
import type { KvMetadata } from '../vault/index.ts';
import type { Incident } from './incident.ts';
import { recordIncident, type LeakDeps, type LeakReport } from './reportLeak.ts';

export async function reportStaticLeak(
  target: StaticTarget,
  options: { note?: string },
  deps: Pick<LeakDeps, 'audit' | 'settings' | 'reportedBy' | 'reportProblem' | 'clock'> & {
    vault: LeakDeps['vault'] & { kvMetadata(mount: string, path: string): Promise<KvMetadata | null> };
  },
): Promise<LeakReport> {
  const reportedAt = deps.clock.now();
  const meta = await deps.vault.kvMetadata(target.static.vaultMount, target.static.path).catch(() => null);
  const incident: Incident = {
    issuedAt: meta ? meta.currentVersionCreated.toISOString() : null,
    reportedAt: new Date(reportedAt).toISOString(),
    revokedAt: null,
    validUntil: null,
    outcome: 'rotate-by-owner',
    grants: target.grants,
    scope: target.scope,
    ...(options.note?.trim() ? { note: redactSecrets(options.note.trim()).slice(0, 2000) } : {}),
  };
  // The "session" of a static secret is its current version.
  const sessionId = `${target.id}-v${meta?.currentVersion ?? 0}`;
  const recorded = await recordIncident(sessionId, target.id, incident, deps);
  const runbook = target.static.runbook ?? deps.settings?.runbook;
  return { sessionId, targetId: target.id, incident, recorded, ...(runbook ? { runbook } : {}) };
}
