import type { AuditInput, AuditSink } from '../audit/auditLog.ts';
import { REVOKE_RETRY_BACKOFF, backoffDelay, type BackoffPolicy } from '../base/backoff.ts';
import { REVOKE_CONCURRENCY, REVOKE_DEADLINE_MS, runBounded } from '../base/bounded.ts';
import type { Clock, TimerHandle } from '../base/clock.ts';
import { Emitter, type Disposable, type Event } from '../base/events.ts';
import { currentProcessIdentity, type ProcessIdentity } from '../base/processIdentity.ts';
import { redactSecrets } from '../base/secretGuard.ts';
import type { LeaseApi } from '../vault/leaseApi.ts';
import { DeadlineTimer } from './deadlineTimer.ts';
import { endSession, recordFailedRevocation, type EndSessionDeps } from './endSession.ts';
import { SessionError, errorMessage } from './errors.ts';
import type { JournalEntry, SessionJournal } from './journal.ts';
import { reconcileVerdict } from './reconcile.ts';
import { journalRenewal, renewalOutcome } from './renewal.ts';
import {
  DEFAULT_SCHEDULE_POLICY,
  mayHaveDeadlines,
  nextDeadline,
  sessionDeadlines,
  type Deadline,
  type SchedulePolicy,
  type ScheduleView,
} from './schedule.ts';
import { formatClockTime, newSessionId, type EndReason, type Session, type SessionKind } from './session.ts';
import { endingOf, journalEntryOf, scheduleViewOf, snapshot, type Tracked } from './tracked.ts';

// The session engine: every credential Keyfob hands out becomes a Session here. One timer is
// armed to the next deadline across all sessions; every end (command exit, revoke, logout,
// expiry, quit, sleep, lock, SSO end) goes through the same revoke path.

export interface NewSession {
  targetId: string;
  kind: SessionKind;
  /** Absent for credentials without a Vault lease (SSH certificates). */
  leaseId?: string;
  /** The accessor of the session's child token, which owns the lease (engine/sessionLeases.ts). */
  childAccessor?: string;
  /** The lease duration Vault granted, in seconds. */
  ttlSeconds: number;
  renewable: boolean;
  /** When the credential was issued; now by default. */
  issuedAt?: number;
  /** The latest the lease can be extended to, if known (issued + the target's max TTL). */
  maxExpiresAt?: number;
  /** When Vault itself expires the lease, if it outlives the session (leaseExpiry.ts). */
  leaseExpiresAt?: number;
  /** Local cleanup run in the revoke path: kill the ssh-agent, end the command. */
  onEnd?: (reason: EndReason) => void | Promise<void>;
  /** Why the user asked for it (ticket), recorded in the audit log. */
  reason?: string;
  /** The session's ssh-agent, so the revoke path can stop it even after this process is gone. */
  agentPid?: number;
  /** Its start time (Linux), checked before that kill. */
  agentStartTime?: number | null;
}

export interface SessionManagerOptions {
  clock: Clock;
  leaseApi: LeaseApi;
  journal: SessionJournal;
  audit: AuditSink;
  policy?: Partial<SchedulePolicy>;
  /** The identity written as owner into the journal; this process by default. */
  owner?: ProcessIdentity;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** A cleanup hook that takes longer is left behind so it cannot hold up the revocation. */
  hookTimeoutMs?: number;
  /** Stops a journaled ssh-agent the session's own hook did not (see EndSessionDeps.stopAgent). */
  stopAgent?: (agent: ProcessIdentity) => Promise<unknown>;
}

export interface SessionExpiring {
  session: Session;
  secondsLeft: number;
}

export interface SessionEnded {
  session: Session;
  reason: EndReason;
}

export interface RenewResult {
  session: Session;
  capped: boolean;
  /** "capped at max TTL 4h: expires 18:02" or "extended: expires 18:02" */
  message: string;
  warnings: string[];
}

export type EndOutcome =
  | { sessionId: string; status: 'ended'; detail?: string }
  | { sessionId: string; status: 'revoke-failed'; error: string }
  | { sessionId: string; status: 'not-found' };

export interface EndAllOptions {
  /** Revocations in flight at once. */
  concurrency?: number;
  /** Stop starting new revocations after this long; what is left is retried later (or at next start). */
  deadlineMs?: number;
}

export interface EndAllResult {
  ended: string[];
  failed: Array<{ sessionId: string; error: string }>;
  /** Not finished by the deadline: still in flight, or not started and queued for retry. */
  timedOut: string[];
}

