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
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ttl: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('renew takes one SESSION_ID');
  const id = positionals[0]!;
  const asked = parseTtl(values.ttl);
  return withEngine(ctx, async (engine) => {
    const r = await engine.renew(id, asked === undefined ? {} : { ttlSeconds: asked });
    const { session } = r;
    const expiresAt = Date.parse(session.expiresAt);
    const capped = r.cap !== null;
    const message = capped
      ? `capped at the max TTL: ${session.target} now expires ${formatClockTime(expiresAt)} (in ${formatDuration(r.grantedSeconds)}, not the ${formatDuration(r.askedSeconds)} asked for) and cannot be extended further`
      : `extended: ${session.target} now expires ${formatClockTime(expiresAt)} (in ${formatDuration(r.grantedSeconds)})`;
    if (values.json)
      ctx.out(
        JSON.stringify(
          { id, target: session.target, expiresAt: session.expiresAt, remainingSeconds: r.grantedSeconds, capped, message, warnings: r.warnings },
          null,
          2,
        ),
      );
    else ctx.out(`Session ${id} ${message}.`);
    return 0;
  });
}
