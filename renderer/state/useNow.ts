// One clock for every countdown on the page. It ticks once a second only while the page is
// visible; a hidden window schedules nothing, and becoming visible re-reads the time at once.
import { createContext, useContext, useEffect, useState } from 'react';

export const NowContext = createContext<number>(Date.now());
export const useNow = () => useContext(NowContext);

export interface IntervalTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}
const browserTimers: IntervalTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export function useVisibleClock(intervalMs = 1000, now: () => number = Date.now, timers: IntervalTimers = browserTimers): number {
  const [time, setTime] = useState(now);
  useEffect(() => {
    let timer: unknown = null;
    const stop = () => {
      if (timer !== null) timers.clearInterval(timer);
      timer = null;
    };
    const sync = () => {
      stop();
      if (document.visibilityState !== 'visible') return;
      setTime(now());
      timer = timers.setInterval(() => setTime(now()), intervalMs);
    };
    sync();
    document.addEventListener('visibilitychange', sync);
    return () => {
      document.removeEventListener('visibilitychange', sync);
      stop();
    };
  }, [intervalMs, now, timers]);
  return time;
}