export class SessionManager implements Disposable {
  readonly #clock: Clock;
  readonly #leaseApi: LeaseApi;
  readonly #journal: SessionJournal;
  readonly #audit: AuditSink;
  readonly #policy: SchedulePolicy;
  readonly #owner: ProcessIdentity;
  readonly #backoff: BackoffPolicy;
  readonly #random: () => number;
  readonly #hookTimeoutMs: number;
  readonly #endDeps: EndSessionDeps;
  /** How long a failed revocation waits before this process retries it. */
  readonly #retryDelayMs = (attempts: number): number => backoffDelay(attempts, this.#backoff, this.#random);

  readonly #sessions = new Map<string, Tracked>();
  readonly #background = new Set<Promise<unknown>>();
  readonly #timer: DeadlineTimer;
  #disposed = false;
  #seq = 0;

  readonly #onDidAddSession = new Emitter<Session>();
  readonly #onDidUpdateSession = new Emitter<Session>();
  readonly #onDidWarnExpiring = new Emitter<SessionExpiring>();
  readonly #onDidEndSession = new Emitter<SessionEnded>();
  readonly #onDidReportProblem = new Emitter<string>();

  readonly onDidAddSession: Event<Session> = this.#onDidAddSession.event;
  readonly onDidUpdateSession: Event<Session> = this.#onDidUpdateSession.event;
  /** Fires once per expiry, warning-lead seconds before it. */
  readonly onDidWarnExpiring: Event<SessionExpiring> = this.#onDidWarnExpiring.event;
  readonly onDidEndSession: Event<SessionEnded> = this.#onDidEndSession.event;
  /** Problems that must not stop a revoke (journal or audit not writable, a failed auto-renew). */
  readonly onDidReportProblem: Event<string> = this.#onDidReportProblem.event;

