// The expiration manager (vault/expiration.go): registers leases for secrets backends hand out,
// renews them with CalculateTTL capping, revokes them on request, with their token, or on their
// own when the TTL runs out — retrying a failing backend revoke with backoff.
import type { Backend, SecretSpec } from './backend.ts';
import { VaultError } from './backend.ts';
import { newLeaseId } from './ids.ts';
import type { Scheduler } from './scheduler.ts';
import { calculateTtl, type MountTtls } from './ttl.ts';

export interface Lease {
  id: string;
  mountPath: string;
  backend: Backend;
  internal: Record<string, unknown>;
  issueTimeMs: number;
  expireTimeMs: number;
  lastRenewalMs: number | null;
  /** The backend's own TTL / max TTL (seconds, 0 = mount default). */
  secretTtl: number;
  secretMaxTtl: number;
  renewable: boolean;
  /** The token that read the secret; revoking the token revokes the lease. */
  tokenId: string | undefined;
  revokeAttempts: number;
  irrevocable: boolean;
}

// Vault gives up after 6 attempts (maxRevokeAttempts) and marks the lease irrevocable.
const MAX_REVOKE_ATTEMPTS = 6;
const RETRY_BASE_MS = 1000;

export interface LeaseManagerOptions {
  now: () => number;
  scheduler: Scheduler;
  mountTtls: (mountPath: string) => MountTtls;
}

export class LeaseManager {
  private readonly leases = new Map<string, Lease>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly opts: LeaseManagerOptions;

  constructor(opts: LeaseManagerOptions) {
    this.opts = opts;
  }

  /** Registers a lease; returns it and its TTL in seconds (lease_duration). */
  register(input: { requestPath: string; mountPath: string; backend: Backend; secret: SecretSpec; tokenId: string | undefined }): {
    lease: Lease;
    ttl: number;
  } {
    const mount = this.opts.mountTtls(input.mountPath);
    // request_handling.go: default TTL when the backend gave none, then limit to the mount max.
    let ttl = input.secret.ttl > 0 ? input.secret.ttl : mount.defaultTtl;
    const cap = input.secret.maxTtl > 0 ? Math.min(input.secret.maxTtl, mount.maxTtl) : mount.maxTtl;
    ttl = Math.min(ttl, cap);
    const now = this.opts.now();
    const lease: Lease = {
      id: newLeaseId(input.requestPath),
      mountPath: input.mountPath,
      backend: input.backend,
      internal: input.secret.internal,
      issueTimeMs: now,
      expireTimeMs: now + ttl * 1000,
      lastRenewalMs: null,
      secretTtl: input.secret.ttl,
      secretMaxTtl: input.secret.maxTtl,
      renewable: input.secret.renewable,
      tokenId: input.tokenId,
      revokeAttempts: 0,
      irrevocable: false,
    };
    this.leases.set(lease.id, lease);
    this.scheduleExpiry(lease, lease.expireTimeMs);
    return { lease, ttl };
  }

  get(id: string): Lease | undefined {
    return this.leases.get(id);
  }

  /** sys/leases/lookup data (vault-api.md §3.1); ttl truncates like Go's int64(Seconds()). */
  describe(lease: Lease): Record<string, unknown> {
    const now = this.opts.now();
    return {
      id: lease.id,
      issue_time: new Date(lease.issueTimeMs).toISOString(),
      expire_time: new Date(lease.expireTimeMs).toISOString(),
      last_renewal: lease.lastRenewalMs === null ? null : new Date(lease.lastRenewalMs).toISOString(),
      renewable: this.renewError(lease) === undefined,
      ttl: Math.max(0, Math.trunc((lease.expireTimeMs - now) / 1000)),
    };
  }

  private renewError(lease: Lease | undefined): string | undefined {
    if (!lease) return 'lease not found';
    if (lease.irrevocable) return 'lease is expired and has failed previous revocation attempts';
    if (lease.expireTimeMs < this.opts.now()) return 'lease expired';
    if (!lease.renewable) return 'lease is not renewable';
    return undefined;
  }

