// Where dev:web's engine comes from. `--fake` gives the in-memory fake the component and browser
// tests use; `--stack DIR` opens the real engine on a running stack (`npm run stack -- --dir DIR`):
// its config.yaml, its `browser` command as BROWSER (so the SSO step completes headlessly), and a
// state dir of its own (KEYFOB_HOME, else DIR/dev-web-home) whose audit log Activity reads.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AuditLog } from '../../main/core/audit/index.ts';
import { openEngine } from '../../main/core/engine/engine.ts';
import type { Preferences } from '../../common/ipc.ts';
import type { WindowEngine, WindowHost } from '../../main/electron/ipc/windowEngine.ts';

export interface DevWebEngine {
  engine: WindowEngine;
  host: WindowHost;
  /** The state dir the engine keeps its journal and audit log in (the real engine only). */
  stateDir?: string;
  close(): Promise<void>;
}

const StackFile = z.object({ browser: z.string().min(1) });

// dev:web keeps preferences in memory: the tray owns the stored ones and their schema.
const DEV_PREFERENCES: Preferences = { revokeOnSleepLock: 'high', warnBeforeSeconds: 300, terminal: null, clipboardClearSeconds: 30, launchAtLogin: false };

export async function openDevWebEngine(options: { stackDir?: string; fake?: boolean; stateDir?: string; env: NodeJS.ProcessEnv }): Promise<DevWebEngine> {
  if (options.fake || !options.stackDir) {
    const { FakeEngine, fakeHost } = await import('../../test/window/fakeEngine.ts');
    const engine = new FakeEngine({ signedIn: false });
    return { engine, host: fakeHost(engine), close: async () => {} };
  }
  const stackDir = resolve(options.stackDir);
  const stack = readStackFile(join(stackDir, 'stack.json'));
  const home = resolve(options.stateDir ?? options.env.KEYFOB_HOME ?? join(stackDir, 'dev-web-home'));
  const engine = await openEngine({ configPath: join(stackDir, 'config.yaml'), env: { ...options.env, BROWSER: stack.browser, KEYFOB_HOME: home } });
  const audit = new AuditLog({ dir: engine.stateDir });
  let clipboard = '';
  let prefs = { ...DEV_PREFERENCES };
  const host: WindowHost = {
    readActivity: () => audit.read({ includeRotated: true }),
    preferences: { get: () => ({ ...prefs }), set: (patch) => (prefs = { ...prefs, ...patch }) },
    // dev:web's clipboard is its own memory: the credential never reaches the page.
    clipboard: { writeText: (t) => void (clipboard = t), readText: () => clipboard },
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return { dispose: () => clearTimeout(t) };
    },
  };
  return {
    engine,
    host,
    stateDir: engine.stateDir,
    close: async () => {
      // Stopping dev:web is a quit: what this process issued is revoked, as the tray does.
      await engine.revokeAll('quit', { owner: 'this-process' }).catch(() => undefined);
      await engine.dispose();
    },
  };
}

function readStackFile(path: string): z.infer<typeof StackFile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`no stack at ${path}; start one with \`npm run stack -- --dir DIR\` and pass that DIR`);
  }
  const parsed = StackFile.safeParse(safeJson(text));
  if (!parsed.success) throw new Error(`${path} is not a stack file (no "browser" command); restart the stack with \`npm run stack -- --dir DIR\``);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
