// The mount table: secrets engines under their path and auth methods under "auth/<path>",
// matched by longest prefix as Vault's router does.
import type { Backend } from './backend.ts';
import { newUuid, base62 } from './ids.ts';
import { SYSTEM_TTL, type MountTtls } from './ttl.ts';

export interface MountEntry {
  /** Routing path with trailing slash: "database/", "auth/oidc/", "sys/". */
  path: string;
  kind: 'secret' | 'auth';
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  /** Seconds; 0 = system default. */
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  options: Record<string, string> | null;
  backend: Backend;
  /** Built into the core (sys/, auth/token/): cannot be disabled. */
  builtin: boolean;
}

export class MountTable {
  private readonly entries = new Map<string, MountEntry>();

  add(entry: Omit<MountEntry, 'accessor' | 'uuid'>): MountEntry {
    const prefix = entry.kind === 'auth' ? `auth_${entry.type}_` : `${entry.type}_`;
    const full: MountEntry = { ...entry, accessor: `${prefix}${base62(8).toLowerCase()}`, uuid: newUuid() };
    this.entries.set(entry.path, full);
    return full;
  }

  remove(path: string): MountEntry | undefined {
    const entry = this.entries.get(path);
    this.entries.delete(path);
    return entry;
  }

  get(path: string): MountEntry | undefined {
    return this.entries.get(path);
  }

  /** The mount whose path is the longest prefix of `path` ("database/creds/x" → "database/"). */
  match(path: string): MountEntry | undefined {
    let best: MountEntry | undefined;
    for (const entry of this.entries.values()) {
      const bare = entry.path.slice(0, -1);
      if ((path.startsWith(entry.path) || path === bare) && (!best || entry.path.length > best.path.length)) best = entry;
    }
    return best;
  }

  /** Would a new mount at `path` overlap an existing one (either is a prefix of the other)? */
  conflict(path: string): MountEntry | undefined {
    for (const entry of this.entries.values()) if (path.startsWith(entry.path) || entry.path.startsWith(path)) return entry;
    return undefined;
  }

  list(kind: 'secret' | 'auth'): MountEntry[] {
    return [...this.entries.values()].filter((e) => e.kind === kind);
  }

  ttls(path: string): MountTtls {
    const entry = this.entries.get(path);
    return {
      defaultTtl: entry?.defaultLeaseTtl || SYSTEM_TTL,
      maxTtl: entry?.maxLeaseTtl || SYSTEM_TTL,
    };
  }

  describe(entry: MountEntry): Record<string, unknown> {
    return {
      accessor: entry.accessor,
      config: { default_lease_ttl: entry.defaultLeaseTtl, force_no_cache: false, max_lease_ttl: entry.maxLeaseTtl },
      description: entry.description,
      external_entropy_access: false,
      local: false,
      options: entry.options,
      plugin_version: '',
      running_plugin_version: '',
      running_sha256: '',
      seal_wrap: false,
      type: entry.type,
      uuid: entry.uuid,
    };
  }
}
