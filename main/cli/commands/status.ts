import { parseArgs } from 'node:util';
import { targetViews } from '../../core/engine/views.ts';
import { stateDir } from '../../core/base/stateDir.ts';
import { loadConfig } from '../../core/config/load.ts';
import { clockAndLeft, table } from '../format.ts';
import { withEngine, type CommandContext } from './context.ts';
import { targetsTable } from './targetsTable.ts';
import { handoffForStatus, shiftForStatus, shiftLine } from './statusPolicy.ts';
import { handoffText } from './handoff.ts';

export async function statusCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  return withEngine(ctx, async (engine) => {
    const view = await engine.status();
    const shift = await shiftForStatus(engine, ctx.tell);
    if (shift) view.shift = shift;
    view.handoff = await handoffForStatus(engine, ctx.tell);
    const pending = view.pendingRevocations;
    if (values.json) {
      ctx.out(JSON.stringify(view, null, 2));
      return 0;
    }
    const id = view.identity;
    ctx.out(
      id.signedIn
        ? `Signed in as ${id.name ?? 'unknown'} (${id.method ?? 'vault'})${id.tokenExpiresAt ? `; Vault token expires ${clockAndLeft(id.tokenExpiresAt, id.tokenRemainingSeconds ?? 0)}` : ''}`
        : 'Not signed in to Vault: run keyfob login',
    );
    if (view.shift) ctx.out(shiftLine(view.shift));
    if (view.awsSso) ctx.out(view.awsSso.signedIn ? `IAM Identity Center: signed in until ${view.awsSso.expiresAt}` : 'IAM Identity Center: not signed in');
    ctx.out(view.keychain.note ? `Keychain: ${view.keychain.note}` : 'Keychain: OS keychain');
    if (view.sessions.length === 0) ctx.out('No active sessions.');
    else {
      ctx.out(
        table(
          ['SESSION', 'TARGET', 'KIND', 'EXPIRES', 'STATE', 'PID'],
          view.sessions.map((s) => [
            s.id,
            s.target,
            s.kind,
            clockAndLeft(s.expiresAt, s.remainingSeconds),
            s.state + (s.lastError ? `: ${s.lastError}` : ''),
            String(s.pid),
          ]),
        ),
      );
    }
    if (pending > 0) ctx.out(`${pending} revocation${pending === 1 ? '' : 's'} pending retry`);
    if (view.handoff) ctx.out(handoffText(view.handoff));
    return 0;
  });
}

export async function targetsCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  const { config } = await loadConfig({ ...(ctx.configPath ? { path: ctx.configPath } : {}), env: ctx.env, cacheDir: stateDir(ctx.env) });
  // Only static targets need Vault (their age, from KV metadata); the rest is the config alone.
  const views = config.targets.some((t) => t.kind === 'static') ? await withEngine(ctx, (engine) => engine.targetsWithRotation()) : targetViews({ config });
  if (values.json) {
    ctx.out(JSON.stringify(views, null, 2));
    return 0;
  }
  ctx.out(targetsTable(views));
  return 0;
}
