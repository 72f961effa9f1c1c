// The sandboxed renderer sees only what is exposed here, built from the common/ contract.
import { contextBridge } from 'electron';
import { bridgeVersion } from '../common/bridge.ts';

contextBridge.exposeInMainWorld('keyfob', Object.freeze({ bridgeVersion }));
