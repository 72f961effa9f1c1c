// The org config as YAML gave it, cached in the state dir by the file's path, size, mtime and the
// SHA-256 of its text, so a command whose config has not changed skips YAML (a fifth of a bundled
// `status`; docs/performance.md). Beside that plain value, a bundled CLI keeps the config its
// schema validated, under its own build id (buildId.ts): the same build with the same file skips
// the schema too, and the schema's module is not even loaded (docs/performance.md, part 4). Any
// other Keyfob (another build id, or none: the sources, the tray) validates the plain value at
// every start, so it never takes a config its own schema would refuse, and needs no cache
// version. Any doubt is a miss: the file is parsed again. Losing the cache costs one parse, so it
// is written without an fsync; it is read without following a symlink, as the journal is.
import { createHash, randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { readPrivateSync } from '../base/privateFiles.ts';
import { buildId as thisBuild } from './buildId.ts';
import type { KeyfobConfig } from './schema.ts';

const FILE = 'config-cache.json';
const FORMAT = 1;
/** Configs kept (one per --config path in use): enough for a person's few, small. */
const MAX_ENTRIES = 8;

interface Entry {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  value: unknown;
  /** The config as the schema of build `build` gave it for `value` (file paths resolved against `path`). */
  validated?: { build: string; config: unknown };
}

/**
 * The validated config of `text` (the file at `path`, as `stat` saw it), from the cache or by
 * parsing. `build` is this Keyfob's build id: undefined keeps no validated config (tests pass one).
 */
export async function parseConfigCached(text: string, path: string, stat: Stats, stateDir: string, build = thisBuild): Promise<KeyfobConfig> {
  const key = { path, size: stat.size, mtimeMs: stat.mtimeMs, sha256: createHash('sha256').update(text).digest('hex') };
  const entries = readEntries(stateDir);
  const hit = entries.find((e) => e.path === key.path && e.size === key.size && e.mtimeMs === key.mtimeMs && e.sha256 === key.sha256);
  if (hit && build !== undefined && hit.validated?.build === build) return hit.validated.config as KeyfobConfig;
  const keep = (value: unknown, config: KeyfobConfig) => {
    const validated = build !== undefined && isPlainJson(config) ? { validated: { build, config } } : {};
    writeEntries(stateDir, [{ ...key, value, ...validated }, ...entries.filter((e) => e.path !== path)].slice(0, MAX_ENTRIES));
  };
  if (hit) {
    // The schema's module (and zod's schemas for the config) load only when there is something to validate.
    const { validConfigOrUndefined } = await import('./validate.ts');
    const config = validConfigOrUndefined(hit.value, path);
    if (config) {
      if (build !== undefined) keep(hit.value, config);
      return config;
    }
  }
  // yaml loads only on a miss; a config that does not validate throws here, with its line.
  const { parseConfigDocument } = await import('./parse.ts');
  const parsed = parseConfigDocument(text, path);
  if (isPlainJson(parsed.value)) keep(parsed.value, parsed.config);
  return parsed.config;
}

function readEntries(dir: string): Entry[] {
  try {
    const data = JSON.parse(readPrivateSync(join(dir, FILE))) as { format?: unknown; entries?: unknown };
    if (data.format !== FORMAT || !Array.isArray(data.entries)) return [];
    return data.entries.filter(
      (e): e is Entry =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.path === 'string' &&
        typeof e.size === 'number' &&
        typeof e.mtimeMs === 'number' &&
        typeof e.sha256 === 'string' &&
        (e.validated === undefined || (typeof e.validated === 'object' && e.validated !== null && typeof e.validated.build === 'string')),
    );
  } catch {
    return [];
  }
}

/** Temp file and rename: a reader sees the old cache or the new one. A state dir not made yet (or any failure) just means no cache. */
function writeEntries(dir: string, entries: Entry[]): void {
  const tmp = join(dir, `${FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, entries }), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, join(dir, FILE));
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Whether JSON keeps `value` exactly (YAML can give Infinity, NaN or a Date, which JSON would change; a validated config may hold an undefined). */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isPlainJson);
  return false;
}
