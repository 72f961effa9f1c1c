// Time enters the session engine only through this interface, so the scheduler can be driven by
// a fake clock in tests and benchmarks, and nothing patches globals.

export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

// setTimeout silently fires at once for delays above 2^31-1 ms (~24.8 days); callers re-arm instead.
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_DELAY_MS));
    // A pending deadline alone must not keep a CLI alive; the command or the tray keeps the loop busy.
    handle.unref();
    return handle;
  },
  clearTimer(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
