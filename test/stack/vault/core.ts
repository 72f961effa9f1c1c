// The request pipeline of the Vault-compatible server, in Vault's order (http/logical.go,
// vault/request_handling.go): namespace, quota, method → operation, body, wrap header, token,
// ACL, routing to the longest-prefix mount, then the core's part of the answer — leases for
// secrets, tokens for logins, the envelope, response wrapping.
import { VaultError, type Backend, type BackendFactory, type BackendRequest, type BackendResponse, type Operation } from './backend.ts';
import { errorResponse, envelope, jsonResponse, noContent, parseBody, queryData, type WireResponse } from './http-io.ts';
import { ClusterInfo, handleHealth, handleSealStatus } from './health.ts';
import { newRequestId } from './ids.ts';
import { LeaseManager } from './leases.ts';
import { MountTable, type MountEntry } from './mounts.ts';
import { PolicyStore } from './policies.ts';
import { RateLimits } from './quotas.ts';
import { Scheduler } from './scheduler.ts';
import { handleSys } from './sys.ts';
import { handleTokenStore } from './token-backend.ts';
import { TokenStore, type TokenEntry } from './tokens.ts';
import { parseWrapTtl } from './wrap-header.ts';
import { WrappingStore } from './wrapping.ts';

/** vault-api.md §0.3: go-multierror strings, byte for byte. */
export const PERMISSION_DENIED = '1 error occurred:\n\t* permission denied\n\n';
export const INVALID_TOKEN = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n';

export interface HttpInput {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
  clientAddress: string;
}

/** What the core's own handlers (sys/, auth/token/) see. */
export interface CoreRequest {
  requestId: string;
  operation: Operation;
  /** The full logical path ("sys/leases/renew"). */
  path: string;
  mount: MountEntry;
  /** Path inside the mount. */
  subPath: string;
  data: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  /** The caller's token, undefined on unauthenticated paths. */
  token: TokenEntry | undefined;
  rawToken: string | undefined;
}

/** A handler's answer before it becomes wire format. */
export interface LogicalResponse {
  /** 202 for async revokes; defaults to 200 with a body, 204 without. */
  status?: number;
  data?: Record<string, unknown> | null;
  auth?: Record<string, unknown> | null;
  lease?: { id: string; renewable: boolean; duration: number };
  warnings?: string[];
  /** A body already in wire format (unwrap hands back the stored response). */
  wireBody?: string;
}

export type InternalHandler = (core: VaultCore, req: CoreRequest) => Promise<LogicalResponse | null>;

export interface CoreOptions {
  backends: Record<string, BackendFactory>;
  rootToken: string;
  now: () => number;
}

// Root paths (sudo) of the system and token backends (logical_system.go PathsSpecial.Root).
const SUDO_PATHS = [
  'sys/auth/*',
  'sys/leases/revoke-prefix/*',
  'sys/leases/revoke-force/*',
  'sys/revoke-prefix/*',
  'sys/revoke-force/*',
  'sys/leases/lookup/*',
  'sys/rotate',
  'sys/raw/*',
  'auth/token/revoke-orphan/*',
  'auth/token/accessors/*',
];
const SYS_UNAUTHENTICATED = ['sys/wrapping/lookup', 'sys/init', 'sys/leader', 'sys/seal-status', 'sys/health'];
// Paths that need a valid token but no ACL grant (Vault checks these inside the handler).
const NO_ACL = ['sys/internal/ui/mounts', 'sys/internal/ui/mounts/*'];

