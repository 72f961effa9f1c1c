// `npm run stack -- --dir D` as a user runs it: `stack ready` within 60 s, a stack.json with the
// documented keys, a config.yaml Keyfob accepts, and after SIGTERM nothing left running and a
// dir that can be removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../main/core/config/index.ts';
import { isAlive } from '../stack/processes.ts';
import { StackJson } from './support/stackFile.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;
let dir: string;
let child: ChildProcess;
let output = '';
let readyMs = 0;

/** Pids of processes whose working directory or command line points into `dir`. */
function processesUsing(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // another user's process or gone
      }
      if ((cmdline.includes(dir) || cwd.startsWith(dir)) && isAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyfob-stack-cli-'));
  const started = Date.now();
  child = spawn('npm', ['run', 'stack', '--', '--dir', dir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = started + 60_000;
  while (!/^stack ready$/m.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm run stack exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`no "stack ready" within 60 s:\n${output}`);
    await Promise.race([sleep(100), exited]);
  }
  readyMs = Date.now() - started;
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run stack -- --dir D', () => {
  it('prints "stack ready" within 60 s', () => {
    expect(readyMs).toBeLessThan(60_000);
    console.info(`npm run stack: ready after ${readyMs} ms`);
  });

  it('writes stack.json with the documented keys', () => {
    const info = StackJson.parse(JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')));
    expect(Object.keys(info.pids)).toEqual(expect.arrayContaining(['postgres', 'sshd']));
    for (const pid of Object.values(info.pids)) expect(isAlive(pid)).toBe(true);
  });

  it('writes a config.yaml that Keyfob accepts, with the stack targets', () => {
    const file = join(dir, 'config.yaml');
    const config = parseConfig(readFileSync(file, 'utf8'), file);
    const byId = new Map(config.targets.map((t) => [t.id, t]));
    expect([...byId.keys()]).toEqual(expect.arrayContaining(['orders-ro', 'orders-rw', 'web-ssh', 'aws-dev', 'aws-sso-dev']));
    expect(byId.get('orders-ro')).toMatchObject({ kind: 'database', impact: 'medium' });
    expect(byId.get('orders-rw')).toMatchObject({ kind: 'database', impact: 'high', requireReason: true, requireOnCall: true });
    const info = StackJson.parse(JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')));
    expect(config.vault.address).toBe(info.vault.addr);
    expect(byId.get('web-ssh')).toMatchObject({ kind: 'ssh', ssh: { host: info.sshd.host, port: info.sshd.port, user: info.sshd.user } });
  });

  it('stops every process it started on SIGTERM and leaves the dir deletable', async () => {
    const info = StackJson.parse(JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')));
    // SIGTERM to `npm run stack` itself, as a supervisor or `kill` would send it.
    expect(child.kill('SIGTERM')).toBe(true);
    // One deadline for everything to go: the recorded pids, then whatever else still uses the dir
    // (a child of postgres, npm itself) a moment after them. Checking the dir right after the
    // pids were gone raced those exits on a busy machine.
    const deadline = Date.now() + 30_000;
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const done = () => exited() && !Object.values(info.pids).some(isAlive) && processesUsing(dir).length === 0;
    while (!done() && Date.now() < deadline) await sleep(100);
    expect(Object.entries(info.pids).filter(([, pid]) => isAlive(pid))).toEqual([]);
    expect(processesUsing(dir)).toEqual([]);
    expect(exited(), 'npm run stack exited').toBe(true);
    rmSync(dir, { recursive: true });
    expect(existsSync(dir)).toBe(false);
  }, 60_000);
});
