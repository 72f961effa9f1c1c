// Retry timing for revocations that failed (Vault unreachable, a backend error): grows
// exponentially, capped, with jitter so many failed leases do not retry in one burst.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 0.2 spreads each delay over ±20 %. */
  jitter: number;
}

export const REVOKE_RETRY_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 5 * 60_000, jitter: 0.2 };

/** The delay before retry number `attempt` (1 = the first retry). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = REVOKE_RETRY_BACKOFF, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 - policy.jitter + 2 * policy.jitter * random()));
}
