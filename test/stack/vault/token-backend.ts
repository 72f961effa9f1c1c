// The token auth method mounted at auth/token/ (vault/token_store.go): create, lookup, renew
// and revoke, for a token itself or (with the right policy) for another.
import { z } from 'zod';
import { VaultError } from './backend.ts';
import type { CoreRequest, LogicalResponse, VaultCore } from './core.ts';
import { boolField, durationField } from './sys.ts';
import { sanitizePolicies, type TokenEntry } from './tokens.ts';

const stringList = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean)));

const createBody = z.object({
  id: z.string().optional(),
  policies: stringList,
  meta: z.record(z.string(), z.string()).nullish(),
  no_parent: z.unknown().optional(),
  no_default_policy: z.unknown().optional(),
  renewable: z.unknown().optional(),
  ttl: z.unknown().optional(),
  explicit_max_ttl: z.unknown().optional(),
  display_name: z.string().optional(),
});

function isWrite(req: CoreRequest): boolean {
  return req.operation === 'update' || req.operation === 'create';
}

function requireToken(req: CoreRequest): TokenEntry {
  if (!req.token) throw new VaultError(403, 'permission denied');
  return req.token;
}

function create(core: VaultCore, req: CoreRequest, orphanPath: boolean): LogicalResponse {
  const parent = requireToken(req);
  const parsed = createBody.safeParse(req.data);
  if (!parsed.success) throw new VaultError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const body = parsed.data;
  const parentIsRoot = parent.policies.includes('root');
  const noDefault = boolField(body.no_default_policy, false);
  const requested = body.policies ?? parent.policies;
  if (!parentIsRoot) {
    const wanted = sanitizePolicies(requested, false).filter((p) => p !== 'default');
    if (wanted.some((p) => !parent.policies.includes(p))) throw new VaultError(400, 'child policies must be subset of parent');
    if (body.id) throw new VaultError(400, 'root or sudo privileges required to specify token id');
  }
  // token_store.go: "token" or "token-<display_name>" with unsafe characters turned into "-".
  const displayName = body.display_name ? `token-${body.display_name}`.replace(/[^a-zA-Z0-9-]/g, '-').replace(/-+$/, '') : 'token';
  const orphan = orphanPath || (parentIsRoot && boolField(body.no_parent, false));
  const { entry, warnings } = core.tokens.create({
    id: body.id,
    policies: requested,
    noDefaultPolicy: noDefault,
    path: orphanPath ? 'auth/token/create-orphan' : 'auth/token/create',
    mountPath: 'auth/token/',
    meta: body.meta ?? null,
    displayName,
    orphan,
    parent: parent.id,
    ttl: durationField(body.ttl, 'ttl'),
    backendMaxTtl: 0,
    explicitMaxTtl: durationField(body.explicit_max_ttl, 'explicit_max_ttl'),
    renewable: boolField(body.renewable, true),
  });
  return { auth: core.tokens.authBlock(entry, entry.creationTtl), warnings };
}

function tokenArg(core: VaultCore, req: CoreRequest): TokenEntry {
  const id = typeof req.data.token === 'string' ? req.data.token.trim() : '';
  if (!id) throw new VaultError(400, 'missing token');
  const entry = core.tokens.lookup(id);
  // token_store.go answers an unknown token with ErrorResponse("bad token") + ErrPermissionDenied.
  if (!entry) throw new VaultError(403, 'bad token');
  return entry;
}

function accessorArg(core: VaultCore, req: CoreRequest): TokenEntry {
  const accessor = typeof req.data.accessor === 'string' ? req.data.accessor.trim() : '';
  if (!accessor) throw new VaultError(400, 'missing accessor');
  const entry = core.tokens.byAccessor(accessor);
  if (!entry) throw new VaultError(400, 'invalid accessor');
  return entry;
}

function renew(core: VaultCore, entry: TokenEntry, req: CoreRequest): LogicalResponse {
  const { ttl, warnings } = core.tokens.renew(entry, durationField(req.data.increment, 'increment'));
  return { auth: core.tokens.authBlock(entry, ttl), warnings };
}

export async function handleTokenStore(core: VaultCore, req: CoreRequest): Promise<LogicalResponse | null> {
  const path = req.subPath.replace(/\/+$/, '');
  switch (path) {
    case 'create':
    case 'create-orphan':
      if (!isWrite(req)) break;
      return create(core, req, path === 'create-orphan');
    case 'lookup-self':
      if (req.operation !== 'read' && !isWrite(req)) break;
      return { data: core.tokens.lookupData(requireToken(req)) };
    case 'lookup':
      if (req.operation !== 'read' && !isWrite(req)) break;
      return { data: core.tokens.lookupData(tokenArg(core, req)) };
    case 'lookup-accessor':
      if (!isWrite(req)) break;
      return { data: { ...core.tokens.lookupData(accessorArg(core, req)), id: '' } };
    case 'renew-self':
      if (!isWrite(req)) break;
      return renew(core, requireToken(req), req);
    case 'renew':
      if (!isWrite(req)) break;
      return renew(core, tokenArg(core, req), req);
    case 'revoke-self':
      if (!isWrite(req)) break;
      await core.tokens.revoke(requireToken(req).id);
      return null;
    case 'revoke': {
      if (!isWrite(req)) break;
      const id = typeof req.data.token === 'string' ? req.data.token.trim() : '';
      if (!id) throw new VaultError(400, 'missing token');
      await core.tokens.revoke(id);
      return null;
    }
    case 'revoke-accessor':
      if (!isWrite(req)) break;
      await core.tokens.revoke(accessorArg(core, req).id);
      return null;
    default:
      throw new VaultError(404, 'unsupported path');
  }
  throw new VaultError(405, 'unsupported operation');
}
