// What the window needs from the engine: a subset of the engine contract (issue 12) with exactly
// its names, so the real Engine satisfies it structurally and tests hand in a plain fake.
// Kept here (not main/electron/ports.ts, which the tray owns) so the two faces merge cleanly.
import type { SessionView, TargetView } from '../../../common/views.ts';
import type { LoginMethodView, Preferences as PreferencesLike, SignInStateView } from '../../../common/ipc.ts';

export interface Disposable {
  dispose(): void;
}
export type Event<T> = (listener: (value: T) => void) => Disposable;

export interface WindowEngine {
  readonly config: { readonly auth: { readonly default: LoginMethodView; readonly vaultOidc?: unknown; readonly oidc?: unknown; readonly awsSso?: unknown } };
  readonly stateDir: string;
  signIn(): SignInStateView;
  sessions(): SessionView[];
  targets(): TargetView[];
  login(method?: LoginMethodView, options?: { signal?: AbortSignal; onAuthUrl?: (url: string) => void }): Promise<SignInStateView>;
  logout(): Promise<{ revoked: SessionView[]; failed: SessionView[] }>;
  issue(targetId: string, options?: { ttlSeconds?: number; reason?: string }): Promise<IssuedSessionLike>;
  renew(sessionId: string, options?: { ttlSeconds?: number }): Promise<{ session: SessionView; cap: { maxTtlSeconds: number; message: string } | null }>;
  revoke(sessionId: string, reason?: 'revoked'): Promise<SessionView>;
  revokeAll(reason: 'revoked', filter?: { owner?: 'this-process' | 'any' }): Promise<{ revoked: SessionView[]; failed: SessionView[] }>;
  readonly onDidSignIn: Event<SignInStateView>;
  readonly onDidSignOut: Event<{ reason: 'logout' | 'expired' | 'elsewhere' }>;
  readonly onDidRenewSignIn: Event<SignInStateView>;
  readonly onDidAddSession: Event<SessionView>;
  readonly onDidUpdateSession: Event<SessionView>;
  readonly onDidEndSession: Event<{ session: SessionView; reason: string }>;
}

/** The part of IssuedSession the window uses. Secrets stay in main, except for an explicit copy. */
export interface IssuedSessionLike {
  session: SessionView;
  credential: { env: Record<string, string>; connectionUri?: string };
}

/** Window services that are not the engine: each face's host provides them. */
export interface WindowHost {
  /** Read the audit log (newest last). */
  readActivity(): Promise<ActivityRecord[]> | ActivityRecord[];
  preferences: { get(): PreferencesLike; set(patch: Partial<PreferencesLike>): PreferencesLike };
  /** The system clipboard, when this host has one to write. */
  clipboard?: { writeText(text: string): void; readText(): string };
  /** Opens a terminal running the session (the tray's launcher), when this host has one. */
  openInTerminal?: (targetId: string, options: { ttlSeconds?: number; reason?: string }) => Promise<SessionView | null>;
  /** The time for the activity filter (defaults to Date.now). */
  now?: () => number;
  /** Timers for clearing the clipboard; injected so tests use a FakeClock. */
  setTimeout(fn: () => void, ms: number): Disposable;
}

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
