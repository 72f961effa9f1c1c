// A control channel for the recording electron stub when the app runs in a process of its own
// (the built main bundle, forked by a test or the bench with an IPC channel): the test reads what
// the app showed and acts as the user and the OS, as in-process tests do with the stub directly.
// Installed only when KEYFOB_ELECTRON_STUB_CONTROL=ipc and the process has an IPC channel: tests
// and the bench only, never a real Electron run (the stub is not shipped).
// Types only: the stub imports this module while it loads (a value import would wait on itself).
import type { ElectronStub, StubMenuItem } from '../electron-stub.ts';

/** What a test asks: one request, one reply with the same id. */
export type ControlRequest =
  | { id: number; op: 'state' }
  | { id: number; op: 'click'; path: string[] }
  | { id: number; op: 'emitApp'; event: string; args: unknown[] }
  | { id: number; op: 'emitPower'; event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen' | 'shutdown' }
  | { id: number; op: 'answerDialogs'; responses: number[] };

/** Messages the app's process sends without being asked. */
export type ControlNotice = { type: 'menu-set'; count: number } | { type: 'exit'; code: number };

export interface StubState {
  menu: string[];
  toolTip: string;
  image: string;
  menuUpdates: number;
  clipboardText: string;
  clipboardClears: number;
  notifications: { title: string; body: string }[];
  dialogs: string[];
  errorBoxes: { title: string; content: string }[];
  exitCalls: number;
  userData: string;
}

export function installControl(stub: ElectronStub, renderMenu: (items: readonly StubMenuItem[]) => string[]): void {
  const send = process.send?.bind(process);
  if (!send) return;
  const { recorder } = stub;
  let menuSets = 0;
  recorder.onMenuSet = () => void send({ type: 'menu-set', count: ++menuSets } satisfies ControlNotice);
  // app.exit ends this process, as Electron's does, once the parent has heard why.
  recorder.onExit = (code) => void send({ type: 'exit', code } satisfies ControlNotice, () => process.exit(code));

  const state = (): StubState => {
    const tray = recorder.trays.at(-1);
    return {
      menu: tray ? renderMenu(tray.menu ?? []) : [],
      toolTip: tray?.toolTip ?? '',
      image: tray?.image ?? '',
      menuUpdates: tray?.menuUpdates ?? 0,
      clipboardText: recorder.clipboardText,
      clipboardClears: recorder.clipboardClears,
      notifications: recorder.notifications.map((n) => ({ title: n.options.title, body: n.options.body })),
      dialogs: recorder.dialogs.map((d) => d.message),
      errorBoxes: recorder.errorBoxes,
      exitCalls: recorder.exitCalls,
      userData: stub.module.app.getPath('userData'),
    };
  };

  process.on('message', (raw) => {
    const request = raw as ControlRequest;
    const reply = (result: { ok: true; value: unknown } | { ok: false; error: string }) => send({ id: request.id, ...result });
    try {
      switch (request.op) {
        case 'state':
          return reply({ ok: true, value: state() });
        case 'click':
          stub.clickMenu(...request.path);
          return reply({ ok: true, value: null });
        case 'emitApp':
          return reply({ ok: true, value: stub.emitApp(request.event, ...request.args) });
        case 'emitPower':
          stub.emitPower(request.event);
          return reply({ ok: true, value: null });
        case 'answerDialogs':
          recorder.dialogResponses.push(...request.responses);
          return reply({ ok: true, value: null });
        default:
          request satisfies never;
          return reply({ ok: false, error: `unknown op ${(request as { op: string }).op}` });
      }
    } catch (error) {
      reply({ ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  });
  // Electron's own loop keeps a tray app running until app.exit; here the open channel does. A test
  // that goes away takes the app with it.
  process.on('disconnect', () => process.exit(1));
}
