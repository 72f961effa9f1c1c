// Shared plumbing for the local stack's child processes (postgres, sshd, ...): free loopback
// ports, long-running children whose output goes to a log file in the stack dir, readiness
// waits that fail with the log tail, and a stop that escalates to SIGKILL and leaves no orphans.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A loopback port that was free a moment ago (the OS picks it; there is a small race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LoggedProcess {
  /** Short name used in errors, e.g. "postgres". */
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<ExitInfo>;
  isRunning(): boolean;
  /** The last lines of the log file, for error messages. */
  logTail(lines?: number): string;
}

export interface SpawnLoggedOptions {
  name: string;
  command: string;
  args: string[];
  /** Stack dir: the log goes to DIR/<name>.log. */
  dir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (needs root), e.g. postgres refuses to run as root. */
  uid?: number;
  gid?: number;
}

// Every child still running when this Node process exits is killed with its process group,
// so a crashed test run or an uncaught error does not leave postgres or sshd behind.
const running = new Set<LoggedProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const proc of running) killGroup(proc.pid, 'SIGKILL');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Start a long-running child in its own process group (so a terminal's Ctrl-C reaches the
 * stack, which stops children in order, and so stopping can take the whole group), with
 * stdout and stderr appended to DIR/<name>.log.
 */
export function spawnLogged(opts: SpawnLoggedOptions): LoggedProcess {
  const logFile = join(opts.dir, `${opts.name}.log`);
  const fd = openSync(logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd ?? opts.dir,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
      ...(opts.gid === undefined ? {} : { gid: opts.gid }),
    });
  } finally {
    closeSync(fd); // the child holds its own copy
  }
  let exitInfo: ExitInfo | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.once('error', (error) => {
      // spawn failure (e.g. ENOENT): no process exists; the error goes into logTail()
      spawnError = error;
      exitInfo = { code: -1, signal: null };
      resolve(exitInfo);
    });
  });
  const proc: LoggedProcess = {
    name: opts.name,
    child,
    pid: child.pid ?? -1,
    logFile,
    exited,
    isRunning: () => exitInfo === undefined && child.pid !== undefined,
    logTail: (lines = 30) => {
      const text = readLogTail(logFile, lines);
      return spawnError ? `${text}\n(spawn failed: ${spawnError.message})`.trim() : text;
    },
  };
  if (child.pid !== undefined) {
    running.add(proc);
    installExitHook();
    void exited.then(() => running.delete(proc));
  }
  return proc;
}

function readLogTail(logFile: string, lines: number): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
}

