// Electron entry. Thin: it wires Electron to the engine in main/core. Two modes:
// - `--keyfob-cli ARGS…`: the packaged app's CLI mode, which the terminals the tray opens (and the
//   shipped `bin/keyfob` launcher) run, because the RunAsNode fuse is off (docs/packaging.md);
// - otherwise the app. The tray (main/electron/tray/app.ts, startTrayApp) is plugged in here once
//   the long-lived engine's openEngine exists; until then this opens the one hardened window.
import { app, BrowserWindow } from 'electron';
import { fileURLToPath } from 'node:url';
import { secureWebPreferences } from './electron/webPreferences.ts';

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

  app.whenReady().then(() => {
    const window = new BrowserWindow({
      width: 360,
      height: 520,
      show: true,
      webPreferences: secureWebPreferences(fileURLToPath(new URL('../preload/index.cjs', import.meta.url))),
    });
    void window.loadFile(fileURLToPath(new URL('../renderer/index.html', import.meta.url)));
  });
}
