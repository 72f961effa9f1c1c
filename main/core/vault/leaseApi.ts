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
  renewLease(leaseId: string, incrementSeconds: number): Promise<LeaseRenewal>;
  /** Revokes synchronously (Vault's default sync=true); an unknown lease is not an error. */
  revokeLease(leaseId: string): Promise<void>;
}
