// The preload's API: named functions from the contract over ipcRenderer, subscriptions that
// return an unsubscribe, and a listener that never sees the IPC event object.
import { describe, expect, it } from 'vitest';
import { CHANNELS, channelPath, eventChannel, invokeChannel } from '../../common/ipc.ts';
import { createPreloadBridge, type IpcRendererLike } from '../../preload/bridge.ts';

function fakeIpcRenderer() {
  const invoked: [string, unknown][] = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, input) => {
      invoked.push([channel, input]);
      return { ok: true, value: 'answer' };
    },
    on: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener)),
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  const emit = (channel: string, payload: unknown) => listeners.get(channel)?.forEach((l) => l({ sender: { send: 'raw ipc' }, ports: [] }, payload));
  return { ipc, invoked, listeners, emit };
}

describe('the preload bridge', () => {
  it("has one named function per channel and nothing else: no ipcRenderer, no channel of the page's choosing", async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const api = createPreloadBridge(ipc) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
    const names = Object.entries(api).flatMap(([group, fns]) => Object.keys(fns).map((n) => `${group}.${n}`));
    const expected = [...CHANNELS, 'on.session.added', 'on.session.updated', 'on.session.ended', 'on.signIn.changed', 'on.window.show'];
    expect(names.sort()).toEqual(expected.sort());
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|invoke|send/i);
    for (const channel of CHANNELS) {
      const [group, name] = channelPath(channel);
      await api[group]![name]!({ probe: channel });
    }
    expect(invoked.map(([c]) => c)).toEqual(CHANNELS.map(invokeChannel));
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('delivers events as their payload only, drops payloads outside the contract, and unsubscribes', () => {
    const { ipc, listeners, emit } = fakeIpcRenderer();
    const api = createPreloadBridge(ipc);
    const seen: unknown[][] = [];
    const unsubscribe = api.on['window.show']((...args: unknown[]) => seen.push(args));
    emit(eventChannel('window.show'), 'activity');
    emit(eventChannel('window.show'), 'not-a-screen');
    expect(seen).toEqual([['activity']]);
    unsubscribe();
    expect(listeners.get(eventChannel('window.show'))?.size).toBe(0);
    emit(eventChannel('window.show'), 'targets');
    expect(seen).toHaveLength(1);
  });

  it('answers with an error envelope when main has no handler', async () => {
    const api = createPreloadBridge({ ...fakeIpcRenderer().ipc, invoke: () => Promise.reject(new Error("No handler registered for 'keyfob:sessions.list'")) });
    expect(await api.sessions.list()).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
