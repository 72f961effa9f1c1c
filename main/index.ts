// Electron entry. Thin: it wires Electron to the engine in main/core. Two modes:
// - `--keyfob-cli ARGS…`: the packaged app's CLI mode, which the terminals the tray opens (and the
//   shipped `bin/keyfob` launcher) run, because the RunAsNode fuse is off (docs/packaging.md);
// - otherwise the app: the tray (main/electron/tray/app.ts, startTrayApp) over the one engine of
//   this process, and the window (main/electron/window) composed with it (docs/tray.md, window.md).
import * as electron from 'electron';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PREFERENCES, warnBeforeDefault } from '../common/preferences.ts';
import { AuditLog } from './core/audit/index.ts';
import { systemClock } from './core/base/clock.ts';
import { openEngine, type Engine } from './core/engine/engine.ts';
import { electronPorts } from './electron/electronPorts.ts';
import type { WindowHost } from './electron/ipc/windowEngine.ts';
import { startTrayApp } from './electron/tray/app.ts';
import { electronPreferences, type PreferenceStore } from './electron/tray/preferences.ts';
import type { TrayController } from './electron/tray/trayController.ts';
import { registerAppScheme, setUpWindow, type KeyfobWindows } from './electron/window/index.ts';

interface CliModule {
  main(argv: string[], env: NodeJS.ProcessEnv): Promise<number>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const cliAt = process.argv.indexOf('--keyfob-cli');
if (cliAt !== -1) {
  // The CLI bundle sits next to this one in dist/; loaded by URL so it stays its own module.
  const cli = (await import(new URL('../cli/keyfob.js', import.meta.url).href)) as CliModule;
  process.exit(await cli.main(process.argv.slice(cliAt + 1), process.env));
} else {
  await startApp();
}

async function startApp(): Promise<void> {
  // Before app ready, as Electron requires; harmless in a second instance that quits at once.
  registerAppScheme();
  let engine: Engine | undefined;
  let preferences: PreferenceStore | undefined;
  const shown: { windows?: KeyfobWindows } = {};

  const tray = await startTrayApp({
    electron: electronPorts(electron),
    // The same config, state dir, keychain and journal as the CLI: KEYFOB_CONFIG, KEYFOB_HOME and
    // BROWSER from the environment. Opening also runs crash recovery (the tray says what it revoked).
    openEngine: async () => (engine = await openEngine({ env: process.env })),
    // The org config's warning lead is the default until the user sets one.
    openPreferences: (opened) =>
      (preferences = electronPreferences({ defaults: { ...DEFAULT_PREFERENCES, warnBeforeSeconds: warnBeforeDefault(opened.config.sessions.warnBefore) } })),
    openWindow: () => shown.windows?.openWindow(),
    env: process.env,
    argv: process.argv,
    execPath: process.execPath,
    iconDir: here('../icons/'),
  });
  if (!tray || !engine || !preferences) return; // a second instance, or the engine could not open

  const windows = (shown.windows = setUpWindow({
    preloadPath: here('../preload/index.cjs'),
    rendererDir: here('../renderer/'),
    engine,
    host: windowHost(engine, preferences, tray),
    // Windows ends the user's session through the window: that is a quit like any other.
    onSessionEnd: () => void tray.quit.run(),
  }));
  electron.app.on('before-quit', () => windows.allowClose());
}

/** The window's host services are the tray's: one preferences store, one clipboard, one launcher. */
function windowHost(engine: Engine, preferences: PreferenceStore, tray: TrayController): WindowHost {
  const audit = new AuditLog({ dir: engine.stateDir });
  return {
    readActivity: () => audit.read({ includeRotated: true }),
    preferences,
    clipboard: {
      // The tray's copier clears what it copied after the preference's delay, if still there.
      writeText: (text) => (text === '' ? electron.clipboard.clear() : tray.copyToClipboard(text)),
      readText: () => electron.clipboard.readText(),
    },
    openInTerminal: (targetId, options) => tray.openInTerminal(targetId, options),
    setTimeout: (fn, ms) => {
      const timer = systemClock.setTimer(fn, ms);
      return { dispose: () => systemClock.clearTimer(timer) };
    },
  };
}
