// Benchmark (c): timers while 50 sessions are active. The session engine promises one timer to
// the next deadline, not a tick per credential. Counted three ways: the manager's own count,
// the live timers a counting clock sees (on the real clock and on a fake one), and the wake-ups
// over a simulated idle hour and then until every session has ended.
import type { AuditSink } from '../main/core/audit/index.ts';
import { FakeClock, MemoryJournal, SessionManager, systemClock, type Clock, type TimerHandle } from '../main/core/sessions/index.ts';
import type { LeaseApi } from '../main/core/vault/leaseApi.ts';

export interface TimersResult {
  sessions: number;
  /** Real clock: SessionManager.armedTimerCount() and the live timers it holds. */
  system: { armedTimerCount: number; liveTimers: number };
  fake: {
    armedTimerCount: number;
    pendingTimers: number;
    /** Minutes from now to the first deadline (a warning before the first expiry). */
    firstDeadlineInMinutes: number;
    idleHourWakeUps: number;
    /** From the end of the idle hour until all sessions ended (warn + expire each). */
    wakeUpsUntilAllEnded: number;
    deadlinesUntilAllEnded: number;
    maxPendingTimers: number;
    endedSessions: number;
  };
}

/** Wraps a clock and counts timers set, fired and still live. */
class CountingClock implements Clock {
  readonly #inner: Clock;
  readonly #live = new Set<TimerHandle>();
  fired = 0;
  maxLive = 0;

  constructor(inner: Clock) {
    this.#inner = inner;
  }

  get live(): number {
    return this.#live.size;
  }

  now(): number {
    return this.#inner.now();
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const handle: TimerHandle = this.#inner.setTimer(() => {
      this.#live.delete(handle);
      this.fired++;
      fn();
    }, ms);
    this.#live.add(handle);
    this.maxLive = Math.max(this.maxLive, this.#live.size);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    this.#live.delete(handle);
    this.#inner.clearTimer(handle);
  }
}

const leaseApi: LeaseApi = {
  renewLease: async () => ({ leaseDuration: 0, renewable: false, warnings: [] }),
  revokeLease: async () => {},
};
const audit: AuditSink = { append: () => {} };

function manager(clock: Clock): SessionManager {
  // The stack config's policy: warn 1 minute before expiry.
  return new SessionManager({ clock, leaseApi, journal: new MemoryJournal(), audit, policy: { warnLeadSeconds: 60 } });
}

/**
 * 50 sessions expiring 90 s apart from 2 h on, each warned a minute before: 100 deadlines at
 * distinct moments (a minute apart they would pair up: one session's warning at the previous one's expiry).
 */
async function addSessions(sessions: SessionManager, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await sessions.add({ targetId: `t${i}`, kind: 'database', leaseId: `database/creds/bench/${i}`, ttlSeconds: 2 * 3600 + i * 90, renewable: true });
  }
}

export async function benchTimers(count = 50): Promise<TimersResult> {
  const real = new CountingClock(systemClock);
  const onSystem = manager(real);
  await addSessions(onSystem, count);
  const system = { armedTimerCount: onSystem.armedTimerCount(), liveTimers: real.live };
  await onSystem.endAll('quit');
  await onSystem.whenIdle();
  onSystem.dispose();

  const fakeClock = new FakeClock();
  const clock = new CountingClock(fakeClock);
  const sessions = manager(clock);
  let ended = 0;
  sessions.onDidEndSession(() => ended++);
  await addSessions(sessions, count);
  const armedTimerCount = sessions.armedTimerCount();
  const pendingTimers = fakeClock.pendingTimers;
  const first = sessions.nextDeadline();
  const firstDeadlineInMinutes = first ? (first.at - fakeClock.now()) / 60_000 : Number.NaN;

  clock.fired = 0;
  await fakeClock.advance(3600_000);
  const idleHourWakeUps = clock.fired;

  clock.fired = 0;
  clock.maxLive = clock.live;
  await fakeClock.advance(3 * 3600_000);
  await sessions.whenIdle();
  const wakeUpsUntilAllEnded = clock.fired;
  sessions.dispose();
  return {
    sessions: count,
    system,
    fake: {
      armedTimerCount,
      pendingTimers,
      firstDeadlineInMinutes,
      idleHourWakeUps,
      wakeUpsUntilAllEnded,
      deadlinesUntilAllEnded: 2 * count,
      maxPendingTimers: clock.maxLive,
      endedSessions: ended,
    },
  };
}
