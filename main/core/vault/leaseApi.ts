// The narrow slice of the Vault client that sessions need to renew and revoke leases.
// Sessions depend on this interface, not on VaultClient, so tests can pass a fake.

export interface LeaseRenewal {
  /** Seconds the lease now has left, as Vault granted it (may be capped below the increment). */
  leaseDuration: number;
  renewable: boolean;
  /** Vault's warnings, e.g. `TTL of "1h" exceeded the effective max_ttl of "10m"; TTL value is capped accordingly`. */
  warnings: string[];
}

export interface LeaseApi {
  /**
   * Extends a lease. With `childAccessor` (the session's child token, which owns the lease), the
   * child token is extended too: its expiry would revoke the lease.
   */
  renewLease(leaseId: string, incrementSeconds: number, childAccessor?: string): Promise<LeaseRenewal>;
  /**
   * Revokes synchronously (Vault's default sync=true); an unknown lease is not an error. With
   * `childAccessor`, the session's child token revokes itself, and Vault its leases with it. May
   * return a note for the audit line (e.g. the token had already ended).
   */
  revokeLease(leaseId: string, childAccessor?: string): Promise<string | void>;
  /** Forgets what this machine keeps for a session's child token once the session has ended. */
  forgetSessionToken?(childAccessor: string): Promise<void>;
}
