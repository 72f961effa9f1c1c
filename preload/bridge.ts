// Builds window.keyfob from the contract over Electron IPC: a named function per channel and a
// subscription per event. The page never gets ipcRenderer, a channel name of its choosing, or
// the IpcRendererEvent (it would carry `sender`, a way back to raw IPC).
import { buildKeyfobApi, eventChannel, invokeChannel, type IpcResult, type KeyfobApi } from '../common/ipc.ts';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createPreloadBridge(ipc: IpcRendererLike): KeyfobApi {
  return buildKeyfobApi(
    async (channel, input) => {
      try {
        return (await ipc.invoke(invokeChannel(channel), input)) as IpcResult<unknown>;
      } catch {
        // Only reachable if main has no handler (an engine that failed to open).
        return { ok: false, error: { code: 'internal', message: "Keyfob's engine is not answering. Quit Keyfob and start it again." } };
      }
    },
    (event, listener) => {
      const wrapped = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(eventChannel(event), wrapped);
      return () => void ipc.removeListener(eventChannel(event), wrapped);
    },
  );
}
