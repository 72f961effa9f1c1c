// keyfob exec TARGET [--ttl D] [--reason TEXT] -- COMMAND [ARGS...]
// Obtains the credential, runs COMMAND with it, and revokes when COMMAND exits, however it
// exits (Ctrl-C and SIGTERM are passed to COMMAND, then the session ends the usual way).
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../../core/duration.ts';
import { checkGuardRails } from '../../core/engine/guardRails.ts';
import { formatClockTime } from '../../core/sessions/index.ts';
import { UsageError } from '../errors.ts';
import { open, type CommandContext } from './context.ts';
import { terminalSafe } from '../terminalSafe.ts';
import { ENDING_SIGNALS, trapEndingSignals } from '../issuanceSignals.ts';

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
  const { values, positionals } = parseArgs({ args: own, options: { ttl: { type: 'string' }, reason: { type: 'string' } }, allowPositionals: true, strict: true });
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
    const target = engine.target(targetId);
    const needsVault = !(target.kind === 'aws' && target.aws.source === 'sso');
    const keeper = needsVault ? await engine.requireSignIn() : undefined;
    const ttl = await checkGuardRails(engine.config, target, { ...(ttlSeconds ? { ttlSeconds } : {}), ...(values.reason ? { reason: values.reason } : {}) }, ctx.env);
    if (trap.received) return 128 + signalNumber(trap.received); // nothing issued yet
    const issued = await engine.issue(target, ttl, values.reason);
    const id = issued.session.id;
    if (trap.received) {
      trap.dispose();
      ctx.tell(`session ${id}: ${target.id} interrupted (${trap.received}) before the command started; revoking`);
      const ended = await engine.sessions.end(id, 'command-exit');
      if (ended.status === 'revoke-failed') ctx.tell(`session ${id}: revocation failed (${ended.error}); keyfob will retry at its next start`);
      return 128 + signalNumber(trap.received);
    }
    ctx.tell(`session ${id}: ${target.id} until ${formatClockTime(issued.session.expiresAt)}; revoked when the command exits`);

    keeper?.start();
    engine.sessions.onDidWarnExpiring(({ session, secondsLeft }) => {
      if (session.id === id) ctx.tell(`session ${id}: ${target.id} expires in ${formatDuration(secondsLeft)} (keyfob renew ${id} to extend)`);
    });
    // A session that ends while the command runs (expiry, `keyfob revoke` elsewhere) ends the
    // command too: its credential no longer works, and exec must not outlive its session.
    const sessionOver = new AbortController();
    engine.sessions.onDidEndSession(({ session, reason }) => {
      if (session.id !== id || reason === 'command-exit') return;
      ctx.tell(`session ${id}: ${target.id} ended (${reason}); the credential no longer works, stopping the command`);
      sessionOver.abort();
    });
    const watcher = engine.journal.watch(() => void engine.sessions.reconcile());

    const code = await runChild(command, { ...ctx.env, ...issued.env }, sessionOver.signal, trap.dispose);
    watcher.dispose();
    keeper?.stop();
    const outcome = await engine.sessions.end(id, 'command-exit');
    if (outcome.status === 'revoke-failed') ctx.tell(`session ${id}: revocation failed (${outcome.error}); keyfob will retry at its next start`);
    return code;
  } finally {
    trap.dispose();
    await engine.close();
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
