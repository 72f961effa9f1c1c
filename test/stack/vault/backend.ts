// The contract between the Vault-compatible server's core (routing, tokens, ACL, leases,
// envelope) and the engines mounted in it (database, ssh, aws, kv) and auth methods (jwt, oidc).
// It mirrors Vault's logical.Request / logical.Response / Secret split (vault-api.md §0, §3):
// a backend answers one request; the core owns tokens, leases, TTL capping and the wire format.

export type Operation = 'read' | 'list' | 'create' | 'update' | 'delete';

/** The caller, as the core resolved it from X-Vault-Token / Authorization: Bearer. */
export interface Caller {
  accessor: string;
  displayName: string; // "<mount>-<alias>", e.g. "oidc-alice" (vault-api.md §1.1)
  policies: string[];
  entityId: string;
  metadata: Record<string, string>;
}

export interface BackendRequest {
  operation: Operation;
  /** Path inside the mount, no leading slash, e.g. "creds/orders-ro", "oidc/auth_url". */
  path: string;
  /** Mount path with trailing slash, e.g. "database/", "auth/oidc/". */
  mountPath: string;
  /** JSON or form body for writes; query parameters for reads (list=true removed). */
  data: Record<string, unknown>;
  /** Undefined on an unauthenticated path. */
  caller: Caller | undefined;
  /** Lower-cased request headers. */
  headers: Record<string, string | undefined>;
}

/** A lease the backend wants the core to register (vault-api.md §0.6, §3). */
export interface SecretSpec {
  /** Seconds; 0 means the mount / system default (768h). */
  ttl: number;
  /** Seconds; 0 means the mount / system max. */
  maxTtl: number;
  renewable: boolean;
  /** Kept by the core, handed back to renew/revoke, never returned to clients. */
  internal: Record<string, unknown>;
}

/** What an auth method's login returns; the core makes the token (vault-api.md §1.1). */
export interface AuthSpec {
  /** The alias name (user_claim value); display_name becomes "<mount>-<alias>". */
  alias: string;
  policies: string[];
  metadata: Record<string, string>;
  ttl: number;
  maxTtl: number;
  renewable: boolean;
}

export interface BackendResponse {
  data?: Record<string, unknown> | null;
  secret?: SecretSpec;
  auth?: AuthSpec;
  warnings?: string[];
  /** Raw, non-envelope response (e.g. ssh public_key as text/plain). */
  raw?: { status: number; contentType: string; body: string };
}

/** A backend refusing a request; the core writes {"errors":[message]} with this status. */
export class VaultError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface RenewRequest {
  internal: Record<string, unknown>;
  /** Seconds asked for; 0 = backend default. */
  increment: number;
  issueTime: Date;
}

export interface Backend {
  /** Vault's mount type: "database", "ssh", "aws", "kv", "jwt", "oidc". */
  readonly type: string;
  /** Paths inside the mount reachable without a token; a trailing "*" matches a prefix. */
  readonly unauthenticatedPaths?: readonly string[];
  /** Answer a request; null means "nothing here" (a read → 404 {"errors":[]}, a write → 204). */
  handle(req: BackendRequest): Promise<BackendResponse | null>;
  /** Renew a lease this backend issued; returns its new ttl and maxTtl before core capping. */
  renew?(req: RenewRequest): Promise<{ ttl: number; maxTtl: number }>;
  /** Revoke a lease this backend issued (drop the DB role, …). Throw to keep the lease. */
  revoke?(internal: Record<string, unknown>): Promise<void>;
  /** Release resources (pools, timers) when the server stops. */
  close?(): Promise<void>;
  /**
   * Optional, like Vault's ExistenceCheck: does the thing a POST/PUT targets exist already?
   * With it, a write to a new path is a "create" (ACL `create`), else an "update"; without it,
   * every write is an "update" (Vault's behaviour for paths with no existence check).
   */
  existenceCheck?(req: BackendRequest): Promise<boolean>;
}

/** How the server creates a backend when `sys/mounts/<path>` or `sys/auth/<path>` enables one. */
export type BackendFactory = (options: {
  mountPath: string;
  /** The `config` object of the enable request (default_lease_ttl, max_lease_ttl, …), {} if none. */
  config: Record<string, unknown>;
  /** The `options` object of the enable request (e.g. {version: "2"} for kv), {} if none. */
  options?: Record<string, string>;
}) => Backend;
