// A lease must never outlive its session. The session's end (expiresAt) and Vault's own expiry
// of the lease can differ: a session shorter than the role's TTL ends first, and Vault keeps the
// credential alive until its lease runs out. So a revocation may be skipped or dropped only once
// **Vault's** expiry has passed; before that it is always sent (revoking an ended lease is a 204).

/** When Vault itself expires the lease: its journaled expiry, else (older journals) the session's end. */
export function vaultExpiryOf(entry: { expiresAt: number; leaseExpiresAt?: number | undefined }): number {
  return Math.max(entry.expiresAt, entry.leaseExpiresAt ?? entry.expiresAt);
}

/**
 * The increment that shortens a freshly issued lease to the session's TTL, or undefined when no
 * shortening is needed (or possible). `sys/leases/renew` with `increment` sets the lease's TTL
 * from now, so a laptop that never runs Keyfob again still loses the credential on time.
 */
export function shortenIncrement(lease: { leaseDuration: number; renewable: boolean }, sessionTtlSeconds: number): number | undefined {
  if (!lease.renewable || sessionTtlSeconds >= lease.leaseDuration) return undefined;
  return Math.max(1, Math.floor(sessionTtlSeconds));
}
