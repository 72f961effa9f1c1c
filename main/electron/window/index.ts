// The window's face for the rest of the app: the tray calls openWindow(screen?). Wires the
// factory, the app:// protocol, the session's permission policy and the IPC contract.
import { ipcMain, protocol, session, type BrowserWindow } from 'electron';
import type { Screen } from '../../../common/ipc.ts';
import { createWindowHandlers } from '../ipc/handlers.ts';
import { forwardEngineEvents } from '../ipc/events.ts';
import { registerWindowIpc, sendToWindow, type IpcMainLike } from '../ipc/registerIpc.ts';
import type { Disposable, WindowEngine, WindowHost } from '../ipc/windowEngine.ts';
import { APP_SCHEME, createAppProtocolHandler } from './appProtocol.ts';
import { denyAllPermissions, type HardenableSession } from './hardening.ts';
import { createKeyfobWindow } from './keyfobWindow.ts';

export { APP_ORIGIN, CONTENT_SECURITY_POLICY } from './appProtocol.ts';

/** Before app ready: app:// is a standard, secure scheme so 'self' in the CSP means it. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false } },
  ]);
}

export interface WindowSetup {
  preloadPath: string;
  rendererDir: string;
  /** Without an engine the window still opens (sign-in shows what is wrong); IPC answers need one. */
  engine: WindowEngine | null;
  host: WindowHost;
  /** Windows reports the end of the user's session on a window (`session-end`): the app quits. */
  onSessionEnd?: () => void;
}

export interface KeyfobWindows extends Disposable {
  openWindow(screen?: Screen): void;
  /** The app is quitting: let the window close for real. */
  allowClose(): void;
  current(): BrowserWindow | null;
}

/** After app ready. */
export function setUpWindow(setup: WindowSetup): KeyfobWindows {
  let window: BrowserWindow | null = null;
  let quitting = false;
  const disposables: Disposable[] = [];

  protocol.handle(APP_SCHEME, createAppProtocolHandler(setup.rendererDir));
  disposables.push({ dispose: () => protocol.unhandle(APP_SCHEME) });
  denyAllPermissions(session.defaultSession as unknown as HardenableSession);

  const isOurs = (sender: unknown) => window !== null && !window.isDestroyed() && sender === window.webContents;
  if (setup.engine) {
    disposables.push(registerWindowIpc(ipcMain as unknown as IpcMainLike, createWindowHandlers(setup.engine, setup.host), isOurs));
    disposables.push(
      forwardEngineEvents(setup.engine, (event, payload) => window && !window.isDestroyed() && sendToWindow(window.webContents)(event, payload)),
    );
  }

  return {
    openWindow(screen = 'sessions') {
      if (window && !window.isDestroyed()) {
        sendToWindow(window.webContents)('window.show', screen);
        if (window.isMinimized()) window.restore();
        window.show();
        window.focus();
        return;
      }
      window = createKeyfobWindow({ preloadPath: setup.preloadPath, isQuitting: () => quitting }, screen);
      window.on('closed', () => (window = null));
      if (setup.onSessionEnd) window.on('session-end', setup.onSessionEnd);
    },
    allowClose: () => (quitting = true),
    current: () => window,
    dispose() {
      quitting = true;
      disposables.splice(0).forEach((d) => d.dispose());
      if (window && !window.isDestroyed()) window.destroy();
      window = null;
    },
  };
}
