// Hand-written schemas for the few shapes on the CLI's hottest start-up path (the journal's entries
// and the credential_process cache, read by every cached `aws-credential-process`). They check
// what a zod schema would (types, non-empty strings, integers, enums, unknown keys refused) without
// loading zod: its classic build is a 750 kB chunk whose evaluation alone was about a third of a
// cached answer (docs/performance.md, part 3). Still a schema at the boundary: nothing unchecked
// gets through, and a refusal says which field and what was expected.

/** Undefined when `value` fits; otherwise what was expected ("a non-empty string"). */
export type Check = (value: unknown) => string | undefined;

export type Parsed<T> = { success: true; data: T } | { success: false; message: string };

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const string: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
export const nonEmptyString: Check = (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string');
export const number: Check = (v) => (isNumber(v) ? undefined : 'a number');
export const int: Check = (v) => (Number.isSafeInteger(v) ? undefined : 'an integer');
export const positiveInt: Check = (v) => (Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'a positive integer');
export const nonNegativeInt: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'a non-negative integer');
export const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');

export function oneOf(values: readonly string[]): Check {
  return (v) => (typeof v === 'string' && values.includes(v) ? undefined : `one of ${values.join(', ')}`);
}

export function nullable(check: Check): Check {
  return (v) => {
    if (v === null) return undefined;
    const problem = check(v);
    return problem && `${problem} or null`;
  };
}

export function matching(pattern: RegExp, what: string): Check {
  return (v) => (typeof v === 'string' && pattern.test(v) ? undefined : what);
}

export function arrayOf(check: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return 'an array';
    for (let i = 0; i < v.length; i++) {
      const problem = check(v[i]);
      if (problem) return `an array whose item ${i} is ${problem}`;
    }
    return undefined;
  };
}

/** A field of a strict object; `optional` fields may be absent (or undefined). */
export interface Field {
  check: Check;
  optional?: boolean;
}

export const optional = (check: Check): Field => ({ check, optional: true });

/**
 * An object with exactly these fields (unknown keys refused, like zod's `.strict()`); the value
 * returned is a copy holding the fields in the shape's order.
 */
export function strictObject<T>(shape: Record<string, Check | Field>): (raw: unknown) => Parsed<T> {
  const fields = Object.entries(shape).map(([key, f]) => ({ key, ...(typeof f === 'function' ? { check: f, optional: false } : { optional: false, ...f }) }));
  const known = new Set(fields.map((f) => f.key));
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { success: false, message: 'expected an object' };
    const input = raw as Record<string, unknown>;
    for (const key of Object.keys(input)) if (!known.has(key)) return { success: false, message: `unknown key "${key}"` };
    const out: Record<string, unknown> = {};
    for (const { key, check, optional: isOptional } of fields) {
      const value = input[key];
      if (value === undefined) {
        if (isOptional) {
          if (Object.hasOwn(input, key)) out[key] = undefined;
          continue;
        }
        return { success: false, message: `${key}: required` };
      }
      const problem = check(value);
      if (problem) return { success: false, message: `${key}: expected ${problem}` };
      out[key] = Array.isArray(value) ? [...value] : value;
    }
    return { success: true, data: out as T };
  };
}