function startError(proc: LoggedProcess, what: string): ProcessStartError {
  return new ProcessStartError(`${proc.name} (pid ${proc.pid}): ${what}. Log ${proc.logFile}, last lines:\n${proc.logTail()}`);
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Poll `check` until it returns true. Fails early if the process exits, and with the log
 * tail when the deadline passes.
 */
export async function waitUntil(proc: LoggedProcess, what: string, check: () => Promise<boolean> | boolean, opts: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const interval = opts.intervalMs ?? 100;
  for (;;) {
    if (!proc.isRunning()) {
      const info = await proc.exited;
      throw startError(proc, `exited (code ${info.code}, signal ${info.signal}) before ${what}`);
    }
    let ok: boolean;
    try {
      ok = await check();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (Date.now() >= deadline) throw startError(proc, `not ${what} within ${opts.timeoutMs ?? 30_000} ms`);
    await sleep(interval);
  }
}

/** Wait until a TCP connection to host:port succeeds. */
export function waitForPort(proc: LoggedProcess, port: number, opts: WaitOptions & { host?: string } = {}): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  return waitUntil(proc, `listening on ${host}:${port}`, () => canConnect(host, port), opts);
}

/** Wait until the process's log matches `pattern` (e.g. postgres' "ready to accept connections"). */
export function waitForLog(proc: LoggedProcess, pattern: RegExp, opts: WaitOptions = {}): Promise<void> {
  return waitUntil(proc, `ready (log line ${pattern})`, () => pattern.test(readLogTail(proc.logFile, 200)), opts);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface StopOptions {
  /** The graceful signal: postgres wants SIGINT (fast shutdown), sshd SIGTERM. */
  signal?: NodeJS.Signals;
  /** How long to wait for a graceful exit before SIGKILL. */
  timeoutMs?: number;
}

/**
 * Stop a process and everything it started: send `signal`, wait, escalate to SIGKILL, and
 * then kill its process group and any descendants that left it (sshd's per-connection
 * children call setsid and would otherwise outlive the listener). Resolves once all are gone.
 */
export async function stopProcess(proc: LoggedProcess, opts: StopOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (proc.pid <= 0) return;
  const descendants = listDescendants(proc.pid);
  if (proc.isRunning()) {
    try {
      proc.child.kill(opts.signal ?? 'SIGTERM');
    } catch {
      // gone meanwhile
    }
    const exitedInTime = await Promise.race([proc.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!exitedInTime) {
      killGroup(proc.pid, 'SIGKILL');
      await proc.exited;
    }
  }
  // Leftovers: the rest of the process group, then descendants in other sessions.
  killGroup(proc.pid, 'SIGTERM');
  for (const d of descendants) if (isSameProcess(d)) killPid(d.pid, 'SIGTERM');
  const deadline = Date.now() + Math.min(timeoutMs, 5_000);
  while (Date.now() < deadline && (groupAlive(proc.pid) || descendants.some(isSameProcess))) await sleep(50);
  killGroup(proc.pid, 'SIGKILL');
  for (const d of descendants) if (isSameProcess(d)) killPid(d.pid, 'SIGKILL');
  while (groupAlive(proc.pid) || descendants.some(isSameProcess)) await sleep(20);
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** True while any process of group `pgid` exists (signal 0 probes without sending). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while a pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  if (stat) return stat.state !== 'Z';
  if (process.platform === 'linux') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface ProcStat {
  pid: number;
  ppid: number;
  state: string;
  startTime: string;
}

// /proc/<pid>/stat: "pid (comm) state ppid pgrp session ... starttime(22nd field)". comm may hold
// spaces and parentheses, so split after the last ")".
function readStat(pid: number): ProcStat | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '', ppid: Number(rest[1]), startTime: rest[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** Still the same process (pid not reused) and not a zombie. */
function isSameProcess(snapshot: ProcStat): boolean {
  const now = readStat(snapshot.pid);
  return now !== undefined && now.startTime === snapshot.startTime && now.state !== 'Z';
}

/** All descendants of `pid` (Linux /proc; empty elsewhere, where the process group has to do). */
function listDescendants(pid: number): ProcStat[] {
  if (process.platform !== 'linux') return [];
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  const result: ProcStat[] = [];
  const parents = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of stats) {
      if (!parents.has(s.pid) && parents.has(s.ppid)) {
        parents.add(s.pid);
        result.push(s);
        grew = true;
      }
    }
  }
  return result;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

/** Run a short command to completion; fail with its output. */
export function runCommand(command: string, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
        ...(opts.uid === undefined ? {} : { uid: opts.uid }),
        ...(opts.gid === undefined ? {} : { gid: opts.gid }),
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}${stdout}`.trim()));
        else resolve({ stdout, stderr });
      },
    );
  });
}

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Look a user up through NSS (getent), or undefined when there is no such user. */
export async function lookupUser(name: string): Promise<OsUser | undefined> {
  let line: string;
  try {
    line = (await runCommand('getent', ['passwd', name])).stdout.trim().split('\n')[0] ?? '';
  } catch {
    return undefined;
  }
  const fields = line.split(':');
  if (fields.length < 7) return undefined;
  return { name: fields[0] ?? name, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '/', shell: fields[6] ?? '' };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
