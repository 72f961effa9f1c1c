// Electron entry. Thin: it wires Electron to the engine in main/core; the tray, IPC and
// lifecycle adapters live in main/electron and arrive with the tray issues.
import { app, BrowserWindow } from 'electron';
import { fileURLToPath } from 'node:url';
import { secureWebPreferences } from './electron/webPreferences.ts';

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
