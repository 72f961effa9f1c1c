// Running the keyfob CLI as a user does: a separate process from source (Node 24 runs the .ts),
// pointed at the stack's config, with its own KEYFOB_HOME and the stack's `browser` as BROWSER.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../../stack/stack.ts';

export const repoRoot = new URL('../../..', import.meta.url).pathname;
/** Node 24 from the repo (the system node may be older). */
export const nodeBin = join(repoRoot, 'node_modules/.bin/node');
export const keyfobScript = join(repoRoot, 'main/cli/keyfob.ts');

/** Why the signed-in CLI tests cannot run here, or undefined when they can. */
export const noSecretServiceReason =
  process.env.KEYFOB_TEST_SECRET_SERVICE === '1'
    ? undefined
    : 'needs a Secret Service (a signed-in keyfob keeps its Vault token there): run through `npm test`, which starts dbus and gnome-keyring';

export interface KeyfobResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface KeyfobUserOptions {
  /** Extra environment for every command (KEYFOB_STACK_USER, KEYFOB_PAGERDUTY_TOKEN, ...). */
  env?: Record<string, string | undefined>;
  /** An existing KEYFOB_HOME (two "terminals" sharing one state dir); a fresh temp dir otherwise. */
  home?: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Written to keyfob's stdin, which is then closed (stdin is empty otherwise). */
  input?: string;
  /** Working directory (e.g. a git repository for `scan --staged`); the test's own otherwise. */
  cwd?: string;
}

/** A keyfob process still running (exec): its output so far, and ways to wait for it. */
export interface RunningKeyfob {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Settles when the process exits (never rejects). */
  readonly exited: Promise<KeyfobResult>;
  /** Waits until stderr matches; fails with the output so far after `timeoutMs` or an early exit. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The same for stdout (what the command printed). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Signals the whole process group, as a terminal's Ctrl-C does (keyfob and its command). */
  signalGroup(signal: NodeJS.Signals): void;
  /** SIGKILLs whatever is left of the group (keyfob, its command); safe to call twice. */
  kill(): void;
}

/** One person's keyfob: a KEYFOB_HOME and an environment, with the CLI ready to run. */
export interface KeyfobUser {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  run(args: string[], options?: RunOptions): Promise<KeyfobResult>;
  start(args: string[], options?: RunOptions): RunningKeyfob;
  /** Removes the temp home (if this user made it) and kills processes it started that still run. */
  dispose(): void;
}

/** The environment keyfob gets: the test's, minus any KEYFOB_* it may carry, plus the stack's. */
export function keyfobEnv(stack: Stack, home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KEYFOB_') && k !== 'BROWSER') env[k] = v;
  Object.assign(env, { KEYFOB_CONFIG: stack.configFile, KEYFOB_HOME: home, BROWSER: stack.info.browser, KEYFOB_STACK_USER: 'alice' });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function makeKeyfobUser(stack: Stack, options: KeyfobUserOptions = {}): KeyfobUser {
  const ownHome = options.home === undefined;
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'keyfob-cli-home-'));
  const env = keyfobEnv(stack, home, options.env);
  const started = new Set<RunningKeyfob>();
  const start = (args: string[], runOptions: RunOptions = {}) => {
    const running = startKeyfob(args, { ...env, ...runOptions.env }, runOptions.timeoutMs, { input: runOptions.input, cwd: runOptions.cwd });
    started.add(running);
    void running.exited.then(() => started.delete(running));
    return running;
  };
  return {
    home,
    env,
    start,
    run: (args, runOptions) => start(args, runOptions).exited,
    dispose() {
      for (const running of started) running.kill();
      if (ownHome) rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `keyfob ARGS` in its own process group (as a shell job is), so a test can deliver a
 * terminal's Ctrl-C to the group or kill keyfob alone. Killed with its group after `timeoutMs`.
 */
export function startKeyfob(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
  io: { input?: string | undefined; cwd?: string | undefined } = {},
): RunningKeyfob {
  const began = Date.now();
  const { input, cwd } = io;
  const child = spawn(nodeBin, [keyfobScript, ...args], {
    env,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
    ...(cwd ? { cwd } : {}),
  });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const pid = child.pid!;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  };
  const timer = setTimeout(() => {
    stderr += `\n[test: killed after ${timeoutMs} ms]`;
    signalGroup('SIGKILL');
  }, timeoutMs);
  // 'close' (not 'exit'): all output has been read by then.
  const exited = new Promise<KeyfobResult>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - began });
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  const waitFor = async (which: 'stdout' | 'stderr', pattern: RegExp, waitMs = 20_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const m = (which === 'stdout' ? stdout : stderr).match(pattern);
      if (m) return m;
      const said = `--- stderr\n${stderr}\n--- stdout\n${stdout}`;
      if (done) throw new Error(`keyfob exited (${child.exitCode ?? child.signalCode}) before its ${which} matched ${pattern}:\n${said}`);
      if (Date.now() > deadline) throw new Error(`keyfob's ${which} did not match ${pattern} within ${waitMs} ms:\n${said}`);
      await sleep(50);
    }
  };
  return {
    child,
    pid,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    signalGroup,
    kill: () => signalGroup('SIGKILL'),
    waitForStderr: (pattern, waitMs) => waitFor('stderr', pattern, waitMs),
    waitForStdout: (pattern, waitMs) => waitFor('stdout', pattern, waitMs),
  };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(everyMs);
  }
}
