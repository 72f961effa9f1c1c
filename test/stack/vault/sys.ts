// The system backend (sys/): mounts, auth methods, ACL policies, leases, response wrapping,
// capabilities and rate-limit quotas. Paths and texts follow vault/logical_system*.go.
import { z } from 'zod';
import { parseDuration } from '../../../main/core/duration.ts';
import { VaultError } from './backend.ts';
import type { CoreRequest, LogicalResponse, VaultCore } from './core.ts';
import type { MountEntry } from './mounts.ts';

type Handler = (core: VaultCore, req: CoreRequest, rest: string) => Promise<LogicalResponse | null>;

const unsupportedOperation = (): never => {
  throw new VaultError(405, 'unsupported operation');
};

/** Go's TypeDurationSecond: integer seconds or a duration string. */
export function durationField(value: unknown, field: string): number {
  if (value === undefined || value === null || value === '') return 0;
  const seconds = typeof value === 'number' || typeof value === 'string' ? parseDuration(value) : undefined;
  if (seconds === undefined) throw new VaultError(400, `error converting input ${JSON.stringify(value)} for field ${JSON.stringify(field)}`);
  return seconds;
}

/** Go's TypeBool from JSON or a form/query string. */
export function boolField(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && ['1', 't', 'true', 'T', 'TRUE', 'True'].includes(value)) return true;
  if (typeof value === 'string' && ['0', 'f', 'false', 'F', 'FALSE', 'False'].includes(value)) return false;
  throw new VaultError(400, `cannot parse ${JSON.stringify(value)} as bool`);
}

const enableBody = z.object({
  type: z.string().min(1),
  description: z.string().optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  options: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .nullish()
    .transform((o) => o ?? {}),
});

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new VaultError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

function mountTable(core: VaultCore, kind: 'secret' | 'auth'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of core.mounts.list(kind)) out[kind === 'auth' ? m.path.slice('auth/'.length) : m.path] = core.mounts.describe(m);
  return out;
}

function mountsHandler(kind: 'secret' | 'auth'): Handler {
  return async (core, req, rest) => {
    if (rest === '') {
      if (req.operation !== 'read') unsupportedOperation();
      return { data: mountTable(core, kind) };
    }
    const prefix = kind === 'auth' ? 'auth/' : '';
    if (rest.endsWith('/tune')) {
      const entry = core.mounts.get(`${prefix}${rest.slice(0, -'/tune'.length).replace(/\/+$/, '')}/`);
      if (!entry) throw new VaultError(400, `cannot fetch mount config for ${JSON.stringify(rest)}`);
      if (req.operation === 'read') return { data: tuneData(entry) };
      if (req.data.default_lease_ttl !== undefined) entry.defaultLeaseTtl = durationField(req.data.default_lease_ttl, 'default_lease_ttl');
      if (req.data.max_lease_ttl !== undefined) entry.maxLeaseTtl = durationField(req.data.max_lease_ttl, 'max_lease_ttl');
      if (typeof req.data.description === 'string') entry.description = req.data.description;
      return null;
    }
    switch (req.operation) {
      case 'create':
      case 'update': {
        const body = parse(enableBody, req.data);
        const ttls = {
          defaultTtl: durationField(body.config.default_lease_ttl, 'default_lease_ttl'),
          maxTtl: durationField(body.config.max_lease_ttl, 'max_lease_ttl'),
        };
        core.enable(kind, rest, body, ttls);
        return null;
      }
      case 'delete':
        await core.disable(kind, rest);
        return null;
      case 'read': {
        const entry = core.mounts.get(`${prefix}${rest.replace(/\/+$/, '')}/`);
        if (!entry) throw new VaultError(400, `No mount at ${rest.replace(/\/+$/, '')}/`);
        return { data: core.mounts.describe(entry) };
      }
      default:
        return unsupportedOperation();
    }
  };
}

function tuneData(entry: MountEntry): Record<string, unknown> {
  return {
    default_lease_ttl: entry.defaultLeaseTtl || 768 * 3600,
    max_lease_ttl: entry.maxLeaseTtl || 768 * 3600,
    force_no_cache: false,
    description: entry.description,
    options: entry.options,
  };
}

const policyName = (rest: string): string => rest.replace(/\/+$/, '').toLowerCase();

