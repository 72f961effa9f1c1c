// dev:web's window.keyfob: the same API the preload builds, over a WebSocket to the dev server.
// Loaded before the app bundle; calls made before the socket opens wait for it.
import { buildKeyfobApi, type Channel, type EventName, type IpcResult } from '../../common/ipc.ts';

const token = new URLSearchParams(location.search).get('token') ?? '';
const socket = new WebSocket(`ws://${location.host}/bridge?token=${encodeURIComponent(token)}`);
const opened = new Promise<void>((resolve, reject) => {
  socket.addEventListener('open', () => resolve(), { once: true });
  socket.addEventListener('close', () => reject(new Error('closed')), { once: true });
});
const pending = new Map<number, (result: IpcResult<unknown>) => void>();
const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
let nextId = 1;

socket.addEventListener('message', (message) => {
  let data: { id?: number; result?: IpcResult<unknown>; event?: EventName; payload?: unknown };
  try {
    data = JSON.parse(String(message.data));
  } catch {
    return;
  }
  if (typeof data.id === 'number' && data.result) {
    pending.get(data.id)?.(data.result);
    pending.delete(data.id);
  } else if (data.event) listeners.get(data.event)?.forEach((l) => l(data.payload));
});
socket.addEventListener('close', () => {
  for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'internal', message: 'dev:web stopped. Start it again and reload.' } });
  pending.clear();
});

window.keyfob = buildKeyfobApi(
  async (channel: Channel, input: unknown) => {
    try {
      await opened;
    } catch {
      return { ok: false, error: { code: 'internal', message: 'dev:web refused this page (token or origin). Open the URL it printed.' } };
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, channel, input }));
    });
  },
  (event, listener) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set.add(listener));
    return () => void set.delete(listener);
  },
);

declare global {
  interface Window {
    keyfob?: import('../../common/ipc.ts').KeyfobApi;
  }
}
