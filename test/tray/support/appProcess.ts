// The built main bundle (dist/main/index.js) run as the app runs: its own Node process, `electron`
// resolved to the recording stub by test/support/registerElectronStub.mjs, driven over the stub's
// IPC control channel (test/electron-stub/control.ts). Used by the whole-app tests and the bench.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlNotice, ControlRequest, StubState } from '../../electron-stub/control.ts';

const repoRoot = new URL('../../..', import.meta.url).pathname;
export const registerStub = join(repoRoot, 'test/support/registerElectronStub.mjs');

type Request = ControlRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export interface AppProcess {
  readonly child: ChildProcess;
  /** performance.now() when the process was started. */
  readonly startedAt: number;
  /** Resolves at the first tray menu the app set, with performance.now() then. */
  readonly firstMenu: Promise<number>;
  /** Resolves when the process is gone, with app.exit's code (or the process's) and performance.now(). */
  readonly exited: Promise<{ code: number | null; exitCalled: boolean; at: number }>;
  request<T = unknown>(request: Request): Promise<T>;
  state(): Promise<StubState>;
  /** Polls the stub's state until `check` holds; fails with the menu and notices after `timeoutMs`. */
  waitFor(what: string, check: (state: StubState) => boolean, timeoutMs?: number): Promise<StubState>;
  output(): string;
  kill(): void;
}

export function startBuiltApp(options: { bundle: string; env: NodeJS.ProcessEnv; nodeBin: string; args?: string[] }): AppProcess {
  const startedAt = performance.now();
  const child = fork(options.bundle, options.args ?? [], {
    execPath: options.nodeBin,
    execArgv: ['--import', registerStub],
    env: { ...options.env, KEYFOB_ELECTRON_STUB_CONTROL: 'ipc' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exitCode: number | undefined;
  let resolveMenu: (at: number) => void = () => {};
  const firstMenu = new Promise<number>((resolve) => (resolveMenu = resolve));
  child.on('message', (raw) => {
    const message = raw as ControlNotice | { id: number; ok: boolean; value?: unknown; error?: string };
    if ('type' in message) {
      if (message.type === 'menu-set' && message.count === 1) resolveMenu(performance.now());
      if (message.type === 'exit') exitCode = message.code;
      return;
    }
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiting?.resolve(message.value);
    else waiting?.reject(new Error(message.error));
  });
  const exited = new Promise<{ code: number | null; exitCalled: boolean; at: number }>((resolve) => {
    child.once('exit', (code) => {
      const at = performance.now();
      for (const waiting of pending.values()) waiting.reject(new Error(`the app exited (${code}) before answering:\n${output}`));
      pending.clear();
      resolve({ code: exitCode ?? code, exitCalled: exitCode !== undefined, at });
    });
  });
  const request = <T>(req: Request): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`the app is not running:\n${output}`));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id });
    });
  const state = () => request<StubState>({ op: 'state' });
  return {
    child,
    startedAt,
    firstMenu,
    exited,
    request,
    state,
    async waitFor(what, check, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await state();
        if (check(now)) return now;
        if (Date.now() > deadline) {
          const notices = now.notifications.map((n) => `${n.title} | ${n.body}`).join('\n');
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for: ${what}\n--- menu\n${now.menu.join('\n')}\n--- notifications\n${notices}\n--- output\n${output}`,
          );
        }
        await sleep(50);
      }
    },
    output: () => output,
    kill: () => void child.kill('SIGKILL'),
  };
}
