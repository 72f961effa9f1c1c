// Electron entry. Thin: it wires Electron to the engine in main/core. Two modes:
// - `--keyfob-cli ARGS…`: the packaged app's CLI mode, which the terminals the tray opens (and the
//   shipped `bin/keyfob` launcher) run, because the RunAsNode fuse is off (docs/packaging.md);
// - otherwise the app. The window (main/electron/window) opens through openWindow(screen?), its
//   only door; the tray (main/electron/tray/app.ts, startTrayApp) is composed with it over the engine.
import { app } from 'electron';
import { fileURLToPath } from 'node:url';
import { registerAppScheme, setUpWindow } from './electron/window/index.ts';

interface CliModule {
  main(argv: string[], env: NodeJS.ProcessEnv): Promise<number>;
}

const cliAt = process.argv.indexOf('--keyfob-cli');
if (cliAt !== -1) {
  // The CLI bundle sits next to this one in dist/; loaded by URL so it stays its own module.
  const cli = (await import(new URL('../cli/keyfob.js', import.meta.url).href)) as CliModule;
  process.exit(await cli.main(process.argv.slice(cliAt + 1), process.env));
} else {
  if (!app.requestSingleInstanceLock()) app.quit();
  registerAppScheme();

  app.whenReady().then(() => {
    const windows = setUpWindow({
      preloadPath: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
      engine: null,
      host: {
        readActivity: () => [],
        preferences: {
          get: () => ({ revokeOnSleepLock: 'high', warnBeforeSeconds: 300, terminal: null, clipboardClearSeconds: 30, launchAtLogin: false }),
          set: (p) => ({ revokeOnSleepLock: 'high', warnBeforeSeconds: 300, terminal: null, clipboardClearSeconds: 30, launchAtLogin: false, ...p }),
        },
        setTimeout: (fn, ms) => {
          const t = setTimeout(fn, ms);
          return { dispose: () => clearTimeout(t) };
        },
      },
    });
    app.on('before-quit', () => windows.allowClose());
    windows.openWindow();
  });
}
