// Benchmark (e): memory. The resident set of
//   - a `keyfob exec TARGET` holding one session, read by its own command from /proc (Linux), and
//   - the engine holding 50 sessions, in a child process of its own (so the bench's heap is not in
//     the figure): openEngine as the CLI opens it, 50 credentials issued, RSS read, all ended.
//     The child is this file bundled the way the CLI ships (scripts/cliBuild.ts), so Node's
//     TypeScript stripper is not in the figure either.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { openEngine } from '../main/core/engine/engine.ts';
import { cliBuildOptions } from '../scripts/cliBuild.ts';

export interface MemoryResult {
  /** kB, from /proc/PID/status of the keyfob process while its command runs. */
  execRssKb: number | undefined;
  execPeakKb: number | undefined;
  engine: { sessions: number; openRssKb: number; heldRssKb: number; heapUsedKb: number } | undefined;
  skipped: string | undefined;
}

const self = fileURLToPath(import.meta.url);
const repo = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${args.join(' ')}: ${stderr.trim().split('\n').pop()}`)) : resolve(stdout),
    );
  });
}

export async function benchMemory(options: {
  cli: string;
  env: NodeJS.ProcessEnv;
  targetId: string;
  sessions: number;
  signedIn: boolean;
}): Promise<MemoryResult> {
  if (process.platform !== 'linux') return { execRssKb: undefined, execPeakKb: undefined, engine: undefined, skipped: 'reads /proc (Linux only)' };
  if (!options.signedIn) return { execRssKb: undefined, execPeakKb: undefined, engine: undefined, skipped: 'not signed in' };
  const status = await run([options.cli, 'exec', options.targetId, '--', 'sh', '-c', 'grep -E "^(VmRSS|VmHWM)" /proc/$PPID/status'], options.env);
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]) || undefined;
  // Next to the CLI bundle, so it finds the same node_modules.
  const outdir = join(dirname(dirname(options.cli)), 'memory');
  const options_ = cliBuildOptions(outdir);
  await build({ ...options_, entryPoints: [self], absWorkingDir: repo, sourcemap: false, external: [...(options_.external ?? []), 'esbuild'] });
  const child = join(outdir, 'engineMemory.js');
  const engine = JSON.parse(
    await run(['--expose-gc', child, options.targetId, String(options.sessions)], { ...options.env, KEYFOB_BENCH_MEMORY_CHILD: '1' }),
  ) as MemoryResult['engine'];
  return { execRssKb: kb('VmRSS'), execPeakKb: kb('VmHWM'), engine, skipped: undefined };
}

async function child(targetId: string, count: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const rssKb = () => {
    gc();
    return Math.round(process.memoryUsage().rss / 1024);
  };
  const engine = await openEngine({ env: process.env, watch: false });
  try {
    const target = engine.config.targets.find((t) => t.id === targetId);
    if (!target) throw new Error(`no target ${targetId}`);
    const openRssKb = rssKb();
    const held = [];
    for (let i = 0; i < count; i++) held.push(await engine.issue(target.id, { ttlSeconds: target.ttl }));
    const heldRssKb = rssKb();
    const heapUsedKb = Math.round(process.memoryUsage().heapUsed / 1024);
    await engine.revokeAll('logout', { owner: 'this-process' });
    process.stdout.write(JSON.stringify({ sessions: held.length, openRssKb, heldRssKb, heapUsedKb }));
  } finally {
    await engine.close();
  }
}

// import.meta.main is false in a bundle's entry chunk on some Node versions: the variable says it.
if (process.env.KEYFOB_BENCH_MEMORY_CHILD === '1' || import.meta.main) {
  const [targetId, count] = process.argv.slice(2);
  await child(targetId!, Number(count));
  process.exit(0);
}
