// The KV secrets engine, built into the core: version 2 (data/, metadata/, delete/, undelete/,
// destroy/, config) with real Vault's response shapes, and a plain version 1 for completeness.
import { VaultError, type Backend, type BackendFactory, type BackendRequest, type BackendResponse } from './backend.ts';
import { envelope } from './http-io.ts';
import { newRequestId } from './ids.ts';

interface Version {
  data: Record<string, unknown>;
  createdMs: number;
  deletedMs: number | null;
  destroyed: boolean;
}

interface Key {
  versions: Map<number, Version>;
  current: number;
  createdMs: number;
  updatedMs: number;
  maxVersions: number;
  casRequired: boolean;
  customMetadata: Record<string, string> | null;
}

// Vault keeps 10 versions when max_versions is 0.
const DEFAULT_MAX_VERSIONS = 10;
const iso = (ms: number): string => new Date(ms).toISOString();

function versionMetadata(key: Key, n: number, v: Version): Record<string, unknown> {
  return {
    created_time: iso(v.createdMs),
    custom_metadata: key.customMetadata,
    deletion_time: v.deletedMs === null ? '' : iso(v.deletedMs),
    destroyed: v.destroyed,
    version: n,
  };
}

function versionsArg(data: Record<string, unknown>): number[] {
  const raw = data.versions;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : typeof raw === 'number' ? [raw] : [];
  const versions = list.map((v) => Number(v)).filter((v) => Number.isInteger(v) && v > 0);
  if (versions.length === 0) throw new VaultError(400, 'no version number provided');
  return versions;
}

