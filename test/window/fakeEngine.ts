// A fake engine that implements the window's port (WindowEngine) in memory, with the contract's
// error codes and events. Component tests, IPC tests and the Chromium tests drive the window
// with it; phase 2 swaps in the real engine behind the same port.
import type { EndReason, LoginMethod, SessionView, SignInView, TargetView } from '../../common/views.ts';
import type { ExposureView } from '../../common/exposure.ts';
import { DEFAULT_PREFERENCES } from '../../common/preferences.ts';
import { parseConfig } from '../../main/core/config/index.ts';
import type { RenewedSession } from '../../main/core/engine/engine.ts';
import { toTargetView } from '../../main/core/engine/views.ts';
import { exposureView } from '../../main/core/policy/exposure.ts';
import type { JournalEntry } from '../../main/core/sessions/index.ts';
import type { ActivityRecord, Disposable, Event, IssuedSession, WindowEngine, WindowHost } from '../../main/electron/ipc/windowEngine.ts';

class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

class Emitter<T> {
  #listeners = new Set<(v: T) => void>();
  readonly event: Event<T> = (listener) => {
    const entry = (v: T) => listener(v);
    this.#listeners.add(entry);
    return { dispose: () => this.#listeners.delete(entry) };
  };
  fire(value: T) {
    for (const l of [...this.#listeners]) l(value);
  }
  get size() {
    return this.#listeners.size;
  }
}

/** The fake's org config, through the real parser: its config is a real KeyfobConfig and its targets the engine's views of it. */
export const FAKE_CONFIG_TEXT = `
version: 1
vault: { address: "https://vault.example.com" }
auth: { default: vault-oidc, vaultOidc: { role: engineer }, awsSso: { startUrl: "https://example.awsapps.com/start", region: eu-west-1 } }
onCall: { pagerduty: { scheduleIds: [PSCHED1] } }
targets:
  - { id: orders-ro, name: Orders DB (read-only), kind: database, impact: low, grants: SELECT on all tables in orders, scope: orders (production), ttl: 1h, maxTtl: 4h,
      database: { vaultRole: orders-ro, host: db.example.com, name: orders, sslmode: verify-full } }
  - { id: orders-rw, name: Orders DB (read/write), kind: database, impact: high, grants: "SELECT, INSERT, UPDATE, DELETE on orders", scope: orders (production), ttl: 15m, maxTtl: 1h,
      requireReason: true, requireOnCall: true, database: { vaultRole: orders-rw, host: db.example.com, name: orders, sslmode: verify-full } }
  - { id: bastion, name: Bastion host, kind: ssh, impact: medium, grants: shell as ops on the bastion, scope: bastion.prod, ttl: 30m, maxTtl: 1h,
      ssh: { vaultRole: ops, host: bastion.example.com, user: ops, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEKJ/4R8aZm1RNpyAqF0P0PqyS7n3Ub6fKpJhIHhBvTz" } }
  - { id: aws-prod, name: AWS production (read-only), kind: aws, impact: medium, grants: ReadOnlyAccess, scope: account 123456789012, ttl: 1h, maxTtl: 2h,
      aws: { source: vault, vaultRole: ro } }
`;

const FAKE_CONFIG = parseConfig(FAKE_CONFIG_TEXT, '/nonexistent/keyfob-fake/config.yaml');
export const FAKE_TARGETS: TargetView[] = FAKE_CONFIG.targets.map((t) => toTargetView(t, FAKE_CONFIG));

export interface FakeEngineOptions {
  now?: () => number;
  signedIn?: boolean;
  targets?: TargetView[];
  /** What the next login does: succeed, or fail with a code. */
  loginOutcome?: 'ok' | 'sign-in-timeout' | 'sign-in-refused' | 'vault-denied' | 'hang';
}

export class FakeEngine implements WindowEngine {
  readonly config = FAKE_CONFIG;
  readonly stateDir = '/nonexistent/keyfob-fake';
  readonly now: () => number;
  loginOutcome: NonNullable<FakeEngineOptions['loginOutcome']>;
  /** What PagerDuty would say. */
  onCall = false;
  readonly calls: string[] = [];
  readonly activity: ActivityRecord[] = [];
  #signIn: SignInView;
  #sessions = new Map<string, SessionView>();
  #targets: TargetView[];
  #seq = 0;
  readonly #in = new Emitter<SignInView>();
  readonly #out = new Emitter<{ reason: 'logout' | 'expired' | 'elsewhere' }>();
  readonly #renewIn = new Emitter<SignInView>();
  readonly #added = new Emitter<SessionView>();
  readonly #updated = new Emitter<SessionView>();
  readonly #ended = new Emitter<{ session: SessionView; reason: EndReason }>();
  readonly onDidSignIn = this.#in.event;
  readonly onDidSignOut = this.#out.event;
  readonly onDidRenewSignIn = this.#renewIn.event;
  readonly onDidAddSession = this.#added.event;
  readonly onDidUpdateSession = this.#updated.event;
  readonly onDidEndSession = this.#ended.event;

  constructor(options: FakeEngineOptions = {}) {
    this.now = options.now ?? Date.now;
    this.#targets = options.targets ?? FAKE_TARGETS;
    this.loginOutcome = options.loginOutcome ?? 'ok';
    this.#signIn = options.signedIn ? this.#signedIn() : { signedIn: false, name: null, method: null, expiresAt: null };
  }

  get listenerCount(): number {
    return [this.#in, this.#out, this.#renewIn, this.#added, this.#updated, this.#ended].reduce((n, e) => n + e.size, 0);
  }

  signIn(): SignInView {
    return { ...this.#signIn };
  }
  sessions(): SessionView[] {
    return [...this.#sessions.values()].map((s) => this.#fresh(s));
  }
  targets(): TargetView[] {
    return this.#targets.map((t) => ({ ...t }));
  }

  /** The real exposure builder (core/policy/exposure.ts) over the fake's sessions, as the engine runs it over its journal. */
  exposure(): Promise<ExposureView> {
    const entries: JournalEntry[] = this.sessions().map((s) => ({
      sessionId: s.id,
      targetId: s.target,
      kind: s.kind,
      issuedAt: Date.parse(s.issuedAt),
      expiresAt: Date.parse(s.expiresAt),
      pid: s.pid,
      pidStartTime: null,
      hostname: 'fake',
      state: s.state,
      revokeAttempts: 0,
    }));
    const signIn = this.#signIn;
    const token = signIn.signedIn
      ? {
          token: 'fake',
          accessor: 'fake',
          expiresAt: signIn.expiresAt,
          renewable: true,
          ...(signIn.name ? { displayName: signIn.name } : {}),
          ...(signIn.method ? { method: signIn.method } : {}),
        }
      : null;
    return exposureView({
      config: this.config,
      journal: { list: async () => entries },
      signIn: () => token,
      policies: async () => ['default', 'engineer'],
      now: this.now,
      pid: 4242,
    });
  }

  async login(method?: LoginMethod, options: { signal?: AbortSignal } = {}): Promise<SignInView> {
    this.calls.push(`login ${method ?? 'default'}`);
    if (this.loginOutcome === 'hang') {
      await new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(new CodedError('sign-in-cancelled', 'Sign-in was cancelled.'))));
    }
    if (this.loginOutcome === 'sign-in-timeout') throw new CodedError('sign-in-timeout', 'The browser step did not finish within 5 minutes.');
    if (this.loginOutcome === 'sign-in-refused') throw new CodedError('sign-in-refused', 'The identity provider refused the sign-in: access_denied.');
    if (this.loginOutcome === 'vault-denied') throw new CodedError('vault-denied', 'Vault refused the login: permission denied.');
    this.#signIn = this.#signedIn(method ?? 'vault-oidc');
    this.#in.fire(this.signIn());
    return this.signIn();
  }

  async logout() {
    this.calls.push('logout');
    const ended = await this.revokeAll('revoked');
    this.#signIn = { signedIn: false, name: null, method: null, expiresAt: null };
    this.#out.fire({ reason: 'logout' });
    return ended;
  }

  async issue(targetId: string, options: { ttlSeconds?: number; reason?: string } = {}): Promise<IssuedSession> {
    this.calls.push(`issue ${targetId}`);
    if (!this.#signIn.signedIn) throw new CodedError('not-signed-in', 'Not signed in: sign in first.');
    const target = this.#targets.find((t) => t.id === targetId);
    if (!target) throw new CodedError('unknown-target', `No target "${targetId}".`);
    if (target.requireReason && !options.reason) throw new CodedError('guard-rail', `${target.name} needs a reason (a ticket).`);
    if (target.requireOnCall && !this.onCall) throw new CodedError('guard-rail', `${target.name} needs you to be on call, and PagerDuty says you are not.`);
    const ttl = Math.min(options.ttlSeconds ?? target.ttlSeconds, target.maxTtlSeconds);
    const id = `s-${++this.#seq}`;
    const now = this.now();
    const session: SessionView = {
      id,
      target: target.id,
      targetName: target.name,
      impact: target.impact,
      owner: { pid: 4242, thisProcess: true, label: 'this process' },
      kind: sessionKind(target.kind),
      leaseId: `${target.kind}/creds/${target.id}/${id}`,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ttl * 1000).toISOString(),
      remainingSeconds: ttl,
      renewable: target.kind === 'database',
      state: 'active',
      pid: 4242,
      ownedByThisProcess: true,
      lastError: null,
    };
    this.#sessions.set(id, session);
    this.#audit(target.id, 'issued', id, options.reason);
    this.#added.fire(this.#fresh(session));
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    return {
      session: this.#fresh(session),
      credential:
        target.kind === 'aws'
          ? { env: { AWS_ACCESS_KEY_ID: 'ASIAFAKEFAKEFAKEFAKE', AWS_SECRET_ACCESS_KEY: password, AWS_SESSION_TOKEN: `tok-${password}` } }
          : { env: { PGPASSWORD: password }, connectionUri: `postgresql://v-${id}:${password}@127.0.0.1:5432/orders` },
    };
  }

  /** A session another process (a terminal's keyfob exec) holds. */
  addForeignSession(targetId: string, seconds: number, state: SessionView['state'] = 'active'): SessionView {
    const target = this.#targets.find((t) => t.id === targetId)!;
    const id = `s-${++this.#seq}`;
    const now = this.now();
    const session: SessionView = {
      id,
      target: targetId,
      targetName: target.name,
      impact: target.impact,
      owner: { pid: 9001, thisProcess: false, label: 'keyfob pid 9001' },
      kind: sessionKind(target.kind),
      leaseId: `lease/${id}`,
      issuedAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(now + seconds * 1000).toISOString(),
      remainingSeconds: seconds,
      renewable: true,
      state,
      pid: 9001,
      ownedByThisProcess: false,
      lastError: state === 'revoke-failed' ? 'Vault unreachable' : null,
    };
    this.#sessions.set(id, session);
    this.#added.fire(this.#fresh(session));
    return this.#fresh(session);
  }

  async renew(sessionId: string, options: { ttlSeconds?: number } = {}): Promise<RenewedSession> {
    this.calls.push(`renew ${sessionId}`);
    const session = this.#get(sessionId);
    if (!session.renewable) throw new CodedError('not-renewable', 'This session cannot be extended (SSH certificates are fixed).');
    const target = this.#targets.find((t) => t.id === session.target)!;
    const issued = Date.parse(session.issuedAt);
    const wanted = this.now() + (options.ttlSeconds ?? target.ttlSeconds) * 1000;
    const max = issued + target.maxTtlSeconds * 1000;
    const expires = Math.min(wanted, max);
    const updated = { ...session, expiresAt: new Date(expires).toISOString(), state: 'active' as const };
    this.#sessions.set(sessionId, updated);
    this.#audit(session.target, 'renewed', sessionId);
    this.#updated.fire(this.#fresh(updated));
    const capped = wanted > max;
    const hhmm = new Date(expires).toISOString().slice(11, 16);
    const asked = options.ttlSeconds ?? target.ttlSeconds;
    const granted = Math.round((expires - this.now()) / 1000);
    return {
      session: this.#fresh(updated),
      cap: capped ? { maxTtlSeconds: target.maxTtlSeconds, message: `capped at max TTL, ends ${hhmm}` } : null,
      grantedSeconds: granted,
      askedSeconds: asked,
      warnings: [],
    };
  }

  async revoke(sessionId: string, reason: EndReason = 'revoked'): Promise<SessionView> {
    this.calls.push(`revoke ${sessionId}`);
    const session = this.#get(sessionId);
    this.#sessions.delete(sessionId);
    this.#audit(session.target, 'revoked', sessionId);
    const view = { ...this.#fresh(session), remainingSeconds: 0 };
    this.#ended.fire({ session: view, reason });
    return view;
  }

  async revokeAll(reason: EndReason) {
    this.calls.push('revokeAll');
    const revoked: SessionView[] = [];
    for (const id of [...this.#sessions.keys()]) revoked.push(await this.revoke(id, reason));
    return { revoked, failed: [] };
  }

  /** Drops a session without an event, as if another process ended it unseen. */
  forget(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }

  /** The sign-in ended elsewhere (a terminal's keyfob logout). */
  signOutElsewhere(): void {
    this.#signIn = { signedIn: false, name: null, method: null, expiresAt: null };
    this.#out.fire({ reason: 'elsewhere' });
  }

  #get(sessionId: string): SessionView {
    const session = this.#sessions.get(sessionId);
    if (!session) throw new CodedError('unknown-session', `No session ${sessionId.slice(0, 40)}: it may have ended already.`);
    return session;
  }
  #fresh(s: SessionView): SessionView {
    return { ...s, remainingSeconds: Math.max(0, Math.floor((Date.parse(s.expiresAt) - this.now()) / 1000)) };
  }
  #signedIn(method: LoginMethod = 'vault-oidc'): SignInView {
    return { signedIn: true, name: 'alice@example.com', method, expiresAt: new Date(this.now() + 8 * 3600_000).toISOString() };
  }
  #audit(target: string, action: string, sessionId: string, reason?: string) {
    this.activity.push({ time: new Date(this.now()).toISOString(), user: 'alice@example.com', target, action, sessionId, ...(reason ? { reason } : {}) });
  }
}

export interface FakeHost extends WindowHost {
  clipboardText: () => string;
  timers: { fn: () => void; ms: number; disposed: boolean }[];
  terminalOpened: string[];
}

export function fakeHost(engine: FakeEngine, options: { terminal?: boolean } = {}): FakeHost {
  let clip = '';
  let prefs = { ...DEFAULT_PREFERENCES };
  const timers: FakeHost['timers'] = [];
  const terminalOpened: string[] = [];
  return {
    readActivity: () => engine.activity.map((a) => ({ ...a })),
    now: engine.now,
    preferences: { get: () => ({ ...prefs }), set: (patch) => (prefs = { ...prefs, ...patch }) },
    clipboard: { writeText: (t) => void (clip = t), readText: () => clip },
    ...(options.terminal === false
      ? {}
      : {
          openInTerminal: async (targetId: string, o: { ttlSeconds?: number; reason?: string }) => {
            terminalOpened.push(targetId);
            return (await engine.issue(targetId, o)).session;
          },
        }),
    setTimeout: (fn, ms): Disposable => {
      const t = { fn, ms, disposed: false };
      timers.push(t);
      return { dispose: () => void (t.disposed = true) };
    },
    clipboardText: () => clip,
    timers,
    terminalOpened,
  };
}

/** Static targets are copied, never issued: no session of that kind exists. */
function sessionKind(kind: TargetView['kind']): SessionView['kind'] {
  if (kind === 'static') throw new Error('a static target issues no session');
  return kind;
}
