// What every command gets: the parsed global options, the environment, and a way to speak; and
// the engine, opened with the CLI's listeners: the engine reports through events and coded
// errors, and only here do they become `keyfob:` lines on stderr.
import { formatDuration } from '../../core/duration.ts';
import { openEngine, type Engine, type RecoveryView, type SignInExpiring } from '../../core/engine/engine.ts';
import { formatClockTime } from '../../core/sessions/index.ts';

export interface CommandContext {
  configPath: string | undefined;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  /** Messages for the person at the terminal (stderr), never secrets. */
  tell: (line: string) => void;
}

export async function open(ctx: CommandContext): Promise<Engine> {
  const engine = await openEngine({ ...(ctx.configPath ? { configPath: ctx.configPath } : {}), env: ctx.env });
  if (engine.recovery) tellRecovery(engine.recovery, ctx);
  engine.onDidReportProblem(({ message }) => ctx.tell(message));
  engine.onDidRecover((recovery) => tellRecovery(recovery, ctx));
  engine.onWillSignInExpire((ending) => ctx.tell(signInEndingLine(ending)));
  return engine;
}

/** Runs `work` with an engine and always closes it (waiting for revocations in flight). */
export async function withEngine<T>(ctx: CommandContext, work: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await open(ctx);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

function tellRecovery(recovery: RecoveryView, ctx: CommandContext): void {
  for (const problem of recovery.problems) ctx.tell(problem.message);
  const n = recovery.revoked.length;
  if (n > 0) ctx.tell(`revoked ${n} credential(s) left by a keyfob process that is gone (${recovery.revoked.map((s) => s.target).join(', ')})`);
}

export function signInEndingLine(ending: SignInExpiring, now = Date.now()): string {
  const expiresAt = ending.expiresAt === null ? null : Date.parse(ending.expiresAt);
  if (ending.why === 'max-ttl' && expiresAt !== null) {
    return `your Vault sign-in reached its maximum lifetime and ends at ${formatClockTime(expiresAt)}; run keyfob login before then`;
  }
  const left = expiresAt === null ? '' : ` (it ends in ${formatDuration((expiresAt - now) / 1000)})`;
  const what =
    ending.why === 'renew-failed' ? `renewing your Vault sign-in failed: ${ending.error ?? 'unknown error'}` : 'your Vault sign-in cannot be renewed';
  return `${what}${left}; run keyfob login`;
}