/** Next path segment of every key under a directory ("dir/" for deeper keys), sorted. */
function listUnder(keys: Iterable<string>, dir: string): string[] {
  const out = new Set<string>();
  for (const k of keys) {
    if (!k.startsWith(dir)) continue;
    const rest = k.slice(dir.length);
    const slash = rest.indexOf('/');
    out.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return [...out].filter(Boolean).sort();
}

class KvV2 implements Backend {
  readonly type = 'kv';
  private readonly keys = new Map<string, Key>();
  private readonly now: () => number;
  private config = { casRequired: false, maxVersions: 0 };

  constructor(now: () => number) {
    this.now = now;
  }

  async existenceCheck(req: BackendRequest): Promise<boolean> {
    const m = /^(data|metadata)\/(.+)$/.exec(req.path);
    return m ? this.keys.has(m[2]!) : true;
  }

  async handle(req: BackendRequest): Promise<BackendResponse | null> {
    if (req.path === 'config') return this.handleConfig(req);
    const m = /^(data|metadata|delete|undelete|destroy)\/(.*)$/.exec(req.path);
    if (!m) throw new VaultError(404, 'unsupported path');
    const [, area, key = ''] = m;
    if (area === 'metadata') return this.handleMetadata(req, key);
    if (key === '' || key.endsWith('/')) throw new VaultError(404, 'unsupported path');
    if (area === 'data') return this.handleData(req, key);
    if (req.operation !== 'update' && req.operation !== 'create') throw new VaultError(405, 'unsupported operation');
    const entry = this.keys.get(key);
    const versions = versionsArg(req.data);
    for (const n of versions) {
      const v = entry?.versions.get(n);
      if (!v) continue;
      if (area === 'delete' && v.deletedMs === null) v.deletedMs = this.now();
      if (area === 'undelete' && !v.destroyed) v.deletedMs = null;
      if (area === 'destroy') {
        v.destroyed = true;
        v.data = {};
      }
    }
    return null;
  }

  private handleConfig(req: BackendRequest): BackendResponse | null {
    if (req.operation === 'read') return { data: { cas_required: this.config.casRequired, delete_version_after: '0s', max_versions: this.config.maxVersions } };
    if (req.data.cas_required !== undefined) this.config.casRequired = req.data.cas_required === true || req.data.cas_required === 'true';
    if (req.data.max_versions !== undefined) this.config.maxVersions = Number(req.data.max_versions) || 0;
    return null;
  }

  private handleData(req: BackendRequest, key: string): BackendResponse | null {
    const entry = this.keys.get(key);
    switch (req.operation) {
      case 'read': {
        if (!entry) return null;
        const n = req.data.version !== undefined && Number(req.data.version) > 0 ? Number(req.data.version) : entry.current;
        const v = entry.versions.get(n);
        if (!v) return null;
        // A deleted or destroyed version is a 404 that still carries the envelope with
        // data null and the version metadata (path_data.go RespondWithStatusCode 404).
        if (v.deletedMs !== null || v.destroyed) {
          const body = envelope({ request_id: newRequestId(), data: { data: null, metadata: versionMetadata(entry, n, v) }, mount_type: 'kv' });
          return { raw: { status: 404, contentType: 'application/json', body: `${JSON.stringify(body)}\n` } };
        }
        return { data: { data: v.data, metadata: versionMetadata(entry, n, v) } };
      }
      case 'create':
      case 'update':
        return this.write(req, key, entry);
      case 'delete': {
        const v = entry?.versions.get(entry.current);
        if (v && v.deletedMs === null) v.deletedMs = this.now();
        return null;
      }
      default:
        throw new VaultError(405, 'unsupported operation');
    }
  }

  private write(req: BackendRequest, key: string, existing: Key | undefined): BackendResponse {
    const data = req.data.data;
    if (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) throw new VaultError(400, 'no data provided');
    const options = (req.data.options ?? {}) as Record<string, unknown>;
    const casRequired = this.config.casRequired || existing?.casRequired === true;
    if (options.cas === undefined && casRequired) throw new VaultError(400, 'check-and-set parameter required for this call');
    if (options.cas !== undefined && Number(options.cas) !== (existing?.current ?? 0)) {
      throw new VaultError(400, 'check-and-set parameter did not match the current version');
    }
    const now = this.now();
    const entry: Key = existing ?? {
      versions: new Map(),
      current: 0,
      createdMs: now,
      updatedMs: now,
      maxVersions: 0,
      casRequired: false,
      customMetadata: null,
    };
    entry.current += 1;
    entry.updatedMs = now;
    const version: Version = { data: data as Record<string, unknown>, createdMs: now, deletedMs: null, destroyed: false };
    entry.versions.set(entry.current, version);
    const keep = entry.maxVersions || this.config.maxVersions || DEFAULT_MAX_VERSIONS;
    for (const n of [...entry.versions.keys()]) if (n <= entry.current - keep) entry.versions.delete(n);
    this.keys.set(key, entry);
    return { data: versionMetadata(entry, entry.current, version) };
  }

  private handleMetadata(req: BackendRequest, key: string): BackendResponse | null {
    if (req.operation === 'list') return { data: { keys: listUnder(this.keys.keys(), key) } };
    if (key === '' || key.endsWith('/')) throw new VaultError(404, 'unsupported path');
    const entry = this.keys.get(key);
    switch (req.operation) {
      case 'read': {
        if (!entry) return null;
        const versions: Record<string, unknown> = {};
        for (const [n, v] of entry.versions)
          versions[String(n)] = { created_time: iso(v.createdMs), deletion_time: v.deletedMs === null ? '' : iso(v.deletedMs), destroyed: v.destroyed };
        return {
          data: {
            cas_required: entry.casRequired,
            created_time: iso(entry.createdMs),
            current_version: entry.current,
            custom_metadata: entry.customMetadata,
            delete_version_after: '0s',
            max_versions: entry.maxVersions,
            oldest_version: Math.min(...entry.versions.keys()),
            updated_time: iso(entry.updatedMs),
            versions,
          },
        };
      }
      case 'create':
      case 'update': {
        const now = this.now();
        const target = entry ?? { versions: new Map(), current: 0, createdMs: now, updatedMs: now, maxVersions: 0, casRequired: false, customMetadata: null };
        if (req.data.max_versions !== undefined) target.maxVersions = Number(req.data.max_versions) || 0;
        if (req.data.cas_required !== undefined) target.casRequired = req.data.cas_required === true || req.data.cas_required === 'true';
        if (req.data.custom_metadata !== undefined) target.customMetadata = (req.data.custom_metadata as Record<string, string> | null) ?? null;
        target.updatedMs = now;
        this.keys.set(key, target);
        return null;
      }
      case 'delete':
        this.keys.delete(key);
        return null;
      default:
        throw new VaultError(405, 'unsupported operation');
    }
  }
}

class KvV1 implements Backend {
  readonly type = 'kv';
  private readonly keys = new Map<string, Record<string, unknown>>();

  async existenceCheck(req: BackendRequest): Promise<boolean> {
    return this.keys.has(req.path);
  }

  async handle(req: BackendRequest): Promise<BackendResponse | null> {
    switch (req.operation) {
      case 'list':
        return { data: { keys: listUnder(this.keys.keys(), req.path) } };
      case 'read': {
        const value = this.keys.get(req.path);
        return value ? { data: value } : null;
      }
      case 'create':
      case 'update':
        this.keys.set(req.path, req.data);
        return null;
      case 'delete':
        this.keys.delete(req.path);
        return null;
      default:
        throw new VaultError(405, 'unsupported operation');
    }
  }
}

/** The "kv" mount type; `options.version` "2" selects KV v2 (as `vault secrets enable -version=2 kv`). */
export function kvFactory(now: () => number): BackendFactory {
  return ({ options }) => (String(options?.version ?? '1') === '2' ? new KvV2(now) : new KvV1());
}
