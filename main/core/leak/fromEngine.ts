// Wires the leak use case to one process's engine, so every face (CLI, tray) reports a leak the same way.
import { userInfo } from 'node:os';
import type { Engine } from '../engine/engine.ts';
import { reportLeak, type LeakDeps, type LeakOptions, type LeakReport } from './reportLeak.ts';
import { reportStaticLeak } from './staticLeak.ts';

export function leakDeps(engine: Engine, reportProblem: (message: string) => void): LeakDeps {
  return {
    journal: engine.journal,
    leaseApi: engine.vault,
    vault: engine.vault,
    audit: engine.audit,
    clock: engine.clock,
    stateDir: engine.stateDir,
    settings: engine.config.leak,
    target: (id) => engine.config.targets.find((t) => t.id === id),
    reportedBy: engine.signIn()?.displayName ?? safeUser(),
    reportProblem,
  };
}

/** Signed in first (the revocation needs a token), then the response. */
export async function reportLeakWithEngine(engine: Engine, sessionId: string, options: LeakOptions, reportProblem: (message: string) => void): Promise<LeakReport> {
  await engine.requireSignIn();
  // A static target's id stands for its current version (sessions are only issued credentials).
  const target = engine.config.targets.find((t) => t.id === sessionId);
  const journaled = (await engine.journal.list()).some((e) => e.sessionId === sessionId);
  if (target?.kind === 'static' && !journaled) {
    if (options.prefix) throw new Error(`${target.id} is a static secret: there is no lease prefix to revoke`);
    return reportStaticLeak(target, options, { ...leakDeps(engine, reportProblem), vault: engine.vault });
  }
  return reportLeak(sessionId, options, leakDeps(engine, reportProblem));
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