  async renew(id: string, increment: number): Promise<{ lease: Lease; ttl: number; warnings: string[] }> {
    const lease = this.leases.get(id);
    const problem = this.renewError(lease);
    if (problem || !lease) throw new VaultError(400, problem ?? 'lease not found');
    let backendTtl = lease.secretTtl;
    let backendMaxTtl = lease.secretMaxTtl;
    if (lease.backend.renew) {
      // sys/leases/renew turns every renewal failure into a 400 (handleErrorNoReadOnlyForward).
      const renewed = await lease.backend.renew({ internal: lease.internal, increment, issueTime: new Date(lease.issueTimeMs) }).catch((err: unknown) => {
        throw err instanceof VaultError ? err : new VaultError(400, err instanceof Error ? err.message : String(err));
      });
      backendTtl = renewed.ttl;
      backendMaxTtl = renewed.maxTtl;
    }
    const now = this.opts.now();
    const { ttl, warnings } = calculateTtl({
      mount: this.opts.mountTtls(lease.mountPath),
      increment,
      backendTtl,
      backendMaxTtl,
      explicitMaxTtl: 0,
      startMs: lease.issueTimeMs,
      nowMs: now,
    });
    lease.expireTimeMs = now + ttl * 1000;
    lease.lastRenewalMs = now;
    this.scheduleExpiry(lease, lease.expireTimeMs);
    return { lease, ttl, warnings };
  }

  /**
   * Revokes one lease through its backend; unknown ids are a no-op (Vault answers 204).
   * A backend failure throws VaultError(400) and keeps the lease, unless `force`.
   */
  async revoke(id: string, force = false): Promise<void> {
    const running = this.inFlight.get(id);
    if (running) {
      await running.catch(() => undefined);
      if (!this.leases.has(id)) return;
    }
    const lease = this.leases.get(id);
    if (!lease) return;
    const attempt = (async () => {
      try {
        await lease.backend.revoke?.(lease.internal);
      } catch (err) {
        if (!force) throw new VaultError(400, `failed to revoke entry: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.forget(lease.id);
    })();
    this.inFlight.set(id, attempt);
    try {
      await attempt;
    } finally {
      this.inFlight.delete(id);
    }
  }

  /** Ids under a prefix; an exact id without trailing "/" means just that lease (revokePrefixCommon). */
  idsUnder(prefix: string): string[] {
    if (!prefix.endsWith('/') && this.leases.has(prefix)) return [prefix];
    const dir = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    return [...this.leases.keys()].filter((id) => id.startsWith(dir));
  }

  async revokePrefix(prefix: string, force: boolean): Promise<void> {
    for (const id of this.idsUnder(prefix)) await this.revoke(id, force);
  }

  /** The next path segment of every lease under prefix ("dir/" for deeper ones). */
  listPrefix(prefix: string): string[] {
    const keys = new Set<string>();
    for (const id of this.leases.keys()) {
      if (!id.startsWith(prefix)) continue;
      const rest = id.slice(prefix.length);
      const slash = rest.indexOf('/');
      keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
    }
    return [...keys].sort();
  }

  /** Revokes every lease a token read; failures go to the background retry queue. */
  async revokeByToken(tokenId: string): Promise<void> {
    const owned = [...this.leases.values()].filter((l) => l.tokenId === tokenId);
    await Promise.all(owned.map((l) => this.revoke(l.id).catch(() => this.retryLater(l))));
  }

  /** Leases of a mount being disabled: revoked, failures ignored (the backend is going away). */
  async revokeMount(mountPath: string): Promise<void> {
    const owned = [...this.leases.values()].filter((l) => l.mountPath === mountPath);
    await Promise.all(owned.map((l) => this.revoke(l.id, true)));
  }

  private forget(id: string): void {
    this.leases.delete(id);
    this.opts.scheduler.cancel(`lease:${id}`);
  }

  private scheduleExpiry(lease: Lease, at: number): void {
    this.opts.scheduler.schedule(`lease:${lease.id}`, at, () => {
      void this.revoke(lease.id).catch(() => this.retryLater(lease));
    });
  }

  private retryLater(lease: Lease): void {
    if (!this.leases.has(lease.id)) return;
    lease.revokeAttempts += 1;
    if (lease.revokeAttempts >= MAX_REVOKE_ATTEMPTS) {
      lease.irrevocable = true;
      return;
    }
    this.scheduleExpiry(lease, this.opts.now() + RETRY_BASE_MS * 2 ** (lease.revokeAttempts - 1));
  }
}
