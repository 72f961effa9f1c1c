// A fake engine that implements the tray's slice of the engine contract (TrayEngine) in memory,
// on a FakeClock: sessions of this process and of "other processes", typed events, and a log of
// the calls the tray made. No module mocks: the tray gets it exactly where the real engine goes.
import { randomBytes } from 'node:crypto';
import type { ErrorView } from '../../common/errors.ts';
import type { TargetView } from '../../common/views.ts';
import { parseConfig, type Impact, type LoginMethod } from '../../main/core/config/index.ts';
import { Emitter } from '../../main/core/base/events.ts';
import type { FakeClock } from '../../main/core/base/fakeClock.ts';
import type { RenewedSession, StaticCopy } from '../../main/core/engine/engine.ts';
import { targetViews } from '../../main/core/engine/views.ts';
import type { EndReason, IssuedSession, RecoveryView, RevokeAllResult, SessionView, SignInView, TrayEngine } from '../../main/electron/ports.ts';

export const fakeConfigText = `
version: 1
vault: { address: "https://vault.example.com" }
auth: { default: vault-oidc, vaultOidc: { role: engineer }, awsSso: { startUrl: "https://example.awsapps.com/start", region: eu-west-1 } }
sessions: { warnBefore: 5m }
targets:
  - { id: orders-ro, name: Orders (read-only), kind: database, impact: medium, grants: SELECT, scope: orders, ttl: 15m, maxTtl: 1h,
      database: { vaultRole: orders-ro, host: db.example.com, name: orders, sslmode: verify-full } }
  - { id: orders-admin, name: Orders admin, kind: database, impact: high, requireReason: false, grants: ALL, scope: orders (production), ttl: 15m, maxTtl: 30m,
      database: { vaultRole: orders-admin, host: db.example.com, name: orders, sslmode: verify-full } }
  - { id: payroll, name: Payroll, kind: database, impact: high, grants: ALL, scope: payroll, ttl: 15m, maxTtl: 30m,
      database: { vaultRole: payroll, host: db.example.com, name: payroll, sslmode: verify-full } }
  - { id: aws-ro, name: AWS read-only, kind: aws, impact: low, grants: ReadOnly, scope: prod, ttl: 15m, maxTtl: 1h, aws: { source: vault, vaultRole: ro } }
`;

export interface FakeEngineCall {
  method: string;
  args: unknown[];
}

export class FakeTrayEngine implements TrayEngine {
  readonly config = parseConfig(fakeConfigText, '/home/alice/.config/keyfob/config.yaml');
  readonly configPath = '/home/alice/.config/keyfob/config.yaml';
  readonly calls: FakeEngineCall[] = [];
  /** Every secret this engine handed out, so tests can look for them where they must not be. */
  readonly secrets: string[] = [];
  disposed = false;
  /** When set, revokeAll waits for this before ending anything (a slow or unreachable Vault). */
  revokeAllGate: Promise<void> | undefined;
  /** When set, login waits for this (the browser flow). */
  loginGate: Promise<void> | undefined;

  #signIn: SignInView = { signedIn: false, name: null, method: null, expiresAt: null };
  #sessions = new Map<string, SessionView>();
  #nextId = 1;
  readonly #clock: FakeClock;

