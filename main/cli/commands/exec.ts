// keyfob exec TARGET [--ttl D] [--reason TEXT] -- COMMAND [ARGS...]
// Obtains the credential, runs COMMAND with it, and revokes when COMMAND exits, however it
// exits (Ctrl-C and SIGTERM are passed to COMMAND, then the session ends the usual way).
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../../core/duration.ts';
import { checkGuardRails } from '../../core/engine/guardRails.ts';
import { formatClockTime } from '../../core/sessions/index.ts';
import { shiftWarningAt } from '../../core/policy/onCall.ts';
import { UsageError } from '../errors.ts';
import { open, type CommandContext } from './context.ts';

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

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
  const { values, positionals } = parseArgs({ args: own, options: { ttl: { type: 'string' }, reason: { type: 'string' }, yes: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const [targetId, ...extra] = positionals;
  if (!targetId) throw new UsageError('exec needs a target: keyfob exec TARGET -- COMMAND');
  if (extra.length > 0 || command.length === 0) throw new UsageError('put the command after --: keyfob exec TARGET -- COMMAND [ARGS...]');
  const ttlSeconds = parseTtl(values.ttl);

  const engine = await open(ctx);
  try {
    const target = engine.target(targetId);
    const needsVault = !(target.kind === 'aws' && target.aws.source === 'sso');
    const keeper = needsVault ? await engine.requireSignIn() : undefined;
    const granted = await checkGuardRails(engine, target, { ...(ttlSeconds ? { ttlSeconds } : {}), ...(values.reason ? { reason: values.reason } : {}), confirmed: values.yes }, ctx.env);
    const issued = await engine.issue(target, granted.ttlSeconds, values.reason);
    const id = issued.session.id;
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
    // Access that needed the on-call shift: say before the shift ends, so the handoff is not missed.
    const shiftEnd = granted.onCall?.shift?.endsAt ?? null;
    const warnAt = shiftWarningAt(shiftEnd, engine.config.onCall?.warnBefore ?? 0, engine.clock.now());
    const shiftTimer = warnAt === null ? undefined : engine.clock.setTimer(() => {
      ctx.tell(`your on-call shift ends at ${formatClockTime(shiftEnd!)} (in ${formatDuration(Math.max(0, Math.round((shiftEnd! - engine.clock.now()) / 1000)))}): run keyfob handoff before you go`);
    }, warnAt - engine.clock.now());

    const code = await runChild(command, { ...ctx.env, ...issued.env }, sessionOver.signal);
    if (shiftTimer !== undefined) engine.clock.clearTimer(shiftTimer);
    watcher.dispose();
    keeper?.stop();
    const outcome = await engine.sessions.end(id, 'command-exit');
    if (outcome.status === 'revoke-failed') ctx.tell(`session ${id}: revocation failed (${outcome.error}); keyfob will retry at its next start`);
    return code;
  } finally {
    await engine.close();
  }
}

/**
 * Runs the command with inherited stdio; resolves with its exit code (128+n for a signal).
 * `stop` ends it with SIGTERM (the session it depends on is over).
 */
function runChild(command: string[], env: NodeJS.ProcessEnv, stop: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers = FORWARDED_SIGNALS.map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const terminate = forward('SIGTERM');
    if (stop.aborted) terminate();
    else stop.addEventListener('abort', terminate, { once: true });
    const done = (code: number) => {
      for (const [s, h] of handlers) process.off(s, h);
      stop.removeEventListener('abort', terminate);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`keyfob: could not run ${file}: ${error.code === 'ENOENT' ? 'command not found' : error.message}\n`);
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 1;
}
