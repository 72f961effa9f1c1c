// The tray app, composed: single instance, deep-link routing, Dock, preferences, the engine and
// the tray controller. main/index.ts hands it the real Electron module and the real engine;
// tests hand it the recording electron stub and a fake engine. This is the one place the engine
// is plugged in.
import { z } from 'zod';
import { findDeepLinkArgument } from '../../../common/deepLinks.ts';
import { systemClock, type Clock } from '../../core/base/clock.ts';
import type { ElectronPorts, TrayEngine } from '../ports.ts';
import { launchTerminal as spawnTerminal, type LaunchTerminal } from '../terminal/launchTerminal.ts';
import { isOnPath } from '../terminal/onPath.ts';
import { toErrorView } from './errors.ts';
import type { PreferenceStore } from './preferences.ts';
import { DEFAULT_QUIT_DEADLINE_MS } from './quit.ts';
import { TrayController } from './trayController.ts';

export interface TrayAppDeps {
  electron: ElectronPorts;
  /** Opens the engine once for the app's life (after the single-instance lock and app ready). */
  openEngine: () => Promise<TrayEngine>;
  /** The Keyfob window (issue 11). */
  openWindow: () => void;
  /** Called after app ready (electron-store needs the app's paths) with the engine (the config's defaults). */
  openPreferences: (engine: TrayEngine) => PreferenceStore;
  env: NodeJS.ProcessEnv;
  /** This process's arguments: the first launch may carry a deep link. */
  argv: readonly string[];
  execPath: string;
  iconDir: string;
  clock?: Clock;
  launchTerminal?: LaunchTerminal;
  onPath?: (name: string) => boolean;
  quitDeadlineMs?: number;
}

// A second instance passes its link as additionalData (argv order is not reliable on Windows).
const handOverSchema = z.object({ deepLink: z.string().max(10_000) });
const MAX_QUEUED_LINKS = 8;

/**
 * Starts the tray. Returns null when this is a second instance (it handed its arguments to the
 * first and quits) or when the engine could not open (the user was told why).
 */
export async function startTrayApp(deps: TrayAppDeps): Promise<TrayController | null> {
  const { app, platform, dialog } = deps.electron;
  const firstLink = findDeepLinkArgument(deps.argv);
  if (!app.requestSingleInstanceLock(firstLink ? { deepLink: firstLink } : {})) {
    app.quit();
    return null;
  }

  // Links can arrive before the engine is open (open-url must be listened for before ready).
  const started: { tray?: TrayController } = {};
  const queued: string[] = firstLink ? [firstLink] : [];
  const route = (link: string) => {
    if (started.tray) void started.tray.handleDeepLink(link);
    else if (queued.length < MAX_QUEUED_LINKS) queued.push(link);
  };
  app.on('open-url', (event, url) => {
    event.preventDefault();
    route(url);
  });
  app.on('second-instance', (_event, argv, _cwd, additionalData) => {
    const handed = handOverSchema.safeParse(additionalData);
    const link = handed.success ? handed.data.deepLink : findDeepLinkArgument(argv);
    if (link !== undefined) route(link);
    else if (started.tray) deps.openWindow(); // launching Keyfob again means "show me Keyfob"
  });
  // A tray app outlives its windows.
  app.on('window-all-closed', () => {});
  if (platform === 'darwin') app.dock?.hide();

  await app.whenReady();
  let engine: TrayEngine;
  try {
    engine = await deps.openEngine();
  } catch (error) {
    dialog.showErrorBox('Keyfob could not start', toErrorView(error).message);
    app.exit(1);
    return null;
  }
  const preferences = deps.openPreferences(engine);
  if (app.isPackaged) {
    // Windows registers protocols at run time; macOS and Linux have them from the package. Every
    // link is untrusted input to the one strict parser (common/deepLinks.ts), reviewed for this check.
    app.setAsDefaultProtocolClient('keyfob'); /* eng-disable PROTOCOL_HANDLER_JS_CHECK */
    app.setLoginItemSettings({ openAtLogin: preferences.get().launchAtLogin });
  }

  const tray = new TrayController({
    electron: deps.electron,
    engine,
    preferences,
    openWindow: deps.openWindow,
    clock: deps.clock ?? systemClock,
    env: deps.env,
    execPath: deps.execPath,
    iconDir: deps.iconDir,
    launchTerminal: deps.launchTerminal ?? spawnTerminal,
    onPath: deps.onPath ?? ((name) => isOnPath(name, deps.env, platform)),
    quitDeadlineMs: deps.quitDeadlineMs ?? DEFAULT_QUIT_DEADLINE_MS,
  });
  app.on('before-quit', tray.quit.onQuitEvent);
  app.on('will-quit', tray.quit.onQuitEvent);
  started.tray = tray;
  for (const link of queued.splice(0)) void tray.handleDeepLink(link);
  return tray;
}
