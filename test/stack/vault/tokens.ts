// The token store: service tokens with TTLs, renewal through CalculateTTL, revocation of the
// token, its children and every lease it read; expired tokens are revoked on their own.
import { VaultError, type Caller } from './backend.ts';
import { newAccessor, newServiceToken, newUuid } from './ids.ts';
import type { LeaseManager } from './leases.ts';
import type { Scheduler } from './scheduler.ts';
import { calculateTtl, type MountTtls } from './ttl.ts';

export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  /** The request path that created it: "auth/token/create", "auth/oidc/oidc/callback". */
  path: string;
  /** The auth mount, for its TTLs on renewal ("auth/token/"). */
  mountPath: string;
  meta: Record<string, string> | null;
  displayName: string;
  orphan: boolean;
  parent: string | undefined;
  entityId: string;
  creationMs: number;
  expireMs: number | null;
  lastRenewalMs: number | null;
  /** The TTL computed at issue: renewal without an increment asks for it again. */
  creationTtl: number;
  backendMaxTtl: number;
  explicitMaxTtl: number;
  renewable: boolean;
}

export interface NewToken {
  policies: string[];
  noDefaultPolicy?: boolean;
  path: string;
  mountPath: string;
  meta: Record<string, string> | null;
  displayName: string;
  orphan: boolean;
  parent?: string;
  entityId?: string;
  ttl: number;
  backendMaxTtl: number;
  explicitMaxTtl: number;
  renewable: boolean;
  id?: string;
}

/** Sorted, deduplicated, "default" added unless asked not to; root stands alone. */
export function sanitizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  const set = new Set(policies.map((p) => p.trim().toLowerCase()).filter(Boolean));
  if (set.has('root')) return ['root'];
  if (addDefault) set.add('default');
  return [...set].sort();
}

export interface TokenStoreOptions {
  now: () => number;
  scheduler: Scheduler;
  leases: LeaseManager;
  mountTtls: (mountPath: string) => MountTtls;
}

export class TokenStore {
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly entities = new Map<string, string>();
  private readonly opts: TokenStoreOptions;

  constructor(opts: TokenStoreOptions) {
    this.opts = opts;
  }

  createRoot(id: string): TokenEntry {
    return this.store({
      id,
      accessor: newAccessor(),
      policies: ['root'],
      path: 'auth/token/root',
      mountPath: 'auth/token/',
      meta: null,
      displayName: 'root',
      orphan: true,
      parent: undefined,
      entityId: '',
      creationMs: this.opts.now(),
      expireMs: null,
      lastRenewalMs: null,
      creationTtl: 0,
      backendMaxTtl: 0,
      explicitMaxTtl: 0,
      renewable: false,
    });
  }

  /** A stable identity entity per (auth mount, alias), as Vault's identity store gives. */
  entityFor(mountPath: string, alias: string): string {
    const key = `${mountPath}\u0000${alias}`;
    let id = this.entities.get(key);
    if (!id) {
      id = newUuid();
      this.entities.set(key, id);
    }
    return id;
  }

  create(spec: NewToken): { entry: TokenEntry; warnings: string[] } {
    const policies = sanitizePolicies(spec.policies, !spec.noDefaultPolicy);
    const now = this.opts.now();
    let ttl = 0;
    let warnings: string[] = [];
    // token_store.go: a root-policy token without a TTL never expires; everything else gets one.
    if (spec.ttl > 0 || !policies.includes('root')) {
      ({ ttl, warnings } = calculateTtl({
        mount: this.opts.mountTtls(spec.mountPath),
        increment: 0,
        backendTtl: spec.ttl,
        backendMaxTtl: spec.backendMaxTtl,
        explicitMaxTtl: spec.explicitMaxTtl,
        nowMs: now,
      }));
    }
    const entry = this.store({
      id: spec.id ?? newServiceToken(),
      accessor: newAccessor(),
      policies,
      path: spec.path,
      mountPath: spec.mountPath,
      meta: spec.meta,
      displayName: spec.displayName,
      orphan: spec.orphan,
      parent: spec.orphan ? undefined : spec.parent,
      entityId: spec.entityId ?? '',
      creationMs: now,
      expireMs: ttl > 0 ? now + ttl * 1000 : null,
      lastRenewalMs: null,
      creationTtl: ttl,
      backendMaxTtl: spec.backendMaxTtl,
      explicitMaxTtl: spec.explicitMaxTtl,
      renewable: ttl > 0 && spec.renewable,
    });
    return { entry, warnings };
  }

