// Vault's framework field types (sdk/framework/field_type.go) as zod schemas: request bodies come
// as JSON or form data, so a list may be "a,b" or ["a","b"], a duration "1h" or 3600, a bool "true".
import { z } from 'zod';
import { VaultError } from '../backend.ts';

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Go-style duration ("90", "90s", "1h30m") or a number of seconds → whole seconds. */
export function durationSeconds(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.floor(input) : undefined;
  const text = input.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  while (re.lastIndex < text.length) {
    const start = re.lastIndex;
    const m = re.exec(text);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? 0);
  }
  return Math.floor(total);
}

/** TypeCommaStringSlice: "a, b" or ["a","b"] → ["a","b"] (empty entries dropped). */
export const commaList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((v) => (Array.isArray(v) ? v.map(String) : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''));

/** TypeDurationSecond. */
export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const seconds = durationSeconds(v);
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return seconds;
});

/** TypeBool. */
export const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((v) => v === true || v === 'true' || v === '1');

/** TypeString: numbers are accepted and stringified, as Go's weak decoding does. */
export const str = z.union([z.string(), z.number()]).transform(String);

/** TypeKVPairs: {"claim": "metadata_key"}. */
export const kvPairs = z.record(z.string(), str);

/** TypeMap for bound_claims: each value a scalar or a list of scalars. */
const scalar = z.union([z.string(), z.number(), z.boolean()]);
export const boundClaimsMap = z.record(z.string(), z.union([scalar, z.array(scalar)]));

/**
 * Parse the fields of `data` that `shape` knows, as Vault's FieldData.GetOk does: absent fields
 * stay absent; a malformed one is a 400 naming the field.
 */
export function readFields<T extends z.ZodRawShape>(shape: T, data: Record<string, unknown>): Partial<z.output<z.ZodObject<T>>> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const raw = data[key];
    if (raw === undefined || raw === null) continue;
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      throw new VaultError(400, `error converting input for field "${key}": ${parsed.error.issues[0]?.message ?? 'invalid value'}`);
    }
    out[key] = parsed.data;
  }
  return out as Partial<z.output<z.ZodObject<T>>>;
}
