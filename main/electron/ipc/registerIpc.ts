// Binds the contract to ipcMain. Every handler first checks who is asking: only a frame of our
// own window, showing our app:// origin, gets an answer; anyone else gets a refusal envelope.
import { CHANNELS, eventChannel, invokeChannel, type EventName, type EventPayload } from '../../../common/ipc.ts';
import { APP_ORIGIN } from '../window/appProtocol.ts';
import { dispatch, type WindowHandlers } from './dispatch.ts';
import type { Disposable } from './windowEngine.ts';

export interface SenderEvent {
  readonly sender: unknown;
  readonly senderFrame: { readonly url: string } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** True only for a frame showing the app:// origin, inside a webContents we created. */
export function isTrustedSender(event: SenderEvent, isOurWebContents: (sender: unknown) => boolean): boolean {
  if (!isOurWebContents(event.sender)) return false;
  const url = event.senderFrame?.url;
  if (typeof url !== 'string') return false;
  try {
    // Node's URL gives custom schemes an opaque origin ("null"), so compare scheme and host.
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}` === APP_ORIGIN && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

export function registerWindowIpc(ipcMain: IpcMainLike, handlers: WindowHandlers, isOurWebContents: (sender: unknown) => boolean): Disposable {
  for (const channel of CHANNELS) {
    ipcMain.handle(invokeChannel(channel), async (event, input) => {
      if (!isTrustedSender(event, isOurWebContents))
        return { ok: false, error: { code: 'usage', message: "Refused: this request did not come from Keyfob's window." } };
      return dispatch(handlers, channel, input);
    });
  }
  return { dispose: () => CHANNELS.forEach((channel) => ipcMain.removeHandler(invokeChannel(channel))) };
}

/** Sends a contract event to a window's webContents (skipped once it is destroyed). */
export function sendToWindow(webContents: { isDestroyed(): boolean; send(channel: string, payload: unknown): void }) {
  return <E extends EventName>(event: E, payload: EventPayload<E>) => {
    if (!webContents.isDestroyed()) webContents.send(eventChannel(event), payload);
  };
}