  readonly #onDidSignIn = new Emitter<SignInView>();
  readonly #onDidSignOut = new Emitter<{ reason: 'logout' | 'expired' | 'elsewhere' }>();
  readonly #onDidRenewSignIn = new Emitter<SignInView>();
  readonly #onDidAddSession = new Emitter<SessionView>();
  readonly #onDidUpdateSession = new Emitter<SessionView>();
  readonly #onDidEndSession = new Emitter<{ session: SessionView; reason: EndReason }>();
  readonly #onDidWarnExpiring = new Emitter<SessionView>();
  readonly #onDidReportProblem = new Emitter<ErrorView>();
  readonly #onDidRecover = new Emitter<RecoveryView>();
  /** What the crash recovery at open did; set before the tray starts to test its notice. */
  recovery: RecoveryView | undefined = undefined;
  readonly onDidSignIn = this.#onDidSignIn.event;
  readonly onDidSignOut = this.#onDidSignOut.event;
  readonly onDidRenewSignIn = this.#onDidRenewSignIn.event;
  readonly onDidAddSession = this.#onDidAddSession.event;
  readonly onDidUpdateSession = this.#onDidUpdateSession.event;
  readonly onDidEndSession = this.#onDidEndSession.event;
  readonly onDidWarnExpiring = this.#onDidWarnExpiring.event;
  readonly onDidReportProblem = this.#onDidReportProblem.event;
  readonly onDidRecover = this.#onDidRecover.event;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  signIn(): SignInView {
    return this.#signIn;
  }

  sessions(): SessionView[] {
    const now = this.#clock.now();
    return [...this.#sessions.values()].map((s) => ({ ...s, remainingSeconds: Math.max(0, Math.floor((Date.parse(s.expiresAt) - now) / 1000)) }));
  }

  targets(): TargetView[] {
    return targetViews(this);
  }

  async login(method?: LoginMethod, options?: { signal?: AbortSignal }): Promise<SignInView> {
    this.calls.push({ method: 'login', args: [method] });
    if (this.loginGate) await this.loginGate;
    if (options?.signal?.aborted) throw Object.assign(new Error('Sign-in was cancelled.'), { code: 'sign-in-cancelled' });
    this.signInAs('alice@example.com', method ?? this.config.auth.default);
    return this.#signIn;
  }

  /** Sign-in from anywhere (this tray, or the CLI in another process). */
  signInAs(name: string, method: LoginMethod = 'vault-oidc'): void {
    this.#signIn = { signedIn: true, name, method, expiresAt: new Date(this.#clock.now() + 8 * 3600_000).toISOString() };
    this.#onDidSignIn.fire(this.#signIn);
  }

  /** Sign-out from anywhere: the engine ends every session the sign-in gave. */
  signOutElsewhere(): void {
    for (const id of [...this.#sessions.keys()]) this.end(id, 'logout');
    this.#signIn = { signedIn: false, name: null, method: null, expiresAt: null };
    this.#onDidSignOut.fire({ reason: 'elsewhere' });
  }

  async logout(): Promise<RevokeAllResult> {
    this.calls.push({ method: 'logout', args: [] });
    const revoked = [...this.#sessions.keys()].map((id) => this.end(id, 'logout'));
    this.#signIn = { signedIn: false, name: null, method: null, expiresAt: null };
    this.#onDidSignOut.fire({ reason: 'logout' });
    return { revoked, failed: [] };
  }

  async issue(targetId: string, options: { ttlSeconds?: number; reason?: string } = {}): Promise<IssuedSession> {
    this.calls.push({ method: 'issue', args: [targetId, options] });
    const target = this.config.targets.find((t) => t.id === targetId)!;
    const password = randomBytes(12).toString('hex');
    this.secrets.push(password);
    const session = this.addSession({ target: targetId, kind: sessionKind(target.kind), ttlSeconds: options.ttlSeconds ?? target.ttl, thisProcess: true });
    const credential: IssuedSession['credential'] =
      target.kind === 'database'
        ? { env: { PGPASSWORD: password }, connectionUri: `postgresql://v-alice:${password}@db.example.com:5432/orders` }
        : {
            env: { AWS_SECRET_ACCESS_KEY: password },
            awsKeys: { accessKeyId: 'ASIAFAKE', secretAccessKey: password, sessionToken: `token-${password}`, expiresAt: this.#clock.now() + 900_000 },
          };
    return { session, credential };
  }

  /** A session as the journal shows it, owned by this process or another one (a terminal's exec). */
  addSession(options: { target: string; kind?: SessionView['kind']; ttlSeconds?: number; thisProcess?: boolean; pid?: number; impact?: Impact }): SessionView {
    const now = this.#clock.now();
    const id = `s${String(this.#nextId++).padStart(5, '0')}`;
    const target = this.config.targets.find((t) => t.id === options.target);
    const pid = options.pid ?? (options.thisProcess ? process.pid : 90_000 + this.#nextId);
    const session: SessionView = {
      id,
      target: options.target,
      targetName: target?.name ?? options.target,
      kind: options.kind ?? sessionKind(target?.kind ?? 'database'),
      leaseId: `database/creds/${options.target}/${id}`,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + (options.ttlSeconds ?? 900) * 1000).toISOString(),
      remainingSeconds: options.ttlSeconds ?? 900,
      renewable: true,
      state: 'active',
      pid,
      ownedByThisProcess: options.thisProcess ?? false,
      lastError: null,
      impact: options.impact ?? target?.impact ?? 'medium',
      owner: { pid, thisProcess: options.thisProcess ?? false, label: options.thisProcess ? 'this process' : `keyfob pid ${pid}` },
    };
    this.#sessions.set(id, session);
    this.#onDidAddSession.fire(session);
    return session;
  }

  async renew(sessionId: string, options: { ttlSeconds?: number } = {}): Promise<RenewedSession> {
    this.calls.push({ method: 'renew', args: [sessionId, options] });
    const session = this.#require(sessionId);
    const updated = { ...session, expiresAt: new Date(this.#clock.now() + (options.ttlSeconds ?? 900) * 1000).toISOString() };
    this.#sessions.set(sessionId, updated);
    this.#onDidUpdateSession.fire(updated);
    return { session: updated, cap: null, grantedSeconds: options.ttlSeconds ?? 900, askedSeconds: options.ttlSeconds ?? 900, warnings: [] };
  }

  async revoke(sessionId: string, reason: EndReason = 'revoked'): Promise<SessionView> {
    this.calls.push({ method: 'revoke', args: [sessionId, reason] });
    this.#require(sessionId);
    return this.end(sessionId, reason);
  }

  async copyStatic(targetId: string, clipboard: { read(): Promise<string>; write(text: string): Promise<void> }): Promise<StaticCopy> {
    this.calls.push({ method: 'copyStatic', args: [targetId] });
    const secret = randomBytes(12).toString('hex');
    this.secrets.push(secret);
    await clipboard.write(secret);
    return { version: 1, clearAfterSeconds: 30, cleared: new Promise(() => {}) };
  }

  async revokeAll(reason: EndReason, filter: { owner?: 'this-process' | 'any'; impacts?: Impact[] } = {}, deadlineMs?: number): Promise<RevokeAllResult> {
    this.calls.push({ method: 'revokeAll', args: [reason, filter, deadlineMs] });
    if (this.revokeAllGate) await this.revokeAllGate;
    const chosen = [...this.#sessions.values()].filter(
      (s) => (filter.owner !== 'this-process' || s.ownedByThisProcess) && (!filter.impacts || filter.impacts.includes(s.impact ?? 'medium')),
    );
    return { revoked: chosen.map((s) => this.end(s.id, reason)), failed: [] };
  }

  /** Ends a session the way the engine's one revoke path would, and says so. */
  end(sessionId: string, reason: EndReason): SessionView {
    const session = this.#require(sessionId);
    this.#sessions.delete(sessionId);
    this.#onDidEndSession.fire({ session, reason });
    return session;
  }

  reportProblem(problem: ErrorView): void {
    this.#onDidReportProblem.fire(problem);
  }

  async dispose(): Promise<void> {
    this.calls.push({ method: 'dispose', args: [] });
    this.disposed = true;
  }

  callsTo(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  #require(sessionId: string): SessionView {
    const session = this.#sessions.get(sessionId);
    if (!session) throw Object.assign(new Error(`There is no session ${sessionId}.`), { code: 'unknown-session' });
    return session;
  }
}

/** Static targets are copied, never issued: no session of that kind exists. */
function sessionKind(kind: TargetView['kind']): SessionView['kind'] {
  if (kind === 'static') throw new Error('a static target issues no session');
  return kind;
}
