// What the window needs from the engine: a Pick of the real Engine (main/core/engine/engine.ts),
// as the tray's TrayEngine is, so the two cannot drift and tests hand in a fake of the same type.
// Kept here (not main/electron/ports.ts, which the tray owns) so the two faces merge cleanly.
import type { Preferences as PreferencesLike } from '../../../common/ipc.ts';
import type { SessionView } from '../../../common/views.ts';
import type { Disposable, Event } from '../../core/base/events.ts';
import type { Engine, IssuedSession } from '../../core/engine/engine.ts';

export type { Disposable, Event, IssuedSession };

export type WindowEngine = Pick<
  Engine,
  | 'config'
  | 'stateDir'
  | 'signIn'
  | 'sessions'
  | 'targets'
  | 'login'
  | 'logout'
  | 'issue'
  | 'renew'
  | 'revoke'
  | 'revokeAll'
  | 'exposure'
  | 'onDidSignIn'
  | 'onDidSignOut'
  | 'onDidRenewSignIn'
  | 'onDidAddSession'
  | 'onDidUpdateSession'
  | 'onDidEndSession'
>;

/** Window services that are not the engine: each face's host provides them. */
export interface WindowHost {
  /** Read the audit log (newest last). */
  readActivity(): Promise<ActivityRecord[]> | ActivityRecord[];
  preferences: { get(): PreferencesLike; set(patch: Partial<PreferencesLike>): PreferencesLike };
  /** The system clipboard, when this host has one to write (Electron's is asynchronous). */
  clipboard?: { writeText(text: string): void | Promise<void>; readText(): string | Promise<string> };
  /** Opens a terminal running the session (the tray's launcher), when this host has one. */
  openInTerminal?: (targetId: string, options: { ttlSeconds?: number; reason?: string }) => Promise<SessionView | null>;
  /** The time for the activity filter (defaults to Date.now). */
  now?: () => number;
  /** Timers for clearing the clipboard; injected so tests use a FakeClock. */
  setTimeout(fn: () => void, ms: number): Disposable;
}

/** An audit log entry as the window reads it (the core's AuditEntry fits). */
export interface ActivityRecord {
  time: string;
  user: string;
  target: string;
  action: string;
  reason?: string;
  /** Absent for access decisions and handoffs (docs/policy.md). */
  sessionId?: string;
  detail?: string;
}
