// Usernames, passwords and TTL math the way Vault's database engine and postgres plugin make them.
import { VaultError } from '../backend.ts';
import { SYSTEM_MAX_TTL } from './fields.ts';
import { randomBase62 } from './random.ts';

/**
 * The postgres plugin's default username template:
 * {{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}
 * e.g. display name "oidc-alice", role "orders-ro" → "v-oidc-ali-orders-r-<20 base62>-<unix>".
 */
export function generateUsername(displayName: string, roleName: string, now: Date = new Date()): string {
  const unix = Math.floor(now.getTime() / 1000);
  return `v-${displayName.slice(0, 8)}-${roleName.slice(0, 8)}-${randomBase62(20)}-${unix}`.slice(0, 63);
}

/** Vault's classic generated password: 20 characters starting "A1a-" so any complexity rule passes. */
export function generatePassword(): string {
  return `A1a-${randomBase62(16)}`;
}

/**
 * framework.CalculateTTL with the system defaults (768h), as the engine uses it for the DB user's
 * expiry: ttl = increment || role default || system default, capped to what is left of max_ttl
 * since issue. Past the max is an error, as in Vault.
 */
export function calculateTtl(options: { increment: number; defaultTtl: number; maxTtl: number; issueTime?: Date; now?: Date }): number {
  const now = options.now ?? new Date();
  const maxTtl = options.maxTtl > 0 ? Math.min(options.maxTtl, SYSTEM_MAX_TTL) : SYSTEM_MAX_TTL;
  let ttl = options.increment || options.defaultTtl || SYSTEM_MAX_TTL;
  const issued = options.issueTime ?? now;
  const remaining = Math.floor((issued.getTime() + maxTtl * 1000 - now.getTime()) / 1000);
  if (remaining <= 0) throw new VaultError(400, 'past the max TTL, cannot renew');
  if (ttl > remaining) ttl = remaining;
  return ttl;
}
