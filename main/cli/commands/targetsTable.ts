// `keyfob targets` as text: each target's blast radius (docs/policy.md), one row per target.
import type { TargetView } from '../../../common/views.ts';
import { formatDuration, table } from '../format.ts';

export function targetsTable(views: TargetView[]): string {
  return table(
    ['TARGET', 'GRANTS ACCESS TO', 'SCOPE', 'ROTATION/TTL', 'LEAK IMPACT', 'GUARDS'],
    views.map((t) => [
      t.id,
      t.grants,
      t.scope,
      t.kind === 'static' ? describeRotation(t) : `new per session, ${formatDuration(t.ttlSeconds)} (max ${formatDuration(t.maxTtlSeconds)})`,
      t.impact,
      guards(t),
    ]),
  );
}

function guards(t: TargetView): string {
  const list = [t.requireReason ? (t.ticketPattern ? 'ticket' : 'reason') : '', t.requireOnCall ? 'on-call' : '', t.requireConfirmation ? 'confirm' : ''];
  return list.filter(Boolean).join(',') || '-';
}

/** A static secret is not issued per session: its age against its rotation period (from KV metadata). */
function describeRotation(t: TargetView): string {
  const every = `${Math.round((t.rotationSeconds ?? 0) / 86400)}d`;
  if (!t.rotation) return `age ?/${every}`;
  const age = `${Math.floor(t.rotation.ageSeconds / 86400)}d`;
  return t.rotation.overdue ? `OVERDUE ${age}/${every}` : `age ${age}/${every}`;
}
