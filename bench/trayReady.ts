// Tray ready: from starting the BUILT main bundle (scripts/build.ts's dist/main/index.js) under the
// recording electron stub to the first tray menu it sets, as a ratio to a bare `node -e 0` start
// measured in the same run, taking turns each round. The menu is set once the engine is open, so
// this is Node + the bundle's modules + openEngine (config, keychain, journal) + the first render.
// Electron's own start-up is not in it: its binary cannot run here.
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBuiltApp } from '../test/tray/support/appProcess.ts';
import { now, since, summarize, type Summary } from './stats.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

export interface TrayReadyResult {
  nodeBare: Summary;
  trayReady: Summary;
  ratio: number;
}

export async function benchTrayReady(options: { env: NodeJS.ProcessEnv; iterations: number; warmup: number }): Promise<TrayReadyResult> {
  // Inside the repo, so the bundle resolves node_modules as the packaged app does from its asar.
  const out = join(repo, 'out', `bench-tray-${process.pid}`);
  execFileSync(process.execPath, [join(repo, 'scripts/build.ts'), '--outdir', out], { stdio: 'pipe' });
  try {
    const bare: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      const nodeMs = await nodeBare();
      const trayMs = await trayReadyOnce(join(out, 'main/index.js'), options.env);
      if (i < options.warmup) continue;
      bare.push(nodeMs);
      ready.push(trayMs);
    }
    const nodeSummary = summarize(bare);
    const traySummary = summarize(ready);
    return { nodeBare: nodeSummary, trayReady: traySummary, ratio: traySummary.median / nodeSummary.median };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function nodeBare(): Promise<number> {
  const start = now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(since(start)));
  });
}

async function trayReadyOnce(bundle: string, env: NodeJS.ProcessEnv): Promise<number> {
  const app = startBuiltApp({ bundle, env, nodeBin: process.execPath });
  const failed = app.exited.then(() => {
    throw new Error(`the tray exited before setting a menu:\n${app.output()}`);
  });
  try {
    const at = await Promise.race([app.firstMenu, failed]);
    return at - app.startedAt;
  } finally {
    app.kill();
    await app.exited;
  }
}
