// What every command gets: the parsed global options, the environment, and a way to speak.
import { openEngine, type Engine } from '../../core/engine/engine.ts';

export interface CommandContext {
  configPath: string | undefined;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  /** Messages for the person at the terminal (stderr), never secrets. */
  tell: (line: string) => void;
}

export function open(ctx: CommandContext): Promise<Engine> {
  return openEngine({ ...(ctx.configPath ? { configPath: ctx.configPath } : {}), env: ctx.env, tell: ctx.tell });
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
