// keyfob handoff [--to USER] [--note TEXT] [--json] | keyfob handoff --show [--json]
// End of shift (docs/policy.md): write the handoff record to Vault KV v2, revoke the elevated
// sessions of this state dir, and say what stays open. --show prints the latest record for you.
import { parseArgs } from 'node:util';
import type { StoredHandoff } from '../../../common/handoff.ts';
import { formatClockTime } from '../../core/sessions/index.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';
import { withEngine, type CommandContext } from './context.ts';

export async function handoffCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { to: { type: 'string' }, note: { type: 'string' }, show: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.show && (values.to !== undefined || values.note !== undefined)) throw new UsageError('handoff --show takes no --to or --note');
  return withEngine(ctx, async (engine) => {
    if (values.show) {
      const stored = await engine.latestHandoff();
      ctx.out(values.json ? JSON.stringify(stored, null, 2) : stored ? handoffText(stored) : 'No handoff addressed to you or your schedule.');
      return 0;
    }
    const result = await engine.handoff({ ...(values.to ? { to: values.to } : {}), ...(values.note ? { note: values.note } : {}) });
    if (values.json) ctx.out(JSON.stringify(result, null, 2));
    else {
      ctx.out(handoffText(result.stored));
      ctx.out(
        result.revoked.length ? `Revoked ${result.revoked.length} elevated session(s): ${result.revoked.join(', ')}.` : 'No elevated sessions to revoke.',
      );
    }
    if (result.failed.length > 0) {
      ctx.tell(`could not revoke ${result.failed.join(', ')} now; keyfob keeps them and retries at its next start (keyfob status shows them)`);
      return 1;
    }
    return 0;
  });
}

export function handoffText(stored: StoredHandoff): string {
  const r = stored.record;
  const lines = [
    `Handoff ${r.from} → ${r.to ?? 'next on call'} for ${r.schedule.name ? `${r.schedule.name} (${r.schedule.id})` : r.schedule.id} at ${formatClockTime(Date.parse(r.time))} (${stored.path} version ${stored.version})`,
  ];
  if (r.note) lines.push(`Note: ${r.note}`);
  if (r.items.length === 0) lines.push('No open sessions.');
  else
    lines.push(
      table(
        ['SESSION', 'TARGET', 'IMPACT', 'GRANTS', 'SCOPE', 'EXPIRES', 'HANDOFF'],
        r.items.map((i) => [
          i.sessionId,
          i.target,
          i.impact,
          i.grants,
          i.scope,
          formatClockTime(Date.parse(i.expiresAt)),
          i.action === 'revoke' ? 'revoked' : 'left open',
        ]),
      ),
    );
  return lines.join('\n');
}
