// The one window factory: every Keyfob BrowserWindow is made here. The webPreferences stay a
// literal so electronegativity (a static reader) sees exactly what the window runs with.
import { BrowserWindow } from 'electron';
import type { Screen } from '../../../common/ipc.ts';
import { APP_ENTRY } from './appProtocol.ts';
import { hardenWebContents, type HardenableWebContents } from './hardening.ts';

export interface KeyfobWindowOptions {
  preloadPath: string;
  /** True once the app is quitting: only then does closing really close. */
  isQuitting: () => boolean;
}

export function createKeyfobWindow(options: KeyfobWindowOptions, screen: Screen): BrowserWindow {
  const window = new BrowserWindow({
    width: 880,
    height: 640,
    minWidth: 560,
    minHeight: 480,
    show: false,
    title: 'Keyfob',
    autoHideMenuBar: true,
    webPreferences: {
      // Reviewed: the preload exposes only the named functions of common/ipc.ts (preload/bridge.ts).
      preload: options.preloadPath, // eng-disable PRELOAD_JS_CHECK
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // Middle-click must not open links in new windows (electronegativity AUXCLICK).
      disableBlinkFeatures: 'Auxclick',
      devTools: !process.env.KEYFOB_NO_DEVTOOLS,
    },
  });
  hardenWebContents(window.webContents as unknown as HardenableWebContents);
  // A tray app keeps its window: closing hides it, so sessions and state stay live.
  window.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    window.hide();
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(screenUrl(screen));
  return window;
}

export function screenUrl(screen: Screen): string {
  return `${APP_ENTRY}#/${screen}`;
}