function policyText(data: Record<string, unknown>, ...keys: string[]): string {
  for (const key of keys) {
    const value = data[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  throw new VaultError(400, "'policy' parameter not supplied or empty");
}

function writePolicy(core: VaultCore, name: string, text: string): void {
  if (name === 'root') throw new VaultError(400, 'cannot update "root" policy');
  try {
    core.policies.put(name, text);
  } catch (err) {
    throw new VaultError(400, `failed to parse policy: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function deletePolicy(core: VaultCore, name: string): null {
  if (name === 'root' || name === 'default') throw new VaultError(400, `cannot delete ${JSON.stringify(name)} policy`);
  core.policies.delete(name);
  return null;
}

const aclPolicies: Handler = async (core, req, rest) => {
  if (rest === '' || rest === '/') {
    if (req.operation !== 'list') unsupportedOperation();
    return { data: { keys: core.policies.names() } };
  }
  const name = policyName(rest);
  switch (req.operation) {
    case 'read': {
      const text = name === 'root' ? '' : core.policies.get(name);
      return text === undefined ? null : { data: { name, policy: text } };
    }
    case 'create':
    case 'update':
      writePolicy(core, name, policyText(req.data, 'policy'));
      return null;
    case 'delete':
      return deletePolicy(core, name);
    default:
      return unsupportedOperation();
  }
};

// Legacy sys/policy: {policies, keys} for the list, {name, rules} for one policy.
const legacyPolicies: Handler = async (core, req, rest) => {
  if (rest === '' || rest === '/') {
    if (req.operation !== 'read' && req.operation !== 'list') unsupportedOperation();
    const names = core.policies.names();
    return { data: { policies: names, keys: names } };
  }
  const name = policyName(rest);
  switch (req.operation) {
    case 'read': {
      const text = name === 'root' ? '' : core.policies.get(name);
      return text === undefined ? null : { data: { name, rules: text } };
    }
    case 'create':
    case 'update':
      writePolicy(core, name, policyText(req.data, 'policy', 'rules'));
      return null;
    case 'delete':
      return deletePolicy(core, name);
    default:
      return unsupportedOperation();
  }
};

function leaseIdFrom(req: CoreRequest, urlId: string): string {
  const fromBody = typeof req.data.lease_id === 'string' ? req.data.lease_id.trim() : '';
  const id = fromBody || urlId.trim();
  if (!id) throw new VaultError(400, 'lease_id must be specified');
  return id;
}

const leaseLookup: Handler = async (core, req, rest) => {
  if (req.operation === 'list') {
    const keys = core.leases.listPrefix(rest);
    return { data: { keys } };
  }
  if (rest !== '' || (req.operation !== 'update' && req.operation !== 'create')) return unsupportedOperation();
  const id = leaseIdFrom(req, '');
  const lease = core.leases.get(id);
  if (!lease) throw new VaultError(400, 'invalid lease');
  return { data: core.leases.describe(lease) };
};

const leaseRenew: Handler = async (core, req, rest) => {
  if (req.operation !== 'update' && req.operation !== 'create') return unsupportedOperation();
  const id = leaseIdFrom(req, rest);
  const increment = durationField(req.data.increment, 'increment');
  const { lease, ttl, warnings } = await core.leases.renew(id, increment);
  return { lease: { id: lease.id, renewable: lease.renewable, duration: ttl }, data: null, warnings };
};

const leaseRevoke: Handler = async (core, req, rest) => {
  if (req.operation !== 'update' && req.operation !== 'create') return unsupportedOperation();
  const id = leaseIdFrom(req, rest);
  if (!boolField(req.data.sync, true)) {
    // LazyRevoke: accepted now, done in the background (202, no body).
    void core.leases.revoke(id).catch(() => undefined);
    return { status: 202 };
  }
  await core.leases.revoke(id);
  return null;
};

function revokePrefix(force: boolean): Handler {
  return async (core, req, rest) => {
    if (req.operation !== 'update' && req.operation !== 'create') return unsupportedOperation();
    const prefix = rest;
    if (!prefix) throw new VaultError(400, 'prefix must be specified');
    const work = async () => {
      await core.leases.revokePrefix(prefix, force);
      if (prefix.startsWith('auth/')) {
        const dir = prefix.endsWith('/') ? prefix : `${prefix}/`;
        await Promise.all(core.tokens.idsUnder(dir).map((id) => core.tokens.revoke(id)));
      }
    };
    if (!force && !boolField(req.data.sync, true)) {
      void work().catch(() => undefined);
      return { status: 202 };
    }
    await work();
    return null;
  };
}

const wrappingWrap: Handler = async (_core, req) => {
  if (req.operation !== 'update' && req.operation !== 'create') return unsupportedOperation();
  if (!req.headers['x-vault-wrap-ttl']) throw new VaultError(400, 'endpoint requires response wrapping to be used');
  return { data: req.data };
};

const wrappingUnwrap: Handler = async (core, req) => {
  if (req.operation !== 'update' && req.operation !== 'create') return unsupportedOperation();
  const token = (typeof req.data.token === 'string' && req.data.token) || req.rawToken || '';
  return { wireBody: core.wrapping.unwrap(token) };
};

const wrappingLookup: Handler = async (core, req) => {
  if (req.operation !== 'update' && req.operation !== 'create' && req.operation !== 'read') return unsupportedOperation();
  const token = (typeof req.data.token === 'string' && req.data.token) || req.rawToken || '';
  return { data: core.wrapping.lookup(token) };
};

function pathsFrom(data: Record<string, unknown>): string[] {
  const raw = data.paths ?? data.path;
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : [];
  const paths = list.map((p) => p.trim().replace(/^\/+/, '')).filter(Boolean);
  if (paths.length === 0) throw new VaultError(400, '"paths" must be provided');
  return paths;
}

function capabilitiesOf(core: VaultCore, policies: string[], paths: string[]): LogicalResponse {
  const acl = core.policies.acl(policies);
  const data: Record<string, unknown> = {};
  for (const p of paths) data[p] = acl.describe(p);
  if (paths.length === 1) data.capabilities = data[paths[0]!];
  return { data };
}

const capabilitiesSelf: Handler = async (core, req) => {
  if (req.operation !== 'update' && req.operation !== 'create') return unsupportedOperation();
  return capabilitiesOf(core, req.token?.policies ?? [], pathsFrom(req.data));
};

const capabilities: Handler = async (core, req) => {
  if (req.operation !== 'update' && req.operation !== 'create') return unsupportedOperation();
  const target = core.tokens.lookup(typeof req.data.token === 'string' ? req.data.token : undefined);
  if (!target) throw new VaultError(400, 'invalid token');
  return capabilitiesOf(core, target.policies, pathsFrom(req.data));
};

const rateLimitQuotas: Handler = async (core, req, rest) => {
  const name = rest.replace(/\/+$/, '');
  if (name === '') {
    if (req.operation !== 'list') unsupportedOperation();
    return { data: { keys: core.quotas.names() } };
  }
  switch (req.operation) {
    case 'read': {
      const q = core.quotas.get(name);
      return q ? { data: q } : null;
    }
    case 'create':
    case 'update':
      core.quotas.set(name, req.data);
      return null;
    case 'delete':
      core.quotas.delete(name);
      return null;
    default:
      return unsupportedOperation();
  }
};

const quotaConfig: Handler = async (core, req) => {
  if (req.operation === 'read')
    return { data: { enable_rate_limit_audit_logging: false, enable_rate_limit_response_headers: core.quotas.enableHeaders, rate_limit_exempt_paths: [] } };
  if (req.operation !== 'update' && req.operation !== 'create') return unsupportedOperation();
  core.quotas.enableHeaders = boolField(req.data.enable_rate_limit_response_headers, core.quotas.enableHeaders);
  return null;
};

// Used by the vault CLI's `kv` commands to learn a mount's KV version.
const uiMounts: Handler = async (core, req, rest) => {
  if (req.operation !== 'read') return unsupportedOperation();
  const entry = core.mounts.match(rest);
  if (!entry)
    throw new VaultError(400, `preflight capability check returned 403, please ensure client's policies grant access to path ${JSON.stringify(rest)}`);
  const path = entry.kind === 'auth' ? entry.path.slice('auth/'.length) : entry.path;
  return { data: { ...core.mounts.describe(entry), path } };
};

const routes: Array<[RegExp, Handler]> = [
  [/^mounts(?:\/(.*))?$/, mountsHandler('secret')],
  [/^auth(?:\/(.*))?$/, mountsHandler('auth')],
  [/^policies\/acl(?:\/(.*))?$/, aclPolicies],
  [/^policy(?:\/(.*))?$/, legacyPolicies],
  [/^leases\/lookup(?:\/(.*))?$/, leaseLookup],
  [/^(?:leases\/)?renew(?:\/(.*))?$/, leaseRenew],
  [/^(?:leases\/)?revoke-prefix\/(.*)$/, revokePrefix(false)],
  [/^(?:leases\/)?revoke-force\/(.*)$/, revokePrefix(true)],
  [/^(?:leases\/)?revoke(?:\/(.*))?$/, leaseRevoke],
  [/^wrapping\/wrap$/, wrappingWrap],
  [/^wrapping\/unwrap$/, wrappingUnwrap],
  [/^wrapping\/lookup$/, wrappingLookup],
  [/^capabilities-self$/, capabilitiesSelf],
  [/^capabilities$/, capabilities],
  [/^quotas\/rate-limit(?:\/(.*))?$/, rateLimitQuotas],
  [/^quotas\/config$/, quotaConfig],
  [/^internal\/ui\/mounts\/(.*)$/, uiMounts],
];

export async function handleSys(core: VaultCore, req: CoreRequest): Promise<LogicalResponse | null> {
  for (const [pattern, handler] of routes) {
    const m = pattern.exec(req.subPath);
    if (m) return handler(core, req, m[1] ?? '');
  }
  throw new VaultError(404, 'unsupported path');
}
