// One clock for every countdown on the page. It ticks once a second only while the page is
// visible; a hidden window schedules nothing, and becoming visible re-reads the time at once.
import { createContext, useContext, useEffect, useState } from 'react';

export const NowContext = createContext<number>(Date.now());
export const useNow = () => useContext(NowContext);

export function useVisibleClock(intervalMs = 1000, now: () => number = Date.now): number {
  const [time, setTime] = useState(now);
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | null = null;
    const stop = () => {
      if (timer !== null) clearInterval(timer);
      timer = null;
    };
    const sync = () => {
      stop();
      if (document.visibilityState !== 'visible') return;
      setTime(now());
      timer = setInterval(() => setTime(now()), intervalMs);
    };
    sync();
    document.addEventListener('visibilitychange', sync);
    return () => {
      document.removeEventListener('visibilitychange', sync);
      stop();
    };
  }, [intervalMs, now]);
  return time;
}
