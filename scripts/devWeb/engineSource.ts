// Where dev:web's engine comes from: the one function phase 2 changes. `--fake` gives the
// in-memory fake the browser tests use; `--stack DIR` opens the real engine on the stack's
// config once the long-lived engine (issue 12) provides the window's port.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Disposable, WindowEngine, WindowHost } from '../../main/electron/ipc/windowEngine.ts';

export interface DevWebEngine {
  engine: WindowEngine;
  host: WindowHost;
  close(): Promise<void>;
}

export async function openDevWebEngine(options: { stackDir?: string; fake?: boolean; env: NodeJS.ProcessEnv }): Promise<DevWebEngine> {
  if (options.fake || !options.stackDir) {
    const { FakeEngine, fakeHost } = await import('../../test/window/fakeEngine.ts');
    const engine = new FakeEngine({ signedIn: false });
    return { engine, host: fakeHost(engine), close: async () => {} };
  }
  const stack = JSON.parse(readFileSync(join(options.stackDir, 'stack.json'), 'utf8')) as { browser?: string };
  const core = (await import('../../main/core/engine/engine.ts')) as unknown as { openEngine: (o: { configPath?: string; env: NodeJS.ProcessEnv }) => Promise<unknown> };
  const engine = (await core.openEngine({ configPath: join(options.stackDir, 'config.yaml'), env: { ...options.env, ...(stack.browser ? { BROWSER: stack.browser } : {}) } })) as Partial<WindowEngine> & Partial<Disposable> & { close?: () => Promise<void> };
  if (typeof engine.signIn !== 'function' || typeof engine.onDidAddSession !== 'function' || typeof engine.sessions !== 'function') {
    await engine.close?.();
    throw new Error('this engine does not offer the window contract yet (sign-in state, sessions, events: issue 12). Use --fake meanwhile.');
  }
  const { AuditLog } = await import('../../main/core/audit/index.ts');
  const audit = new AuditLog({ dir: (engine as WindowEngine).stateDir });
  let clipboard = '';
  let prefs = { revokeOnSleepLock: 'high', warnBeforeSeconds: 300, terminal: null, clipboardClearSeconds: 30, launchAtLogin: false } as ReturnType<WindowHost['preferences']['get']>;
  const host: WindowHost = {
    readActivity: () => audit.read({ includeRotated: true }),
    preferences: { get: () => ({ ...prefs }), set: (patch) => (prefs = { ...prefs, ...patch }) },
    // dev:web's clipboard is its own memory: a test reads it through the server, never the page.
    clipboard: { writeText: (t) => void (clipboard = t), readText: () => clipboard },
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return { dispose: () => clearTimeout(t) };
    },
  };
  return { engine: engine as WindowEngine, host, close: async () => (engine.dispose ? engine.dispose() : await engine.close?.()) };
}
