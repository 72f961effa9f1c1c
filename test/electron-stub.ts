// Stand-in for the `electron` module in tests. Importing the real package outside Electron
// tries to download the Electron binary, so vitest aliases `electron` here. Adapters take
// narrow interfaces; tests hand them fakes instead of reaching into this stub.
const notInTests = (name: string) => () => {
  throw new Error(`electron.${name} is not available in tests: inject a fake instead`);
};

// The window's recording part (BrowserWindow, protocol, session, ipcMain): test/electron-stub/window.ts.
import { BrowserWindow, ipcMain, protocol, session } from './electron-stub/window.ts';

export { BrowserWindow, ipcMain, protocol, session };

export const app = { getPath: notInTests('app.getPath'), whenReady: notInTests('app.whenReady') };
export const contextBridge = { exposeInMainWorld: notInTests('contextBridge.exposeInMainWorld') };
export const ipcRenderer = { invoke: notInTests('ipcRenderer.invoke'), on: notInTests('ipcRenderer.on') };
export default { app, ipcMain, contextBridge, ipcRenderer, BrowserWindow, protocol, session };
