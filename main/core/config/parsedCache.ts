// The org config as YAML gave it, cached in the state dir by the file's path, size, mtime and the
// SHA-256 of its text, so a command whose config has not changed skips YAML (a fifth of a bundled
// `status`; docs/performance.md). What is cached is the plain value before validation: the schema
// still runs at every start, so a stale or edited cache can never yield a config the schema
// refuses, and a Keyfob with a newer schema needs no cache version. Any doubt is a miss: the file
// is parsed again. Losing the cache costs one parse, so it is written without an fsync.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { KeyfobConfig } from './schema.ts';
import { validConfigOrUndefined } from './validate.ts';

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
}

/** The validated config of `text` (the file at `path`, as `stat` saw it), from the cache or by parsing. */
export async function parseConfigCached(text: string, path: string, stat: Stats, stateDir: string): Promise<KeyfobConfig> {
  const key = { path, size: stat.size, mtimeMs: stat.mtimeMs, sha256: createHash('sha256').update(text).digest('hex') };
  const entries = readEntries(stateDir);
  const hit = entries.find((e) => e.path === key.path && e.size === key.size && e.mtimeMs === key.mtimeMs && e.sha256 === key.sha256);
  const config = hit ? validConfigOrUndefined(hit.value, path) : undefined;
  if (config) return config;
  // yaml loads only on a miss; a config that does not validate throws here, with its line.
  const { parseConfigDocument } = await import('./parse.ts');
  const parsed = parseConfigDocument(text, path);
  if (isPlainJson(parsed.value)) writeEntries(stateDir, [{ ...key, value: parsed.value }, ...entries.filter((e) => e.path !== path)].slice(0, MAX_ENTRIES));
  return parsed.config;
}

function readEntries(dir: string): Entry[] {
  try {
    const data = JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as { format?: unknown; entries?: unknown };
    if (data.format !== FORMAT || !Array.isArray(data.entries)) return [];
    return data.entries.filter(
      (e): e is Entry =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.path === 'string' &&
        typeof e.size === 'number' &&
        typeof e.mtimeMs === 'number' &&
        typeof e.sha256 === 'string',
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

/** Whether JSON keeps `value` exactly (YAML can give Infinity, NaN or a Date, which JSON would change). */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isPlainJson);
  return false;
}