  constructor(options: SessionManagerOptions) {
    this.#clock = options.clock;
    this.#leaseApi = options.leaseApi;
    this.#journal = options.journal;
    this.#audit = options.audit;
    const policy = { ...DEFAULT_SCHEDULE_POLICY, ...options.policy };
    if (options.policy?.renewLeadSeconds === undefined) policy.renewLeadSeconds = policy.warnLeadSeconds + 60;
    this.#policy = policy;
    this.#owner = options.owner ?? currentProcessIdentity();
    this.#backoff = options.backoff ?? REVOKE_RETRY_BACKOFF;
    this.#random = options.random ?? Math.random;
    this.#hookTimeoutMs = options.hookTimeoutMs ?? 2000;
    this.#timer = new DeadlineTimer(this.#clock, () => this.#onTimer());
    this.#endDeps = {
      journal: this.#journal,
      leaseApi: this.#leaseApi,
      audit: this.#audit,
      clock: this.#clock,
      reportProblem: (m) => this.#report(m),
      ...(options.stopAgent ? { stopAgent: options.stopAgent } : {}),
    };
  }

  // ---- queries ----

  get(sessionId: string): Session | undefined {
    const t = this.#sessions.get(sessionId);
    return t && snapshot(t);
  }

  /** Sessions not yet ended, including those whose revocation failed and waits for a retry. */
  list(): Session[] {
    return [...this.#sessions.values()].map(snapshot);
  }

  /** Timers this manager holds right now: 1 while anything is scheduled, never one per session. */
  armedTimerCount(): number {
    return this.#timer.armed ? 1 : 0;
  }

  /** The deadline the timer is armed for (for status and tests). */
  nextDeadline(): Deadline | undefined {
    return nextDeadline(this.#views(), this.#policy);
  }

  /** Resolves when no revocation, renewal, journal or hook work is in flight. */
  async whenIdle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  // ---- issue ----

  /**
   * Records a credential that was just issued. If it cannot be journaled (so a crash could not
   * clean it up), it is revoked at once and the error is thrown: nothing is left half-issued.
   */
  async add(input: NewSession): Promise<Session> {
    this.#assertAlive();
    const now = this.#clock.now();
    const issuedAt = input.issuedAt ?? now;
    const t: Tracked = {
      session: {
        id: '',
        targetId: input.targetId,
        kind: input.kind,
        ...(input.leaseId ? { leaseId: input.leaseId } : {}),
        ...(input.childAccessor ? { childAccessor: input.childAccessor } : {}),
        issuedAt,
        expiresAt: issuedAt + input.ttlSeconds * 1000,
        renewable: input.renewable && Boolean(input.leaseId),
        ...(input.maxExpiresAt !== undefined ? { maxExpiresAt: input.maxExpiresAt } : {}),
        ...(input.leaseExpiresAt !== undefined ? { leaseExpiresAt: input.leaseExpiresAt } : {}),
        ...(input.agentPid !== undefined ? { agentPid: input.agentPid } : {}),
        ...(input.agentStartTime != null ? { agentStartTime: input.agentStartTime } : {}),
        state: 'active',
        pid: this.#owner.pid,
        revokeAttempts: 0,
      },
      ...(input.onEnd ? { onEnd: input.onEnd } : {}),
      ttlSeconds: input.ttlSeconds,
      renewedAt: issuedAt,
      warned: false,
      hooksRan: false,
      autoRenewFailures: 0,
      autoRenewStopped: false,
      seq: 0,
    };
    try {
      await this.#journalNewSession(t);
    } catch (error) {
      await this.#discardUnjournaled(t);
      throw error;
    }
    t.seq = ++this.#seq;
    this.#sessions.set(t.session.id, t);
    this.#auditSafely(t, { action: 'issued', detail: `expires ${formatClockTime(t.session.expiresAt)}`, ...(input.reason ? { reason: input.reason } : {}) });
    this.#onDidAddSession.fire(snapshot(t));
    this.#rearm();
    return snapshot(t);
  }

  async #journalNewSession(t: Tracked): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let id = newSessionId();
      while (this.#sessions.has(id)) id = newSessionId();
      t.session.id = id;
      try {
        await this.#journal.put(journalEntryOf(t, this.#owner));
        return;
      } catch (error) {
        // Another keyfob process took the same id: draw again.
        if (error instanceof SessionError && error.reason === 'JOURNAL_DUPLICATE_SESSION' && attempt < 5) continue;
        throw error;
      }
    }
  }

  // Not a session end: the session never existed (nothing journaled or audited), so there is
  // nothing to record; only the credential is undone.
  async #discardUnjournaled(t: Tracked): Promise<void> {
    try {
      await t.onEnd?.('crash-recovery');
    } catch {
      // the journal error is the one to report
    }
    if (!t.session.leaseId) return;
    const revoked = await this.#leaseApi.revokeLease(t.session.leaseId, t.session.childAccessor).then(
      () => true,
      () => false,
    );
    // As the revoke path does once a session has ended: the child token is of no more use.
    if (revoked && t.session.childAccessor) await this.#leaseApi.forgetSessionToken?.(t.session.childAccessor).catch(() => undefined);
  }

  // ---- renew ----

  /**
   * Extends a session's lease by `incrementSeconds`. When Vault caps it at the lease's max TTL,
   * the result and the session say so: the new expiry and why.
   */
  renew(sessionId: string, incrementSeconds: number): Promise<RenewResult> {
    const t = this.#sessions.get(sessionId);
    if (!t) return Promise.reject(new SessionError('SESSION_NOT_FOUND', `No session ${sessionId} in this process`));
    const s = t.session;
    if (s.state !== 'active' && s.state !== 'expiring') {
      return Promise.reject(new SessionError('SESSION_ENDING', `Session ${s.id} (${s.targetId}) is ending and cannot be extended`));
    }
    if (!s.leaseId) {
      const why = s.kind === 'ssh' ? 'an SSH certificate cannot be renewed; start a new session instead' : 'it has no Vault lease';
      return Promise.reject(new SessionError('LEASE_NOT_RENEWABLE', `Session ${s.id} (${s.targetId}) cannot be extended: ${why}`));
    }
    if (!s.renewable) {
      return Promise.reject(
        new SessionError('LEASE_NOT_RENEWABLE', `Session ${s.id} (${s.targetId}) cannot be extended: Vault issued its lease as not renewable`),
      );
    }
    if (t.renewing) return t.renewing;
    const work = this.#renew(t, s.leaseId, incrementSeconds);
    t.renewing = work;
    this.#rearm();
    const done = work.finally(() => {
      t.renewing = undefined;
      this.#rearm();
    });
    this.#track(done.catch(() => {}));
    return done;
  }

  async #renew(t: Tracked, leaseId: string, incrementSeconds: number): Promise<RenewResult> {
    const s = t.session;
    let result;
    try {
      result = await this.#leaseApi.renewLease(leaseId, incrementSeconds, s.childAccessor);
    } catch (error) {
      if (/not renewable/i.test(errorMessage(error)) && s.renewable) {
        s.renewable = false;
        this.#onDidUpdateSession.fire(snapshot(t));
      }
      throw error;
    }
    const now = this.#clock.now();
    const { expiresAt, capped, cap, message } = renewalOutcome(s.issuedAt, result, incrementSeconds, now);
    // Vault will not go past a capped expiry: it is the lease's max expiry from now on.
    if (capped) s.maxExpiresAt = expiresAt;
    if (s.state === 'active' || s.state === 'expiring') {
      s.expiresAt = expiresAt;
      s.renewable = result.renewable;
      s.state = 'active';
      if (cap) s.cap = cap;
      else delete s.cap;
      t.warned = false;
      t.renewedAt = now;
      t.nextRenewAt = undefined;
      // A renewal sets the lease's TTL from now: Vault's expiry is the session's again.
      s.leaseExpiresAt = expiresAt;
      this.#journalSafely(journalRenewal(this.#journal, s.id, { expiresAt }).then(() => undefined));
      this.#auditSafely(t, { action: 'renewed', detail: message });
      this.#onDidUpdateSession.fire(snapshot(t));
    }
    return { session: snapshot(t), capped, message, warnings: result.warnings };
  }

  #autoRenew(t: Tracked): void {
    const { session } = t;
    this.renew(session.id, t.ttlSeconds).then(
      () => {
        t.autoRenewFailures = 0;
      },
      (error: unknown) => {
        t.autoRenewFailures++;
        const retryAt = this.#clock.now() + backoffDelay(t.autoRenewFailures, this.#backoff, this.#random);
        if (retryAt < session.expiresAt && session.renewable) t.nextRenewAt = retryAt;
        else t.autoRenewStopped = true;
        this.#report(`Could not extend session ${session.id} (${session.targetId}): ${errorMessage(error)}`);
        this.#rearm();
      },
    );
  }

  // ---- hand-over ----

  /**
   * Gives a session away instead of ending it (credential_process: the AWS CLI caches the keys
   * until they expire): it leaves this manager, so no revoke path runs for it at exit, but stays
   * journaled, marked held by credential_process (fsynced before the keys are handed out), so
   * `status` shows it, `revoke`/`logout` end it and crash recovery leaves it alone until it expires.
   */
  async handOver(sessionId: string): Promise<Session | undefined> {
    const t = this.#sessions.get(sessionId);
    if (!t || t.ending) return undefined;
    await this.#journal.patch(sessionId, { heldBy: 'credential-process' });
    this.#sessions.delete(sessionId);
    this.#rearm();
    return snapshot(t);
  }

  // ---- end: the one revoke path ----

  /**
   * Ends a session of this process through the revoke path (`endSession`: journal, cleanup, Vault,
   * journal, audit), then updates it here and fires the event. Every in-process end trigger comes
   * here. Never throws; a failed revocation is kept and retried with backoff.
   */
  end(sessionId: string, reason: EndReason): Promise<EndOutcome> {
    const t = this.#sessions.get(sessionId);
    if (!t) return Promise.resolve({ sessionId, status: 'not-found' });
    if (t.ending) return t.ending;
    // A session whose revocation failed keeps its first reason; asking again retries now.
    t.session.endReason ??= reason;
    t.session.state = 'revoking';
    t.nextRetryAt = undefined;
    const ending = this.#revoke(t).finally(() => {
      t.ending = undefined;
      this.#rearm();
    });
    t.ending = ending;
    this.#track(ending);
    this.#rearm();
    return ending;
  }

  /** Ends every session in parallel, at most `concurrency` at once, giving up waiting at `deadlineMs`. */
  async endAll(reason: EndReason, options: EndAllOptions = {}): Promise<EndAllResult> {
    const ids = [...this.#sessions.keys()];
    const result = await runBounded(ids, (id) => this.end(id, reason), {
      concurrency: options.concurrency ?? REVOKE_CONCURRENCY,
      deadlineMs: options.deadlineMs ?? REVOKE_DEADLINE_MS,
      clock: this.#clock,
    });
    const out: EndAllResult = { ended: [], failed: [], timedOut: [...result.inFlight] };
    for (const r of result.settled) {
      if (!r.ok) out.failed.push({ sessionId: r.item, error: errorMessage(r.error) });
      else if (r.value.status === 'revoke-failed') out.failed.push({ sessionId: r.item, error: r.value.error });
      else out.ended.push(r.item);
    }
    for (const id of result.notStarted) {
      const t = this.#sessions.get(id);
      if (!t || t.ending) continue;
      out.timedOut.push(id);
      t.session.endReason ??= reason;
      const failed = await recordFailedRevocation(endingOf(t, this.#owner), t.session.endReason, 'not attempted before the deadline', this.#endDeps, {
        retryDelayMs: this.#retryDelayMs,
      });
      this.#keepForRetry(t, failed);
    }
    return out;
  }

  async #revoke(t: Tracked): Promise<EndOutcome> {
    const s = t.session;
    const reason = s.endReason!;
    this.#onDidUpdateSession.fire(snapshot(t));
    // The revoke path journals, revokes and audits; here only the in-memory session, events and retry timing follow it.
    const outcome = await endSession(endingOf(t, this.#owner), reason, this.#endDeps, {
      runCleanup: () => this.#runHook(t, reason),
      retryDelayMs: this.#retryDelayMs,
    });
    if (outcome.status === 'revoke-failed') {
      this.#keepForRetry(t, outcome);
      return { sessionId: s.id, status: 'revoke-failed', error: outcome.error };
    }
    this.#ended(t);
    const detail = outcome.status === 'not-found' ? undefined : (outcome.revokeError ?? (outcome.cleanupError && `cleanup failed: ${outcome.cleanupError}`));
    return { sessionId: s.id, status: 'ended', ...(detail ? { detail } : {}) };
  }

  /** Runs the session's cleanup once; returns what went wrong, if anything (never throws). */
  async #runHook(t: Tracked, reason: EndReason): Promise<string | undefined> {
    if (t.hooksRan || !t.onEnd) return undefined;
    t.hooksRan = true;
    const hook = t.onEnd;
    let timer: TimerHandle | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = this.#clock.setTimer(() => reject(new Error(`did not finish within ${this.#hookTimeoutMs} ms`)), this.#hookTimeoutMs);
      });
      await Promise.race([Promise.resolve().then(() => hook(reason)), timeout]);
      return undefined;
    } catch (error) {
      return redactSecrets(errorMessage(error));
    } finally {
      if (timer !== undefined) this.#clock.clearTimer(timer);
    }
  }

  /** A revocation that failed (journaled and audited by the revoke path) waits here for its retry. */
  #keepForRetry(t: Tracked, failed: { revokeAttempts: number; error: string; nextRetryAt?: number }): void {
    const s = t.session;
    s.state = 'revoke-failed';
    s.revokeAttempts = failed.revokeAttempts;
    s.lastError = failed.error;
    t.nextRetryAt = failed.nextRetryAt;
    this.#onDidUpdateSession.fire(snapshot(t));
    this.#rearm();
  }

  #ended(t: Tracked): void {
    const s = t.session;
    s.state = 'ended';
    this.#sessions.delete(s.id);
    this.#onDidEndSession.fire({ session: snapshot(t), reason: s.endReason! });
    this.#rearm();
  }

  /**
   * Picks up revocations made by another keyfob process (`keyfob revoke ID` in another terminal,
   * the tray's "revoke"): a session of ours whose journal entry is gone or being revoked there
   * ends here too, running its cleanup (stop the command, kill the agent). That process revokes
   * and audits; we leave its journal entry alone. An entry gone with no removal line (the journal
   * deleted or unreadable) was revoked by nobody: this process, which holds it, revokes it. Call it when the journal changes (Journal.watch).
   */
  async reconcile(): Promise<string[]> {
    const seenUpTo = this.#seq;
    let entries: JournalEntry[];
    try {
      entries = await this.#journal.list();
    } catch (error) {
      this.#report(`Could not read the session journal: ${errorMessage(error)}`);
      return [];
    }
    const byId = new Map(entries.map((e) => [e.sessionId, e]));
    const handedOff: string[] = [];
    for (const t of [...this.#sessions.values()]) {
      const s = t.session;
      if (t.seq > seenUpTo || t.ending || (s.state !== 'active' && s.state !== 'expiring')) continue;
      const verdict = reconcileVerdict(s, byId.get(s.id), this.#journal.endReasonOf?.(s.id));
      if (verdict.kind === 'unchanged') continue;
      if (verdict.kind === 'journal-lost') {
        this.#report(`Session ${s.id} (${s.targetId}) vanished from the session journal without being revoked; revoking it here`);
        void this.end(s.id, 'revoked');
        continue;
      }
      if (verdict.kind === 'adopt-expiry') {
        s.expiresAt = verdict.expiresAt;
        s.state = 'active';
        t.warned = false;
        this.#onDidUpdateSession.fire(snapshot(t));
        continue;
      }
      handedOff.push(s.id);
      s.endReason = verdict.reason;
      s.state = 'revoking';
      const ending = this.#endedElsewhere(t).finally(() => {
        t.ending = undefined;
      });
      t.ending = ending;
      this.#track(ending);
    }
    this.#rearm();
    return handedOff;
  }

  async #endedElsewhere(t: Tracked): Promise<EndOutcome> {
    const s = t.session;
    this.#onDidUpdateSession.fire(snapshot(t));
    const hookError = await this.#runHook(t, s.endReason!);
    if (hookError) this.#report(`Cleanup of session ${s.id} failed: ${hookError}`);
    s.state = 'ended';
    this.#sessions.delete(s.id);
    this.#onDidEndSession.fire({ session: snapshot(t), reason: s.endReason! });
    this.#rearm();
    return { sessionId: s.id, status: 'ended', detail: 'revoked by another keyfob process' };
  }

  // ---- the one timer ----

  #rearm(): void {
    if (this.#disposed) return;
    this.#timer.arm(nextDeadline(this.#views(), this.#policy)?.at);
  }

  #onTimer(): void {
    if (this.#disposed) return;
    const now = this.#clock.now();
    for (const t of [...this.#sessions.values()]) {
      const due = sessionDeadlines(scheduleViewOf(t), this.#policy).filter((d) => d.at <= now);
      if (due.some((d) => d.action === 'expire')) {
        void this.end(t.session.id, 'expired');
        continue;
      }
      for (const d of due) {
        if (d.action === 'retry-revoke') void this.end(t.session.id, t.session.endReason ?? 'revoked');
        else if (d.action === 'renew') this.#autoRenew(t);
        else if (d.action === 'warn') this.#warn(t, now);
      }
    }
    this.#rearm();
  }

  #warn(t: Tracked, now: number): void {
    t.warned = true;
    t.session.state = 'expiring';
    this.#journalSafely(this.#journal.patch(t.session.id, { state: 'expiring' }));
    const session = snapshot(t);
    this.#onDidUpdateSession.fire(session);
    this.#onDidWarnExpiring.fire({ session, secondsLeft: Math.max(0, Math.round((t.session.expiresAt - now) / 1000)) });
  }

  #views(): ScheduleView[] {
    // Sessions being revoked have no deadline: building their views made each re-arm during a
    // revoke-all of 100 cost 100 views, a third of endAll's own work (--cpu-prof).
    const views: ScheduleView[] = [];
    for (const t of this.#sessions.values()) if (mayHaveDeadlines(t.session.state)) views.push(scheduleViewOf(t));
    return views;
  }

  // ---- plumbing ----

  #journalSafely(write: Promise<void>): Promise<void> {
    const safe = write.catch((error: unknown) => this.#report(`Could not update the session journal: ${errorMessage(error)}`));
    this.#track(safe);
    return safe;
  }

  /** Issue and renewal lines; the end of a session is audited by the revoke path. */
  #auditSafely(t: Tracked, entry: Pick<AuditInput, 'detail' | 'reason'> & { action: 'issued' | 'renewed' }): void {
    const s = t.session;
    try {
      this.#audit.append({ target: s.targetId, sessionId: s.id, ...(s.leaseId ? { leaseId: s.leaseId } : {}), ...entry });
    } catch (error) {
      this.#report(`Could not write the audit log: ${errorMessage(error)}`);
    }
  }

  #report(message: string): void {
    this.#onDidReportProblem.fire(message);
  }

  #track(work: Promise<unknown>): void {
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work)).catch(() => {});
  }

  #assertAlive(): void {
    if (this.#disposed) throw new Error('SessionManager is disposed');
  }

  /** Stops the timer and the events. Does not end sessions: call endAll first (quit, logout). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#timer.dispose();
    for (const emitter of [this.#onDidAddSession, this.#onDidUpdateSession, this.#onDidWarnExpiring, this.#onDidEndSession, this.#onDidReportProblem]) {
      emitter.dispose();
    }
  }
}
