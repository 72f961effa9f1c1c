// On-call handoff (design.md journey 6): list what is open, write the record to Vault KV v2 at
// <kvMount>/data/<path>/<schedule id> with check-and-set (two handoffs cannot overwrite each
// other), then revoke the outgoing engineer's elevated sessions through the one revoke path.
// The record goes first: a handoff that loses the check-and-set race has changed nothing.
import { handoffRecordSchema, type HandoffItem, type HandoffRecord, type StoredHandoff } from '../../../common/handoff.ts';
import type { AuditSink } from '../audit/index.ts';
import type { KeyfobConfig } from '../config/index.ts';
import type { JournalEntry } from '../sessions/index.ts';
import type { KvSecret } from '../vault/index.ts';
import { GuardRailError } from './errors.ts';
import { isElevated } from './rules.ts';

export interface HandoffKv {
  kvRead(mount: string, path: string): Promise<KvSecret | null>;
  kvWrite(mount: string, path: string, data: Record<string, unknown>, options: { cas?: number }): Promise<{ version: number }>;
}

export interface HandoffDeps {
  config: KeyfobConfig;
  journal: { list(): Promise<JournalEntry[]> };
  kv: HandoffKv;
  /** The signed-in email. */
  identity: string | undefined;
  now: () => number;
}

export interface HandoffPlan {
  record: HandoffRecord;
  path: string;
  /** The KV version the record replaces (0: none yet): the check-and-set value. */
  baseVersion: number;
}

export interface HandoffOptions {
  to?: string;
  note?: string;
  /** The shift being handed over (from PagerDuty); the config's first schedule when unknown. */
  schedule?: { id: string; name: string | null };
}

export class HandoffConflict extends GuardRailError {}

function settingsOf(config: KeyfobConfig) {
  if (!config.onCall) throw new GuardRailError("handoff needs the config's onCall section (the schedule and where records go)");
  return config.onCall;
}

function recordPath(config: KeyfobConfig, scheduleId: string): { mount: string; path: string } {
  const { handoff } = settingsOf(config);
  return { mount: handoff.kvMount, path: `${handoff.path}/${scheduleId}` };
}

/** Reads what is open and the current record's version; changes nothing. */
export async function prepareHandoff(deps: HandoffDeps, options: HandoffOptions): Promise<HandoffPlan> {
  const settings = settingsOf(deps.config);
  if (!deps.identity) throw new GuardRailError('Keyfob cannot tell your email from the Vault sign-in, so it cannot sign a handoff: run keyfob login');
  const now = deps.now();
  const schedule = options.schedule ?? { id: settings.pagerduty.scheduleIds[0]!, name: null };
  const targets = new Map(deps.config.targets.map((t) => [t.id, t]));
  const items: HandoffItem[] = (await deps.journal.list())
    .filter((e) => e.expiresAt > now && e.state !== 'revoking')
    .map((e) => {
      const t = targets.get(e.targetId);
      return {
        sessionId: e.sessionId,
        target: e.targetId,
        name: t?.name ?? e.targetId,
        impact: t?.impact ?? 'high',
        grants: t?.grants ?? 'unknown (the target is no longer in the config)',
        scope: t?.scope ?? 'unknown',
        expiresAt: new Date(e.expiresAt).toISOString(),
        action: !t || isElevated(deps.config, t) ? 'revoke' : 'keep',
      };
    });
  const { mount, path } = recordPath(deps.config, schedule.id);
  const current = await deps.kv.kvRead(mount, path);
  const record: HandoffRecord = {
    format: 1,
    time: new Date(now).toISOString(),
    from: deps.identity,
    to: options.to?.trim() || null,
    schedule,
    note: options.note?.trim() || null,
    items,
  };
  return { record, path: `${mount}/data/${path}`, baseVersion: current?.version ?? 0 };
}

export interface HandoffResult {
  stored: StoredHandoff;
  revoked: string[];
  failed: string[];
}

/**
 * Writes the record (check-and-set on the version `prepareHandoff` saw), then ends the elevated
 * sessions through `revoke` (the one revoke path), and audits the handoff.
 */
export async function commitHandoff(
  plan: HandoffPlan,
  deps: HandoffDeps & { audit: AuditSink; revoke: (ids: string[]) => Promise<{ revoked: string[]; failed: string[] }> },
): Promise<HandoffResult> {
  const { mount, path } = recordPath(deps.config, plan.record.schedule.id);
  let version: number;
  try {
    ({ version } = await deps.kv.kvWrite(mount, path, plan.record as unknown as Record<string, unknown>, { cas: plan.baseVersion }));
  } catch (error) {
    if (/check-and-set/i.test((error as Error).message)) {
      throw new HandoffConflict(
        `another handoff for ${plan.record.schedule.id} was written while this one was prepared, so this one was not written and nothing was revoked: keyfob handoff --show, then try again`,
      );
    }
    throw error;
  }
  const ids = plan.record.items.filter((i) => i.action === 'revoke').map((i) => i.sessionId);
  const { revoked, failed } = ids.length > 0 ? await deps.revoke(ids) : { revoked: [], failed: [] };
  deps.audit.append({
    target: plan.record.schedule.id,
    action: 'handoff',
    detail: `to ${plan.record.to ?? 'the schedule'}; ${plan.path} version ${version}; revoked ${revoked.join(' ') || 'nothing'}${failed.length ? `; could not revoke ${failed.join(' ')}` : ''}`,
  });
  return { stored: { path: plan.path, version, record: plan.record }, revoked, failed };
}

/** Is the record for this person: addressed to them (email or its local part), or to their schedule as a whole? */
export function addressedTo(record: HandoffRecord, identity: string | undefined): boolean {
  if (record.to === null) return true;
  if (!identity) return false;
  const to = record.to.toLowerCase();
  return to === identity.toLowerCase() || to === identity.toLowerCase().split('@')[0];
}

/** The newest record in the config's schedules that is addressed to `identity` (null: none). */
export async function latestHandoff(deps: Pick<HandoffDeps, 'config' | 'kv' | 'identity'>): Promise<StoredHandoff | null> {
  const settings = deps.config.onCall;
  if (!settings) return null;
  const found: StoredHandoff[] = [];
  for (const id of settings.pagerduty.scheduleIds) {
    const { mount, path } = recordPath(deps.config, id);
    const secret = await deps.kv.kvRead(mount, path);
    if (!secret) continue;
    const parsed = handoffRecordSchema.safeParse(secret.data);
    if (!parsed.success)
      throw new Error(`the handoff record at ${mount}/data/${path} is not in Keyfob's format (${parsed.error.issues[0]?.message ?? 'unreadable'})`);
    if (addressedTo(parsed.data, deps.identity)) found.push({ path: `${mount}/data/${path}`, version: secret.version, record: parsed.data });
  }
  return found.sort((a, b) => Date.parse(b.record.time) - Date.parse(a.record.time))[0] ?? null;
}
