// The sandboxed renderer sees only what is exposed here, built from the common/ contract.
import { contextBridge, ipcRenderer } from 'electron';
import { bridgeVersion } from '../common/bridge.ts';
import { createPreloadBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('keyfob', createPreloadBridge(ipcRenderer));
contextBridge.exposeInMainWorld('keyfobBridgeVersion', bridgeVersion);
