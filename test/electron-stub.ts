// Stand-in for the `electron` module in tests. Importing the real package outside Electron
// tries to download the Electron binary, so vitest aliases `electron` here. It records what the
// app does (trays, menus, notifications, clipboard, dialogs, quit/exit, protocol and login-item
// registration) and lets a test act as the user and the OS: click menu items by label path,
// click notification actions, emit app and powerMonitor events, refuse the single-instance lock.
//
// `createElectronStub()` gives each test its own; the module's named exports are one shared
// instance, for code that imports `electron` at top level (electron-store, a built main bundle).
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions, MessageBoxOptions } from 'electron';
// The window's recording part (BrowserWindow, protocol, session, ipcMain): test/electron-stub/window.ts.
import { BrowserWindow, ipcMain, protocol, session } from './electron-stub/window.ts';

export interface StubMenuItem {
  label: string;
  type: 'normal' | 'separator' | 'submenu';
  enabled: boolean;
  click?: () => void;
  submenu?: StubMenuItem[];
}

export interface StubNotification {
  options: { title: string; body: string; actions?: { type: string; text: string }[] };
  shown: boolean;
  closed: boolean;
  /** What the user does with it: a click, or one of its action buttons by label. */
  click(): void;
  clickAction(label: string): void;
}

export type ElectronStub = ReturnType<typeof createElectronStub>;

const notInTests = (name: string) => () => {
  throw new Error(`electron.${name} is not available in tests: inject a fake instead`);
};

/** A preventable event as Electron passes it to listeners. */
function preventable() {
  const event = { defaultPrevented: false, preventDefault: () => void (event.defaultPrevented = true) };
  return event;
}

function toStubItems(template: readonly MenuItemConstructorOptions[]): StubMenuItem[] {
  return template.map((t) => {
    if (t.type === 'separator') return { label: '', type: 'separator', enabled: false };
    const submenu = Array.isArray(t.submenu) ? toStubItems(t.submenu as MenuItemConstructorOptions[]) : undefined;
    const click = t.click as (() => void) | undefined;
    return {
      label: t.label ?? '',
      type: submenu ? 'submenu' : 'normal',
      enabled: t.enabled ?? true,
      ...(click ? { click } : {}),
      ...(submenu ? { submenu } : {}),
    };
  });
}

/** The menu as a user reads it: labels, "(disabled)", submenus indented, separators as ---. */
export function renderMenu(items: readonly StubMenuItem[], depth = 0): string[] {
  return items.flatMap((item) => {
    const pad = '  '.repeat(depth);
    if (item.type === 'separator') return [`${pad}---`];
    return [`${pad}${item.label}${item.enabled ? '' : ' (disabled)'}`, ...(item.submenu ? renderMenu(item.submenu, depth + 1) : [])];
  });
}

