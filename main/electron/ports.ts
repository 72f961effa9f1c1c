// The narrow interfaces the tray depends on: a subset of the engine contract (issue 12) and the
// few Electron objects it drives. The tray code sees only these, so tests hand it a fake engine
// and the recording electron stub, and the real engine plugs in at one place (tray/app.ts).
import type { Clipboard, Menu, MenuItemConstructorOptions, MessageBoxOptions, MessageBoxReturnValue, NativeImage, Tray } from 'electron';
import type { ErrorView } from '../../common/errors.ts';
import type { EndReason, Impact, LoginMethod, SessionView, SignInView, TargetView } from '../../common/views.ts';
import type { Event } from '../core/base/events.ts';
import type { Engine, IssuedSession, RecoveryView } from '../core/engine/engine.ts';

export type { ErrorView, TargetView, Impact, LoginMethod, EndReason, Event, SessionView, SignInView, IssuedSession, RecoveryView };

// ---- The engine, as far as the tray uses it: a Pick of the real Engine, so it cannot drift ----

export type RevokeAllResult = Awaited<ReturnType<Engine['revokeAll']>>;

export type TrayEngine = Pick<
  Engine,
  | 'config'
  | 'configPath'
  | 'recovery'
  | 'signIn'
  | 'sessions'
  | 'targets'
  | 'login'
  | 'logout'
  | 'issue'
  | 'renew'
  | 'revoke'
  | 'revokeAll'
  | 'onDidSignIn'
  | 'onDidSignOut'
  | 'onDidRenewSignIn'
  | 'onDidAddSession'
  | 'onDidUpdateSession'
  | 'onDidEndSession'
  | 'onDidWarnExpiring'
  | 'onDidReportProblem'
  | 'onDidRecover'
  | 'copyStatic'
  | 'dispose'
>;

// ---- Electron, as narrow as the tray needs it ----

export type TrayHandle = Pick<Tray, 'setContextMenu' | 'setToolTip' | 'setTitle' | 'setImage' | 'destroy'>;

/** An Electron-style event the listener may cancel. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The app events the tray listens to; each is a subset of Electron's `app.on` overloads. */
export interface AppEvents {
  on(event: 'before-quit' | 'will-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'second-instance', listener: (event: unknown, argv: string[], workingDirectory: string, additionalData: unknown) => void): unknown;
  on(event: 'open-url', listener: (event: PreventableEvent, url: string) => void): unknown;
}

export interface TrayApp extends AppEvents {
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
  whenReady(): Promise<void>;
  quit(): void;
  exit(code?: number): void;
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  readonly dock?: { hide(): void } | undefined;
  readonly isPackaged: boolean;
}

export interface PowerEvents {
  on(event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen' | 'shutdown', listener: () => void): unknown;
}

export interface NotificationOptions {
  title: string;
  body: string;
  actions?: { type: 'button'; text: string }[];
}

export interface NotificationHandle {
  show(): void;
  close(): void;
  on(event: 'click', listener: () => void): unknown;
  on(event: 'action', listener: (event: unknown, index: number) => void): unknown;
}

/** Electron 45's clipboard is asynchronous (W3C-style readText/writeText). */
export type ClipboardPort = Pick<Clipboard, 'readText' | 'writeText' | 'clear'>;

export interface DialogPort {
  showMessageBox(options: MessageBoxOptions): Promise<Pick<MessageBoxReturnValue, 'response'>>;
  showErrorBox(title: string, content: string): void;
}

/** Everything of Electron the tray app touches; `electronPorts()` builds it from the real module. */
export interface ElectronPorts {
  readonly platform: NodeJS.Platform;
  readonly app: TrayApp;
  readonly powerMonitor: PowerEvents;
  readonly clipboard: ClipboardPort;
  readonly dialog: DialogPort;
  createTray(image: NativeImage | string): TrayHandle;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  createNotification(options: NotificationOptions): NotificationHandle;
  notificationsSupported(): boolean;
}
