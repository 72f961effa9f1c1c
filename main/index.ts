// Electron entry. Thin: it wires Electron to the engine in main/core; the tray and lifecycle
// adapters live in main/electron and arrive with the tray issue. The window (main/electron/window)
// opens through openWindow(screen?), its only door.
import { app } from 'electron';
import { fileURLToPath } from 'node:url';
import { registerAppScheme, setUpWindow } from './electron/window/index.ts';

if (!app.requestSingleInstanceLock()) app.quit();
registerAppScheme();

app.whenReady().then(() => {
  const windows = setUpWindow({
    preloadPath: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
    rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
    // The engine and the host services (preferences, clipboard, terminal) come with the tray issue.
    engine: null,
    host: { readActivity: () => [], preferences: { get: () => ({ revokeOnSleepLock: 'high', warnBeforeSeconds: 300, terminal: null, clipboardClearSeconds: 30, launchAtLogin: false }), set: (p) => ({ revokeOnSleepLock: 'high', warnBeforeSeconds: 300, terminal: null, clipboardClearSeconds: 30, launchAtLogin: false, ...p }) }, setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); return { dispose: () => clearTimeout(t) }; } },
  });
  app.on('before-quit', () => windows.allowClose());
  windows.openWindow();
});
