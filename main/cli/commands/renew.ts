import { parseArgs } from 'node:util';
import { formatDuration } from '../../core/duration.ts';
import { formatClockTime } from '../../core/sessions/index.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';
import { parseTtl } from './exec.ts';

/**
 * Extends a session's lease (sys/leases/renew), whichever keyfob process owns it; the owner
 * adopts the new expiry from the journal. Vault caps the extension at the lease's max TTL.
 */
export async function renewCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { ttl: { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('renew takes one SESSION_ID');
  const id = positionals[0]!;
  const asked = parseTtl(values.ttl);
  return withEngine(ctx, async (engine) => {
    await engine.requireSignIn();
    const entry = (await engine.journal.list()).find((e) => e.sessionId === id);
    if (!entry) throw new Error(`no session ${id}; keyfob status lists them`);
    if (!entry.leaseId) throw new Error(`session ${id} (${entry.targetId}) has no Vault lease to renew; SSH certificates cannot be extended, start a new session`);
    const increment = asked ?? engine.config.targets.find((t) => t.id === entry.targetId)?.ttl ?? 3600;
    const renewal = await engine.vault.renewLease(entry.leaseId, increment);
    const expiresAt = engine.clock.now() + renewal.leaseDuration * 1000;
    const capped = renewal.leaseDuration < increment || renewal.warnings.some((w) => /max_ttl/.test(w));
    await engine.journal.patch(id, { expiresAt, state: 'active', renewable: renewal.renewable });
    const message = capped
      ? `capped at the max TTL: ${entry.targetId} now expires ${formatClockTime(expiresAt)} (in ${formatDuration(renewal.leaseDuration)}, not the ${formatDuration(increment)} asked for) and cannot be extended further`
      : `extended: ${entry.targetId} now expires ${formatClockTime(expiresAt)} (in ${formatDuration(renewal.leaseDuration)})`;
    engine.audit.append({ target: entry.targetId, sessionId: id, leaseId: entry.leaseId, action: 'renewed', detail: message });
    if (values.json) ctx.out(JSON.stringify({ id, target: entry.targetId, expiresAt: new Date(expiresAt).toISOString(), remainingSeconds: renewal.leaseDuration, capped, message, warnings: renewal.warnings }, null, 2));
    else ctx.out(`Session ${id} ${message}.`);
    return 0;
  });
}