  private store(entry: TokenEntry): TokenEntry {
    this.tokens.set(entry.id, entry);
    this.scheduleExpiry(entry);
    return entry;
  }

  private scheduleExpiry(entry: TokenEntry): void {
    if (entry.expireMs === null) return;
    this.opts.scheduler.schedule(`token:${entry.id}`, entry.expireMs, () => void this.revoke(entry.id));
  }

  /** A live token, or undefined for unknown, revoked or expired ones. */
  lookup(id: string | undefined): TokenEntry | undefined {
    if (!id) return undefined;
    const entry = this.tokens.get(id);
    if (!entry) return undefined;
    if (entry.expireMs !== null && entry.expireMs <= this.opts.now()) return undefined;
    return entry;
  }

  byAccessor(accessor: string): TokenEntry | undefined {
    for (const entry of this.tokens.values()) if (entry.accessor === accessor) return this.lookup(entry.id);
    return undefined;
  }

  /** Remaining seconds, 0 for non-expiring tokens. */
  ttlOf(entry: TokenEntry): number {
    if (entry.expireMs === null) return 0;
    return Math.max(0, Math.trunc((entry.expireMs - this.opts.now()) / 1000));
  }

  /** ExpirationManager.RenewToken: the stored TTL or the increment, capped by the max TTLs. */
  renew(entry: TokenEntry, increment: number): { ttl: number; warnings: string[] } {
    if (entry.expireMs === null || !entry.renewable) throw new VaultError(400, 'lease is not renewable');
    const now = this.opts.now();
    if (entry.expireMs < now) throw new VaultError(400, 'lease expired');
    const result = calculateTtl({
      mount: this.opts.mountTtls(entry.mountPath),
      increment,
      backendTtl: entry.creationTtl,
      backendMaxTtl: entry.backendMaxTtl,
      explicitMaxTtl: entry.explicitMaxTtl,
      startMs: entry.creationMs,
      nowMs: now,
    });
    entry.expireMs = now + result.ttl * 1000;
    entry.lastRenewalMs = now;
    this.scheduleExpiry(entry);
    return result;
  }

  /** Revokes the token, its child tokens and all their leases (revoke-self, expiry, revoke). */
  async revoke(id: string): Promise<void> {
    const entry = this.tokens.get(id);
    if (!entry) return;
    this.tokens.delete(id);
    this.opts.scheduler.cancel(`token:${id}`);
    const children = [...this.tokens.values()].filter((t) => t.parent === id);
    await Promise.all(children.map((c) => this.revoke(c.id)));
    await this.opts.leases.revokeByToken(id);
  }

  /** Tokens whose creation path lies under a prefix (sys/leases/revoke-prefix/auth/...). */
  idsUnder(prefix: string): string[] {
    return [...this.tokens.values()].filter((t) => t.path.startsWith(prefix) && t.policies[0] !== 'root').map((t) => t.id);
  }

  caller(entry: TokenEntry): Caller {
    return { accessor: entry.accessor, displayName: entry.displayName, policies: entry.policies, entityId: entry.entityId, metadata: entry.meta ?? {} };
  }

  /** The `auth` block of a login, token create or renew response (vault-api.md §1.1). */
  authBlock(entry: TokenEntry, leaseDuration: number): Record<string, unknown> {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: entry.meta,
      lease_duration: leaseDuration,
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: 'service',
      orphan: entry.orphan,
      mfa_requirement: null,
      num_uses: 0,
    };
  }

  /** auth/token/lookup-self data (vault-api.md §2). */
  lookupData(entry: TokenEntry): Record<string, unknown> {
    const data: Record<string, unknown> = {
      accessor: entry.accessor,
      creation_time: Math.floor(entry.creationMs / 1000),
      creation_ttl: entry.creationTtl,
      display_name: entry.displayName,
      entity_id: entry.entityId,
      expire_time: entry.expireMs === null ? null : new Date(entry.expireMs).toISOString(),
      explicit_max_ttl: entry.explicitMaxTtl,
      id: entry.id,
      issue_time: new Date(entry.creationMs).toISOString(),
      meta: entry.meta,
      num_uses: 0,
      orphan: entry.orphan,
      path: entry.path,
      policies: entry.policies,
      renewable: entry.renewable,
      ttl: this.ttlOf(entry),
      type: 'service',
    };
    if (entry.lastRenewalMs !== null) {
      data.last_renewal = new Date(entry.lastRenewalMs).toISOString();
      data.last_renewal_time = Math.floor(entry.lastRenewalMs / 1000);
    }
    return data;
  }

  stop(): void {
    this.tokens.clear();
  }
}
