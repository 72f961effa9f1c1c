import { parseArgs } from 'node:util';
import { REVOKE_CONCURRENCY, revokeJournaledSession, runBounded, type EndReason } from '../../core/sessions/index.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';

/**
 * Ends journaled sessions of any keyfob process through the one revoke path (endSession, by way
 * of revokeJournaledSession), in parallel. `tell` hears of a journal or audit log it could not write.
 */
export async function revokeSessions(engine: Engine, ids: string[], reason: EndReason, tell: (line: string) => void): Promise<{ revoked: string[]; failed: string[] }> {
  const deps = { journal: engine.journal, leaseApi: engine.vault, audit: engine.audit, clock: engine.clock, reportProblem: tell, leaseScope: engine.leaseScope };
  const result = await runBounded(ids, (id) => revokeJournaledSession(id, reason, deps), {
    concurrency: REVOKE_CONCURRENCY,
    deadlineMs: 15_000,
    clock: engine.clock,
  });
  const revoked: string[] = [];
  const failed: string[] = [...result.inFlight, ...result.notStarted];
  for (const r of result.settled) (r.ok && r.value.status !== 'revoke-failed' ? revoked : failed).push(r.item);
  return { revoked, failed };
}

export async function revokeCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { all: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (values.all === (positionals.length > 0) || positionals.length > 1) throw new UsageError('revoke takes --all or one SESSION_ID');
  return withEngine(ctx, async (engine) => {
    await engine.requireSignIn();
    const entries = await engine.journal.list();
    const ids = values.all ? entries.map((e) => e.sessionId) : positionals;
    if (!values.all && !entries.some((e) => e.sessionId === ids[0])) throw new Error(`no session ${ids[0]}; keyfob status lists them`);
    const { revoked, failed } = await revokeSessions(engine, ids, 'revoked', ctx.tell);
    ctx.out(ids.length === 0 ? 'No sessions to revoke.' : `Revoked ${revoked.length} session(s)${revoked.length ? `: ${revoked.join(', ')}` : ''}.`);
    if (failed.length > 0) {
      ctx.tell(`could not revoke ${failed.join(', ')} now; keyfob keeps them and retries at its next start (keyfob status shows them)`);
      return 1;
    }
    return 0;
  });
}
