// The narrow interfaces the tray depends on: a subset of the engine contract (issue 12) and the
// few Electron objects it drives. The tray code sees only these, so tests hand it a fake engine
// and the recording electron stub, and the real engine plugs in at one place (tray/app.ts).
import type { Clipboard, Menu, MenuItemConstructorOptions, MessageBoxOptions, MessageBoxReturnValue, NativeImage, Tray } from 'electron';
import type { ErrorView } from '../../common/errors.ts';
import type { SessionView as JournalSessionView, TargetView } from '../../common/views.ts';
import type { Impact, KeyfobConfig, LoginMethod } from '../core/config/index.ts';
import type { Event } from '../core/sessions/events.ts';
import type { EndReason } from '../core/sessions/index.ts';

export type { ErrorView, TargetView, Impact, LoginMethod, EndReason, Event };

// ---- The engine contract, as far as the tray uses it (names and shapes exactly as issue 12's) ----

/** `common/views.ts` SignInView of the contract. */
export interface SignInView {
  signedIn: boolean;
  name: string | null;
  method: LoginMethod | null;
  expiresAt: string | null;
}

/**
 * `common/views.ts` SessionView with the fields the contract adds "as needed". They are optional
 * here so the tray works whichever of them the engine ships; it falls back to the target list and
 * `ownedByThisProcess` when one is missing.
 */
export interface SessionView extends JournalSessionView {
  targetName?: string;
  impact?: Impact;
  owner?: { pid: number; thisProcess: boolean; label: string };
}

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface IssuedSession {
  session: SessionView;
  /** Secrets: main-process memory only. */
  credential: { env: Record<string, string>; connectionUri?: string; awsKeys?: AwsKeys };
}

export type RevokeAllResult = { revoked: SessionView[]; failed: SessionView[] };

/** The subset of `Engine` (main/core/engine) the tray calls; the real engine satisfies it as is. */
export interface TrayEngine {
  readonly config: KeyfobConfig;
  readonly configPath: string;
  signIn(): SignInView;
  sessions(): SessionView[];
  targets(): TargetView[];
  login(method?: LoginMethod, options?: { signal?: AbortSignal; onAuthUrl?: (url: string) => void }): Promise<SignInView>;
  logout(): Promise<RevokeAllResult>;
  issue(targetId: string, options?: { ttlSeconds?: number; reason?: string }): Promise<IssuedSession>;
  renew(sessionId: string, options?: { ttlSeconds?: number }): Promise<{ session: SessionView; cap: { maxTtlSeconds: number; message: string } | null }>;
  revoke(sessionId: string, reason?: EndReason): Promise<SessionView>;
  revokeAll(reason: EndReason, filter?: { owner?: 'this-process' | 'any'; impacts?: Impact[] }, deadlineMs?: number): Promise<RevokeAllResult>;
  readonly onDidSignIn: Event<SignInView>;
  readonly onDidSignOut: Event<{ reason: 'logout' | 'expired' | 'elsewhere' }>;
  readonly onDidRenewSignIn: Event<SignInView>;
  readonly onDidAddSession: Event<SessionView>;
  readonly onDidUpdateSession: Event<SessionView>;
  readonly onDidEndSession: Event<{ session: SessionView; reason: EndReason }>;
  readonly onDidWarnExpiring: Event<SessionView>;
  readonly onDidReportProblem: Event<ErrorView>;
  dispose(): void | Promise<void>;
}

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

export interface ShellPort {
  openExternal(url: string): Promise<void>;
}

/** Everything of Electron the tray app touches; `electronPorts()` builds it from the real module. */
export interface ElectronPorts {
  readonly platform: NodeJS.Platform;
  readonly app: TrayApp;
  readonly powerMonitor: PowerEvents;
  readonly clipboard: ClipboardPort;
  readonly dialog: DialogPort;
  readonly shell: ShellPort;
  createTray(image: NativeImage | string): TrayHandle;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  createNotification(options: NotificationOptions): NotificationHandle;
  notificationsSupported(): boolean;
}