export function createElectronStub(options: { userData?: string } = {}) {
  const appEvents = new EventEmitter();
  const powerEvents = new EventEmitter();
  let userData = options.userData;

  const recorder = {
    trays: [] as StubTray[],
    notifications: [] as StubNotification[],
    clipboardText: '',
    clipboardClears: 0,
    dialogs: [] as MessageBoxOptions[],
    /** Answers for the next message boxes, in order; without one the box is cancelled. */
    dialogResponses: [] as number[],
    errorBoxes: [] as { title: string; content: string }[],
    singleInstanceLock: true,
    singleInstanceData: undefined as unknown,
    protocolClients: [] as string[],
    loginItemSettings: undefined as { openAtLogin: boolean } | undefined,
    quitCalls: 0,
    /** Set when Electron would have quit on its own (nothing prevented the quit events). */
    quitWithoutPrevent: false,
    exitCode: undefined as number | undefined,
    exitCalls: 0,
    openedExternal: [] as string[],
    dockHidden: false,
    /** Hooks for the out-of-process control channel (electron-stub/control.ts). */
    onMenuSet: undefined as (() => void) | undefined,
    onExit: undefined as ((code: number) => void) | undefined,
  };

  class StubTray {
    image: string;
    images: string[] = [];
    toolTip = '';
    title = '';
    menu: StubMenuItem[] | null = null;
    menuUpdates = 0;
    destroyed = false;
    constructor(image: unknown) {
      this.image = imagePath(image);
      recorder.trays.push(this);
    }
    setContextMenu(menu: { items: StubMenuItem[] } | null) {
      this.menu = menu ? menu.items : null;
      this.menuUpdates++;
      recorder.onMenuSet?.();
    }
    setToolTip(text: string) {
      this.toolTip = text;
    }
    setTitle(text: string) {
      this.title = text;
    }
    setImage(image: unknown) {
      this.image = imagePath(image);
      this.images.push(this.image);
    }
    destroy() {
      this.destroyed = true;
    }
  }

  class Notification extends EventEmitter implements StubNotification {
    static isSupported = () => true;
    shown = false;
    closed = false;
    readonly options: StubNotification['options'];
    constructor(options: StubNotification['options']) {
      super();
      this.options = options;
    }
    show() {
      this.shown = true;
      recorder.notifications.push(this);
    }
    close() {
      this.closed = true;
    }
    click() {
      this.emit('click', {});
    }
    clickAction(label: string) {
      const index = (this.options.actions ?? []).findIndex((a) => a.text === label);
      if (index === -1) throw new Error(`notification "${this.options.title}" has no action "${label}"`);
      this.emit('action', {}, index);
    }
  }

  const app = {
    isPackaged: false,
    dock: { hide: () => void (recorder.dockHidden = true) },
    on(event: string, listener: (...args: never[]) => void) {
      appEvents.on(event, listener as (...args: unknown[]) => void);
      return app;
    },
    once(event: string, listener: (...args: never[]) => void) {
      appEvents.once(event, listener as (...args: unknown[]) => void);
      return app;
    },
    whenReady: () => Promise.resolve(),
    requestSingleInstanceLock(additionalData?: unknown) {
      recorder.singleInstanceData = additionalData;
      return recorder.singleInstanceLock;
    },
    quit() {
      recorder.quitCalls++;
      const before = preventable();
      appEvents.emit('before-quit', before);
      if (before.defaultPrevented) return;
      const will = preventable();
      appEvents.emit('will-quit', will);
      if (!will.defaultPrevented) recorder.quitWithoutPrevent = true;
    },
    exit(code = 0) {
      recorder.exitCalls++;
      recorder.exitCode = code;
      recorder.onExit?.(code);
    },
    setAsDefaultProtocolClient(protocol: string) {
      recorder.protocolClients.push(protocol);
      return true;
    },
    setLoginItemSettings(settings: { openAtLogin: boolean }) {
      recorder.loginItemSettings = settings;
    },
    getPath(name: string) {
      if (name !== 'userData') throw new Error(`electron stub: app.getPath("${name}") is not stubbed`);
      userData ??= mkdtempSync(join(tmpdir(), 'keyfob-electron-stub-'));
      return userData;
    },
    getVersion: () => '0.0.0-test',
  };

  const module = {
    app,
    BrowserWindow,
    Tray: StubTray,
    Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ items: toStubItems(template) }) },
    Notification,
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    clipboard: {
      readText: async () => recorder.clipboardText,
      writeText: async (text: string) => void (recorder.clipboardText = text),
      clear: () => {
        recorder.clipboardText = '';
        recorder.clipboardClears++;
      },
    },
    dialog: {
      showMessageBox: async (options: MessageBoxOptions) => {
        recorder.dialogs.push(options);
        return { response: recorder.dialogResponses.shift() ?? options.cancelId ?? 0, checkboxChecked: false };
      },
      showErrorBox: (title: string, content: string) => void recorder.errorBoxes.push({ title, content }),
    },
    powerMonitor: {
      on(event: string, listener: () => void) {
        powerEvents.on(event, listener);
        return module.powerMonitor;
      },
    },
    shell: { openExternal: async (url: string) => void recorder.openedExternal.push(url) },
    ipcMain,
    protocol,
    session,
    contextBridge: { exposeInMainWorld: notInTests('contextBridge.exposeInMainWorld') },
    ipcRenderer: { invoke: notInTests('ipcRenderer.invoke'), on: notInTests('ipcRenderer.on') },
  };

  const tray = () => {
    const latest = recorder.trays.at(-1);
    if (!latest) throw new Error('no tray was created');
    return latest;
  };

  return {
    module,
    recorder,
    tray,
    /** The current tray menu, rendered. */
    menu: () => renderMenu(tray().menu ?? []),
    /** Clicks the item at a label path (["Orders · 12m left", "Revoke"]); labels may be given as a prefix ending in "…*". */
    clickMenu(...path: string[]) {
      let items = tray().menu ?? [];
      let found: StubMenuItem | undefined;
      for (const label of path) {
        found = items.find((i) => i.type !== 'separator' && (label.endsWith('*') ? i.label.startsWith(label.slice(0, -1)) : i.label === label));
        if (!found) throw new Error(`no menu item "${label}" in:\n${renderMenu(items).join('\n')}`);
        items = found.submenu ?? [];
      }
      if (!found?.enabled) throw new Error(`menu item "${path.join(' > ')}" is disabled`);
      if (!found.click) throw new Error(`menu item "${path.join(' > ')}" does nothing when clicked`);
      found.click();
    },
    /** Emits an app event the way Electron would; returns whether a listener prevented it. */
    emitApp(event: string, ...args: unknown[]): { prevented: boolean } {
      if (event === 'before-quit' || event === 'will-quit' || event === 'open-url') {
        const e = preventable();
        appEvents.emit(event, e, ...args);
        return { prevented: e.defaultPrevented };
      }
      appEvents.emit(event, {}, ...args);
      return { prevented: false };
    },
    emitPower(event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen' | 'shutdown') {
      powerEvents.emit(event);
    },
    listenerCount: (event: string) => appEvents.listenerCount(event),
  };

  function imagePath(image: unknown): string {
    return typeof image === 'string' ? image : ((image as { path?: string }).path ?? '');
  }
}

/** The shared instance behind the module's exports. */
export const electronStub = createElectronStub();
// A built bundle run in its own process by a test or the bench is driven over its IPC channel.
if (process.env.KEYFOB_ELECTRON_STUB_CONTROL === 'ipc' && process.send) {
  const { installControl } = await import('./electron-stub/control.ts');
  installControl(electronStub, renderMenu);
}
export const { app, Tray, Menu, Notification, nativeImage, clipboard, dialog, powerMonitor, shell, contextBridge, ipcRenderer } = electronStub.module;
export { BrowserWindow, ipcMain, protocol, session };
export default electronStub.module;
