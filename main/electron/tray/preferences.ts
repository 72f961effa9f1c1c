// The tray's preferences: a handful of settings in electron-store, validated by one zod schema
// (also handed to electron-store as JSON Schema). Never a secret: nothing here is sensitive, and a
// test reads the file after a full session to keep it that way.
import Store from 'electron-store';
import { z } from 'zod';
import { impacts } from '../../core/config/index.ts';

export const preferencesSchema = z.strictObject({
  /** Impacts revoked, whichever process owns the session, when the machine goes to sleep. */
  revokeOnSleep: z.array(z.enum(impacts)).default(['high']),
  /** Impacts revoked when the screen locks (macOS and Windows report it). */
  revokeOnLock: z.array(z.enum(impacts)).default(['high']),
  /** Seconds before expiry to warn; null follows the config's sessions.warnBefore. */
  warningLeadSeconds: z.int().min(0).max(86_400).nullable().default(null),
  /** A terminal command line (split like BROWSER), or empty for KEYFOB_TERMINAL / the platform's. */
  terminal: z.string().max(1000).default(''),
  /** A copied credential is cleared from the clipboard after this long, if still there. */
  clipboardClearSeconds: z.int().min(5).max(3600).default(30),
  launchAtLogin: z.boolean().default(false),
});
export type Preferences = z.output<typeof preferencesSchema>;

export const defaultPreferences: Preferences = preferencesSchema.parse({});

export interface PreferenceStore {
  get(): Preferences;
  set(changes: Partial<Preferences>): void;
}

/** Reads leniently: a bad value on disk (an older version, a hand edit) falls back to its default. */
export function readPreferences(raw: unknown): Preferences {
  const input = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(preferencesSchema.shape) as (keyof Preferences)[]) {
    const field = preferencesSchema.shape[key].safeParse(input[key]);
    result[key] = field.success ? field.data : defaultPreferences[key];
  }
  return result as Preferences;
}

export function memoryPreferences(initial: Partial<Preferences> = {}): PreferenceStore {
  let current = preferencesSchema.parse(initial);
  return {
    get: () => current,
    set: (changes) => (current = preferencesSchema.parse({ ...current, ...changes })),
  };
}

/** electron-store in the app's userData (`preferences.json`); only after app ready. */
export function electronPreferences(options: { cwd?: string } = {}): PreferenceStore {
  const jsonSchema = z.toJSONSchema(preferencesSchema, { io: 'input' }) as { properties: Record<string, object> };
  const store = new Store<Record<string, unknown>>({
    name: 'preferences',
    ...(options.cwd ? { cwd: options.cwd } : {}),
    schema: jsonSchema.properties,
    clearInvalidConfig: true,
  });
  return {
    get: () => readPreferences(store.store),
    set: (changes) => store.set(preferencesSchema.partial().parse(changes)),
  };
}
