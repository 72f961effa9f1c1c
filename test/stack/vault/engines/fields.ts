// Field types shared by the engines, parsed the way Vault's framework.FieldData does: durations as
// seconds or Go strings, lists as JSON arrays or comma strings, booleans from JSON or form bodies.
// Bad input becomes a 400 with Vault's "error converting input" wording.
import { z } from 'zod';
import { parseDuration } from '../../../../main/core/duration.ts';
import { VaultError } from '../backend.ts';

/** Vault's system default_lease_ttl = max_lease_ttl = 768h (vault-api.md §0.6). */
export const SYSTEM_MAX_TTL = 768 * 3600;

/** TypeDurationSecond: 90, "90", "90s", "1h30m" → seconds. */
export const durationSeconds = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: `time: invalid duration ${JSON.stringify(String(value))}` });
    return z.NEVER;
  }
  return seconds;
});

/** TypeCommaStringSlice: ["a","b"] or "a, b" → ["a","b"] (empty items dropped). */
export const stringList = z
  .union([z.array(z.union([z.string(), z.number()])), z.string()])
  .transform((value) => (Array.isArray(value) ? value.map(String) : value.split(',')).map((s) => s.trim()).filter((s) => s !== ''));

/** TypeStringSlice for SQL statements: a list, or one string (split on ';' later, per statement). */
export const statementList = z
  .union([z.array(z.string()), z.string()])
  .transform((value) => (Array.isArray(value) ? value : [value]).filter((s) => s.trim() !== ''));

/** TypeBool: JSON booleans, or "true"/"false"/"1"/"0" from form bodies and query strings. */
export const flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'True', 'False'])])
  .transform((value) => value === true || value === 'true' || value === 'True' || value === '1');

/** TypeString that tolerates numbers (form bodies and JSON clients both send them). */
export const text = z.union([z.string(), z.number()]).transform(String);

/** TypeMap of strings (SSH extensions, critical options); values are stringified like Vault's convertMapToStringValue. */
export const stringMap = z
  .record(z.string(), z.unknown())
  .transform((map) => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));

/** Parses a request body with a schema; the first problem becomes a 400 naming the field. */
export function parseFields<T extends z.ZodType>(schema: T, data: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  const input = field ? data[String(issue.path[0])] : data;
  throw new VaultError(400, `error converting input ${JSON.stringify(input)} for field "${field}": ${issue.message}`);
}

/** Go's time.Duration.String() for whole seconds ("1h0m0s", "30m0s", "45s", "0s"), as config reads print it. */
export function goDurationString(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** strutil.StrListContainsGlob: "*" wildcards in allowed entries (database allowed_roles). */
export function globListContains(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => {
    const regex = new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return regex.test(value);
  });
}
