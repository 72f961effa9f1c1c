import { parseArgs } from 'node:util';
import { isKeyfobError } from '../../core/base/index.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';

const KEPT = 'now; keyfob keeps them and retries at its next start (keyfob status shows them)';

/** Ends journaled sessions of any keyfob process (the engine's revoke and revokeAll). */
export async function revokeCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { all: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (values.all === positionals.length > 0 || positionals.length > 1) throw new UsageError('revoke takes --all or one SESSION_ID');
  return withEngine(ctx, async (engine) => {
    if (!values.all) {
      const id = positionals[0]!;
      try {
        await engine.revoke(id, 'revoked');
      } catch (error) {
        if (!isKeyfobError(error) || error.code !== 'revoke-failed') throw error;
        ctx.out('Revoked 0 session(s).');
        ctx.tell(`could not revoke ${id} ${KEPT}`);
        return 1;
      }
      ctx.out(`Revoked 1 session(s): ${id}.`);
      return 0;
    }
    const { revoked, failed } = await engine.revokeAll('revoked');
    const ids = revoked.map((s) => s.id);
    ctx.out(revoked.length + failed.length === 0 ? 'No sessions to revoke.' : `Revoked ${ids.length} session(s)${ids.length ? `: ${ids.join(', ')}` : ''}.`);
    if (failed.length > 0) {
      ctx.tell(`could not revoke ${failed.map((s) => s.id).join(', ')} ${KEPT}`);
      return 1;
    }
    return 0;
  });
}
