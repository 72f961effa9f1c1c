// Countdown text and when it next changes. The tray redraws only when some label would change:
// at whole-minute steps, and every second only inside a session's last minute. There is no 1 Hz
// loop, and the time left is always recomputed from expiresAt (timers stall during sleep).

/** "2h 5m", "12m", "45s": minutes round up so "1m" is shown until the last 60 seconds. */
export function formatTimeLeft(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes}m`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h}h ${m}m` : `${h}h`;
}

/** Whole seconds left at `now` for a session expiring at `expiresAtMs`. */
export function secondsLeft(expiresAtMs: number, now: number): number {
  return Math.max(0, Math.ceil((expiresAtMs - now) / 1000));
}

/**
 * The next instant (epoch ms) at which formatTimeLeft would show something else for any of the
 * expiries, or null when nothing counts down. Inside the last minute that is the next whole
 * second; before it, the next whole-minute boundary of the time left.
 */
export function nextRefreshAt(expiriesMs: readonly number[], now: number): number | null {
  let next: number | null = null;
  for (const expiresAt of expiriesMs) {
    const leftMs = expiresAt - now;
    if (leftMs <= 0) continue;
    const step = leftMs <= 60_000 ? 1000 : 60_000;
    // The label changes when the time left crosses a multiple of `step` (strictly below now's).
    const at = expiresAt - (Math.ceil(leftMs / step) - 1) * step;
    if (next === null || at < next) next = at;
  }
  return next;
}
