// A bridge that implements the page's API (KeyfobApi) in process: the real handlers and
// dispatch over a fake engine, with engine events forwarded as the contract's events.
import { buildKeyfobApi, type EventName, type KeyfobApi } from '../../common/ipc.ts';
import { dispatch } from '../../main/electron/ipc/dispatch.ts';
import { forwardEngineEvents } from '../../main/electron/ipc/events.ts';
import { createWindowHandlers } from '../../main/electron/ipc/handlers.ts';
import type { WindowEngine, WindowHost } from '../../main/electron/ipc/windowEngine.ts';

export function inProcessBridge(
  engine: WindowEngine,
  host: WindowHost,
): { api: KeyfobApi; emit: (event: EventName, payload: unknown) => void; dispose: () => void } {
  const handlers = createWindowHandlers(engine, host);
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const emit = (event: EventName, payload: unknown) => listeners.get(event)?.forEach((l) => l(structuredClone(payload)));
  const forwarding = forwardEngineEvents(engine, emit);
  const api = buildKeyfobApi(
    (channel, input) => dispatch(handlers, channel, structuredClone(input)),
    (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set.add(listener));
      return () => void set.delete(listener);
    },
  );
  return { api, emit, dispose: () => forwarding.dispose() };
}
