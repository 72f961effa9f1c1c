// Vault's TTL arithmetic (sdk/framework/lease.go CalculateTTL, vault-api.md §0.6), in whole
// seconds, with the warning texts clients may show.
import { VaultError } from './backend.ts';

/** A mount's (or the system's) lease TTLs in seconds. */
export interface MountTtls {
  defaultTtl: number;
  maxTtl: number;
}

/** System default_lease_ttl = max_lease_ttl = 768h. */
export const SYSTEM_TTL = 768 * 3600;
export const systemTtls: MountTtls = { defaultTtl: SYSTEM_TTL, maxTtl: SYSTEM_TTL };

/** Go's time.Duration.String() for whole seconds ("1h0m5s", "5m30s", "7s"). */
function goDurationString(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}

/**
 * Vault's humanDuration: Duration.String() with a trailing "m0s" and then "h0m" cut, so 3600 is
 * "1h" and 330 is "5m30s" — but 3605 stays "1h0m5s" (Go keeps inner zero units).
 */
export function humanDuration(seconds: number): string {
  if (Math.round(seconds) === 0) return '0s';
  let s = goDurationString(seconds);
  if (s.endsWith('m0s')) s = s.slice(0, -2);
  if (s.endsWith('h0m')) s = s.slice(0, -2);
  return s;
}

export interface TtlInput {
  mount: MountTtls;
  /** Seconds asked for on renew; 0 = none. */
  increment: number;
  backendTtl: number;
  backendMaxTtl: number;
  explicitMaxTtl: number;
  /** When the lease/token was issued (ms); undefined = now. */
  startMs?: number;
  nowMs: number;
}

/** Returns the TTL in seconds plus capping warnings; throws 400 once past the max TTL. */
export function calculateTtl(input: TtlInput): { ttl: number; warnings: string[] } {
  // Vault truncates both instants to the second before subtracting.
  const now = Math.floor(input.nowMs / 1000);
  const start = input.startMs === undefined ? now : Math.floor(input.startMs / 1000);
  let maxTtl = input.mount.maxTtl;
  if (input.backendMaxTtl > 0 && input.backendMaxTtl < maxTtl) maxTtl = input.backendMaxTtl;
  if (input.explicitMaxTtl > 0 && input.explicitMaxTtl < maxTtl) maxTtl = input.explicitMaxTtl;
  if (maxTtl <= 0) throw new VaultError(500, 'max TTL must be greater than zero');
  let ttl = input.increment > 0 ? input.increment : input.backendTtl > 0 ? input.backendTtl : input.mount.defaultTtl;
  const maxValidTtl = start + maxTtl - now;
  if (maxValidTtl <= 0) throw new VaultError(400, 'past the max TTL, cannot renew');
  const warnings: string[] = [];
  if (maxValidTtl - ttl < 0) {
    warnings.push(`TTL of "${humanDuration(ttl)}" exceeded the effective max_ttl of "${humanDuration(maxValidTtl)}"; TTL value is capped accordingly`);
    ttl = maxValidTtl;
  }
  return { ttl, warnings };
}
