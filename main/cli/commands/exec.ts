// keyfob exec TARGET [--ttl D] [--reason TEXT] -- COMMAND [ARGS...]
// Obtains the credential, runs COMMAND with it, and revokes when COMMAND exits, however it
// exits (Ctrl-C and SIGTERM are passed to COMMAND, then the session ends the usual way).
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../../core/duration.ts';
import { isKeyfobError } from '../../core/base/index.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { formatClockTime } from '../../core/sessions/index.ts';
import { confirmOnTerminal } from '../confirm.ts';
import { UsageError } from '../errors.ts';
import { open, type CommandContext } from './context.ts';
import { terminalSafe } from '../terminalSafe.ts';
import { ENDING_SIGNALS, trapEndingSignals } from '../issuanceSignals.ts';
import { sessionGroup } from '../processGroup.ts';

const FORWARDED_SIGNALS = ENDING_SIGNALS;

export function splitAtDoubleDash(argv: string[]): { own: string[]; command: string[] } {
  const at = argv.indexOf('--');
  return at === -1 ? { own: argv, command: [] } : { own: argv.slice(0, at), command: argv.slice(at + 1) };
}

export function parseTtl(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined || seconds <= 0) throw new UsageError(`--ttl "${text}" is not a duration such as 15m or 1h`);
  return seconds;
}

export async function execCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { own, command } = splitAtDoubleDash(argv);
  const { values, positionals } = parseArgs({
    args: own,
    options: { ttl: { type: 'string' }, reason: { type: 'string' }, yes: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [targetId, ...extra] = positionals;
  if (!targetId) throw new UsageError('exec needs a target: keyfob exec TARGET -- COMMAND');
  if (extra.length > 0 || command.length === 0) throw new UsageError('put the command after --: keyfob exec TARGET -- COMMAND [ARGS...]');
  const ttlSeconds = parseTtl(values.ttl);

  // Before the first Vault call: a signal during issuance must end in a revoke, not a dead keyfob.
  const trap = trapEndingSignals();
  let engine;
  try {
    engine = await open(ctx);
  } catch (error) {
    trap.dispose();
    throw error;
  }
  try {
    if (trap.received) return 128 + signalNumber(trap.received); // nothing issued yet
    // A target whose policy asks for a confirmation: ask the person at the terminal (scripts pass --yes).
    const view = engine.targets().find((t) => t.id === targetId);
    const confirmed = values.yes || (view?.requireConfirmation === true && (await confirmOnTerminal(view, { input: process.stdin, output: process.stderr })));
    const issued = await engine.issue(targetId, { ...(ttlSeconds ? { ttlSeconds } : {}), ...(values.reason ? { reason: values.reason } : {}), confirmed });
    const { id, target } = issued.session;
    if (trap.received) {
      trap.dispose();
      ctx.tell(`session ${id}: ${target} interrupted (${trap.received}) before the command started; revoking`);
      await revokeAtExit(engine, id, ctx);
      return 128 + signalNumber(trap.received);
    }
    ctx.tell(`session ${id}: ${target} until ${formatClockTime(Date.parse(issued.session.expiresAt))}; revoked when the command exits`);

    engine.onDidWarnExpiring((session) => {
      const secondsLeft = Math.max(0, Math.round((Date.parse(session.expiresAt) - Date.now()) / 1000));
      if (session.id === id) ctx.tell(`session ${id}: ${target} expires in ${formatDuration(secondsLeft)} (keyfob renew ${id} to extend)`);
    });
    // A session that ends while the command runs (expiry, `keyfob revoke` elsewhere) ends the
    // command too: its credential no longer works, and exec must not outlive its session.
    const sessionOver = new AbortController();
    engine.onDidEndSession(({ session, reason }) => {
      if (session.id !== id || reason === 'command-exit') return;
      ctx.tell(`session ${id}: ${target} ended (${reason}); the credential no longer works, stopping the command`);
      sessionOver.abort();
    });
    // Access that needed the on-call shift: say before the shift ends, so the handoff is not missed.
    engine.onWillShiftEnd(({ endsAt }) => {
      const left = Math.max(0, Math.round((Date.parse(endsAt) - Date.now()) / 1000));
      ctx.tell(`your on-call shift ends at ${formatClockTime(Date.parse(endsAt))} (in ${formatDuration(left)}): run keyfob handoff before you go`);
    });

    const group = await sessionGroup();
    const code = await runChild(command, { ...ctx.env, ...issued.credential.env }, sessionOver.signal, trap.dispose);
    // Whatever the command left running (`cmd &`, a forked ssh) ends with the session, first.
    await group.end();
    // Ended underneath the command: whoever ended it revoked it (or keeps the failure for a retry).
    if (!sessionOver.signal.aborted) await revokeAtExit(engine, id, ctx);
    return code;
  } finally {
    trap.dispose();
    await engine.close();
  }
}

/** Ends the session through the engine's revoke path; a failed revoke is kept for a retry and said. */
async function revokeAtExit(engine: Engine, id: string, ctx: CommandContext): Promise<void> {
  try {
    await engine.revoke(id, 'command-exit');
  } catch (error) {
    if (!isKeyfobError(error) || (error.code !== 'revoke-failed' && error.code !== 'unknown-session')) throw error;
    if (error.code === 'revoke-failed') ctx.tell(`session ${id}: revocation failed (${error.message}); keyfob will retry at its next start`);
  }
}

/**
 * Runs the command with inherited stdio; resolves with its exit code (128+n for a signal).
 * `stop` ends it with SIGTERM (the session it depends on is over).
 */
function runChild(command: string[], env: NodeJS.ProcessEnv, stop: AbortSignal, handOver: () => void): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers = FORWARDED_SIGNALS.map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    handOver(); // the forwarders are in place: the issuance trap can go
    const terminate = forward('SIGTERM');
    if (stop.aborted) terminate();
    else stop.addEventListener('abort', terminate, { once: true });
    const done = (code: number) => {
      for (const [s, h] of handlers) process.off(s, h);
      stop.removeEventListener('abort', terminate);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`keyfob: could not run ${terminalSafe(file)}: ${error.code === 'ENOENT' ? 'command not found' : terminalSafe(error.message)}\n`);
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 1;
}
