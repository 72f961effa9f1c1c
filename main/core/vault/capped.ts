// Did Vault grant less than asked because of a max TTL? One answer for session leases, `renew`
// and the Vault sign-in, instead of a regex in each.

/**
 * Vault says so in a warning when it caps a TTL at the max (vault-api.md §2, CalculateTTL:
 * `TTL of "1h" exceeded the effective max_ttl of "10m"; TTL value is capped accordingly`).
 * Granting less than `askedSeconds` is a cap too. Without a number asked for (renew-self with
 * the default increment) only the warning counts: two renewals a moment apart gain almost
 * nothing without any cap.
 */
export function isCapped(renewal: { warnings: readonly string[]; leaseDuration: number }, askedSeconds?: number): boolean {
  return renewal.warnings.some((w) => /max_ttl|capped/i.test(w)) || (askedSeconds !== undefined && renewal.leaseDuration < askedSeconds);
}
