import type { Clock } from './clock.ts';

// Runs work over many items at once, at most `concurrency` in flight, and stops starting new
// work at an overall deadline, so revoking 100 leases takes a few round trips, not 100, and
// quitting never hangs on an unreachable Vault.

/**
 * How many revocations run at once, and how long ending many may take, wherever many sessions end
 * together (quit, logout, revoke --all, crash recovery). 100, picked by measurement (npm run bench,
 * a Vault 20 ms away): 100 leases go in one wave, about 2 round trips with the connections they
 * open, where 32 took 4 waves (6.7x one round trip). Vault queues what its plugins cannot take at
 * once, and a rate-limit quota is met by the transport's gate (vault/rateGate.ts), not by this bound.
 */
export const REVOKE_CONCURRENCY = 100;
export const REVOKE_DEADLINE_MS = 5000;

export interface BoundedOptions {
  concurrency: number;
  deadlineMs: number;
  clock: Clock;
}

export type Settled<T, R> = { item: T; ok: true; value: R } | { item: T; ok: false; error: unknown };

export interface BoundedResult<T, R> {
  settled: Settled<T, R>[];
  /** Started but still running at the deadline. */
  inFlight: T[];
  /** Never started because the deadline came first. */
  notStarted: T[];
}

export function runBounded<T, R>(items: readonly T[], worker: (item: T) => Promise<R>, options: BoundedOptions): Promise<BoundedResult<T, R>> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const settled: Settled<T, R>[] = [];
  const running = new Set<T>();
  let next = 0;
  let expired = false;

  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      options.clock.clearTimer(timer);
      resolve({ settled: [...settled], inFlight: [...running], notStarted: items.slice(next) });
    };
    const timer = options.clock.setTimer(() => {
      expired = true;
      finish();
    }, options.deadlineMs);

    const startNext = (): void => {
      if (expired || next >= items.length) {
        if (running.size === 0) finish();
        return;
      }
      const item = items[next++]!;
      running.add(item);
      let work: Promise<R>;
      try {
        work = worker(item);
      } catch (error) {
        work = Promise.reject(error);
      }
      work
        .then(
          (value) => settled.push({ item, ok: true, value }),
          (error: unknown) => settled.push({ item, ok: false, error }),
        )
        .finally(() => {
          running.delete(item);
          startNext();
        });
    };

    if (items.length === 0) finish();
    else for (let i = 0; i < Math.min(concurrency, items.length); i++) startNext();
  });
}
