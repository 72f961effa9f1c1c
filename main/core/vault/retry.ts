// When and how long to wait before asking Vault again. Pure functions, so the policy is
// testable without a clock. Follows Vault's own Go client (412, 429, 5xx except 501, and
// connection errors; jittered linear backoff) and, unlike it, honours Retry-After.

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  minWaitMs: number;
  maxWaitMs: number;
  /** A Retry-After longer than this is not waited out: the error goes straight to the user. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 2, minWaitMs: 400, maxWaitMs: 900, maxRetryAfterMs: 15_000 };

/**
 * Whether a status means "Vault did not do it, ask again". 400/403/404 are answers, and 501
 * (not initialised) will not change by retrying.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 412 || status === 429 || (status >= 500 && status !== 501);
}

/**
 * Statuses that prove the request was not carried out (refused before any work), so even a call
 * that issues a credential may be repeated without leaving an unknown second credential behind.
 */
export function provesNotExecuted(status: number): boolean {
  return status === 412 || status === 429 || status === 503;
}

/** Linear backoff with jitter: attempt 1 waits min..max, attempt 2 twice that, and so on. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = policy.minWaitMs + (policy.maxWaitMs - policy.minWaitMs) * random();
  return Math.round(base * attempt);
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