function matchesAny(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

function isTruthy(value: string | null): boolean {
  return value !== null && ['1', 't', 'true', 'T', 'TRUE', 'True'].includes(value);
}

export class VaultCore {
  readonly now: () => number;
  readonly scheduler: Scheduler;
  readonly mounts = new MountTable();
  readonly policies = new PolicyStore();
  readonly leases: LeaseManager;
  readonly tokens: TokenStore;
  readonly wrapping: WrappingStore;
  readonly quotas: RateLimits;
  readonly factories: Record<string, BackendFactory>;
  readonly cluster: ClusterInfo;
  private readonly internal = new Map<string, InternalHandler>();

  constructor(opts: CoreOptions) {
    this.now = opts.now;
    this.factories = opts.backends;
    this.scheduler = new Scheduler(opts.now);
    const mountTtls = (path: string) => this.mounts.ttls(path);
    this.leases = new LeaseManager({ now: opts.now, scheduler: this.scheduler, mountTtls });
    this.tokens = new TokenStore({ now: opts.now, scheduler: this.scheduler, leases: this.leases, mountTtls });
    this.wrapping = new WrappingStore(opts.now, this.scheduler);
    this.quotas = new RateLimits(opts.now);
    this.cluster = ClusterInfo.create();
    this.mountInternal('sys/', 'system', 'secret', 'system endpoints used for control, policy and debugging', handleSys);
    this.mountInternal('auth/token/', 'token', 'auth', 'token based credentials', handleTokenStore);
    this.tokens.createRoot(opts.rootToken);
  }

  private mountInternal(path: string, type: string, kind: 'secret' | 'auth', description: string, handler: InternalHandler): void {
    const backend: Backend = { type, handle: () => Promise.reject(new VaultError(500, 'internal backend')) };
    this.mounts.add({ path, kind, type, description, defaultLeaseTtl: 0, maxLeaseTtl: 0, options: null, backend, builtin: true });
    this.internal.set(path, handler);
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    const external = [...this.mounts.list('secret'), ...this.mounts.list('auth')].filter((m) => !m.builtin);
    await Promise.allSettled(external.map((m) => m.backend.close?.()));
    this.tokens.stop();
  }

  async handle(input: HttpInput): Promise<WireResponse> {
    try {
      return await this.dispatch(input);
    } catch (err) {
      return toErrorResponse(err);
    }
  }

  private async dispatch(input: HttpInput): Promise<WireResponse> {
    const url = new URL(input.url, 'http://vault.invalid');
    if (!url.pathname.startsWith('/v1/')) return errorResponse(404, []);
    const path = decodeURIComponent(url.pathname.slice('/v1/'.length));
    const method = input.method.toUpperCase();

    const namespace = (input.headers['x-vault-namespace'] ?? '').replace(/^\/+|\/+$/g, '');
    if (namespace !== '' && namespace !== 'root') return errorResponse(403, ['namespaces feature not enabled']);

    if (path === 'sys/health' && (method === 'GET' || method === 'HEAD')) return handleHealth(this.cluster, url.searchParams, this.now());
    if (path === 'sys/seal-status' && method === 'GET') return handleSealStatus(this.cluster);

    // http/util.go rateLimitQuotaWrapping: before anything else looks at the request.
    const verdict = this.quotas.check(path, input.clientAddress);
    if (verdict?.exceeded) return errorResponse(429, [`request path ${JSON.stringify(path)}: rate limit quota exceeded`], verdict.headers);
    const quotaHeaders = verdict?.headers ?? {};
    const withQuota = (wire: WireResponse): WireResponse => ({ ...wire, headers: { ...quotaHeaders, ...wire.headers } });

    let operation: Operation;
    let logicalPath = path;
    let data: Record<string, unknown>;
    switch (method) {
      case 'GET':
      case 'LIST':
        operation = method === 'LIST' || isTruthy(url.searchParams.get('list')) ? 'list' : 'read';
        url.searchParams.delete('list');
        data = queryData(url.searchParams);
        if (operation === 'list' && !logicalPath.endsWith('/')) logicalPath += '/';
        break;
      case 'POST':
      case 'PUT':
        operation = 'update';
        data = parseBody(input.body, input.headers['content-type']);
        break;
      case 'DELETE':
        operation = 'delete';
        data = queryData(url.searchParams);
        break;
      case 'PATCH':
        if (!(input.headers['content-type'] ?? '').includes('application/merge-patch+json')) {
          return withQuota(
            errorResponse(415, [`PATCH requires Content-Type of application/merge-patch+json, got ${JSON.stringify(input.headers['content-type'] ?? '')}`]),
          );
        }
        return withQuota(errorResponse(405, ['unsupported operation']));
      default:
        return withQuota(errorResponse(405, []));
    }

    const wrapTtl = parseWrapTtl(input.headers['x-vault-wrap-ttl']);

    // request_handling.go refuses writes to "dir/" paths. The lease prefix endpoints take a
    // prefix in the URL and are left out here so "revoke-prefix/database/creds/" works.
    if (operation === 'update' && logicalPath.endsWith('/') && !/^sys\/(leases\/)?revoke-(prefix|force)\//.test(logicalPath)) {
      return withQuota(errorResponse(400, ["cannot write to a path ending in '/'"]));
    }

    const rawToken = tokenFromHeaders(input.headers);
    const mount = this.mounts.match(logicalPath);
    const subPath = mount ? logicalPath.slice(Math.min(mount.path.length, logicalPath.length)) : logicalPath;

    // The wrapping token itself is the credential for unwrap/lookup when no body token is given.
    const wrappingSelf = (logicalPath === 'sys/wrapping/unwrap' && !data.token) || logicalPath === 'sys/wrapping/lookup';
    const unauthenticated =
      wrappingSelf ||
      matchesAny(SYS_UNAUTHENTICATED, logicalPath) ||
      (mount !== undefined && !mount.builtin && matchesAny(mount.backend.unauthenticatedPaths ?? [], subPath));

    let token: TokenEntry | undefined;
    if (!unauthenticated) {
      if (!rawToken) return withQuota(errorResponse(403, [PERMISSION_DENIED]));
      token = this.tokens.lookup(rawToken);
      if (!token) return withQuota(errorResponse(403, [INVALID_TOKEN]));
    }

    if (!mount) {
      if (token && !this.policies.acl(token.policies).allows(operation, logicalPath, false)) return withQuota(errorResponse(403, [PERMISSION_DENIED]));
      return withQuota(errorResponse(404, [`no handler for route ${JSON.stringify(logicalPath)}. route entry not found.`]));
    }

    const backendRequest: BackendRequest = {
      operation,
      path: subPath,
      mountPath: mount.path,
      data,
      caller: token ? this.tokens.caller(token) : undefined,
      headers: input.headers,
    };

    // Create vs update (request_handling.go): a write is a "create" only when the backend can
    // tell the target does not exist yet; a backend without an existence check gets "update".
    if (operation === 'update' && mount.backend.existenceCheck && !mount.builtin) {
      const exists = await mount.backend.existenceCheck(backendRequest);
      if (!exists) operation = 'create';
      backendRequest.operation = operation;
    }

    if (token && !matchesAny(NO_ACL, logicalPath)) {
      const acl = this.policies.acl(token.policies);
      if (!acl.allows(operation, logicalPath, matchesAny(SUDO_PATHS, logicalPath), data)) return withQuota(errorResponse(403, [PERMISSION_DENIED]));
    }

    const requestId = newRequestId();
    let logical: LogicalResponse | null;
    const handler = this.internal.get(mount.path);
    if (handler) {
      logical = await handler(this, { requestId, operation, path: logicalPath, mount, subPath, data, headers: input.headers, token, rawToken });
    } else {
      const response = await mount.backend.handle(backendRequest);
      if (response?.raw) return withQuota({ status: response.raw.status, headers: { 'Content-Type': response.raw.contentType }, body: response.raw.body });
      logical = response ? this.fromBackend(response, logicalPath, mount, token) : null;
    }

    return withQuota(this.toWire(logical, operation, requestId, mount, logicalPath, wrapTtl));
  }

  /** Leases for secrets, tokens for logins: the part of a response the core owns. */
  private fromBackend(response: BackendResponse, path: string, mount: MountEntry, token: TokenEntry | undefined): LogicalResponse {
    const out: LogicalResponse = { data: response.data ?? null, warnings: [...(response.warnings ?? [])] };
    if (response.secret) {
      const { lease, ttl } = this.leases.register({
        requestPath: path,
        mountPath: mount.path,
        backend: mount.backend,
        secret: response.secret,
        tokenId: token?.id,
      });
      out.lease = { id: lease.id, renewable: lease.renewable, duration: ttl };
    }
    if (response.auth) {
      const spec = response.auth;
      // LoginCreateToken: display name = mount path with "/" → "-", then the alias.
      const source = mount.path.replace(/^auth\//, '').replace(/\//g, '-');
      const { entry, warnings } = this.tokens.create({
        policies: spec.policies,
        path,
        mountPath: mount.path,
        meta: spec.metadata,
        displayName: `${source}${spec.alias}`,
        orphan: true,
        entityId: this.tokens.entityFor(mount.path, spec.alias),
        ttl: spec.ttl,
        backendMaxTtl: spec.maxTtl,
        explicitMaxTtl: 0,
        renewable: spec.renewable,
      });
      out.auth = this.tokens.authBlock(entry, entry.creationTtl);
      out.warnings!.push(...warnings);
    }
    return out;
  }

  private toWire(logical: LogicalResponse | null, operation: Operation, requestId: string, mount: MountEntry, path: string, wrapTtl: number): WireResponse {
    const nothing = (operation === 'read' || operation === 'list') && !logical?.wireBody;
    if (!logical) return nothing ? errorResponse(404, []) : noContent();
    if (logical.status === 202) return noContent(202);
    if (operation === 'list' && !logical.wireBody) {
      const keys = logical.data?.keys;
      if (!Array.isArray(keys) || keys.length === 0) return errorResponse(404, []);
    }
    const empty = !logical.wireBody && !logical.data && !logical.auth && !logical.lease && !(logical.warnings && logical.warnings.length);
    // A write answered with nothing is a 204 (vault-api.md §0.2); a read answered with an empty
    // response object is still a 200 with data null, as Vault's respondOk does.
    if (empty && operation !== 'read') return noContent();
    const body =
      logical.wireBody ??
      `${JSON.stringify(
        envelope({
          request_id: requestId,
          lease_id: logical.lease?.id,
          renewable: logical.lease?.renewable,
          lease_duration: logical.lease?.duration,
          data: logical.data ?? null,
          warnings: logical.warnings,
          auth: logical.auth ?? null,
          mount_type: logical.auth && mount.kind === 'auth' && mount.type !== 'token' ? '' : mount.type,
        }),
      )}\n`;
    if (wrapTtl > 0) {
      const accessor = typeof logical.auth?.accessor === 'string' ? logical.auth.accessor : undefined;
      const wrapInfo = this.wrapping.wrap(body, wrapTtl, path, accessor);
      return jsonResponse(200, envelope({ request_id: '', wrap_info: wrapInfo }));
    }
    return { status: logical.status ?? 200, headers: { 'Content-Type': 'application/json' }, body };
  }

  /** Enables a secrets engine or auth method (sys/mounts/<path>, sys/auth/<path>). */
  enable(
    kind: 'secret' | 'auth',
    rawPath: string,
    body: { type: string; description?: string; config: Record<string, unknown>; options: Record<string, string> },
    ttls: { defaultTtl: number; maxTtl: number },
  ): void {
    const bare = rawPath.replace(/^\/+|\/+$/g, '');
    if (bare === '') throw new VaultError(400, 'missing path');
    const path = kind === 'auth' ? `auth/${bare}/` : `${bare}/`;
    for (const reserved of ['sys/', 'auth/', 'cubbyhole/', 'identity/']) {
      if (kind === 'secret' && path.startsWith(reserved)) throw new VaultError(400, `cannot mount under ${JSON.stringify(reserved)}`);
    }
    const clash = this.mounts.conflict(path);
    if (clash) throw new VaultError(400, `path is already in use at ${kind === 'auth' ? clash.path.replace(/^auth\//, '') : clash.path}`);
    const backend = this.createBackend(body.type, path, body.config, body.options);
    this.mounts.add({
      path,
      kind,
      type: body.type,
      description: body.description ?? '',
      defaultLeaseTtl: ttls.defaultTtl,
      maxLeaseTtl: ttls.maxTtl,
      options: kind === 'secret' ? body.options : null,
      backend,
      builtin: false,
    });
  }

  private createBackend(type: string, mountPath: string, config: Record<string, unknown>, options: Record<string, string>): Backend {
    const factory = this.factories[type];
    if (!factory) throw new VaultError(400, `plugin not found in the catalog: ${type}`);
    return factory({ mountPath, config, options });
  }

  /** Disables a mount: its leases are revoked first, then the backend is closed. */
  async disable(kind: 'secret' | 'auth', rawPath: string): Promise<void> {
    const bare = rawPath.replace(/^\/+|\/+$/g, '');
    const path = kind === 'auth' ? `auth/${bare}/` : `${bare}/`;
    const entry = this.mounts.get(path);
    if (!entry) return;
    if (entry.builtin) throw new VaultError(400, `cannot unmount ${JSON.stringify(path)}`);
    await this.leases.revokeMount(path);
    if (kind === 'auth') await Promise.all(this.tokens.idsUnder(path).map((id) => this.tokens.revoke(id)));
    this.mounts.remove(path);
    await entry.backend.close?.();
  }
}

function tokenFromHeaders(headers: Record<string, string | undefined>): string | undefined {
  const direct = headers['x-vault-token']?.trim();
  if (direct) return direct;
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return bearer?.[1]?.trim() || undefined;
}

export function toErrorResponse(err: unknown): WireResponse {
  if (err instanceof VaultError) return errorResponse(err.status, err.message === '' ? [] : [err.message]);
  return errorResponse(500, [err instanceof Error ? err.message : String(err)]);
}
