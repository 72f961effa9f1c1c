// The app's preferences: one definition for the tray (electron-store, main/electron/tray) and the
// window's Settings screen (common/ipc.ts `settings.*`). Never a secret: nothing here is sensitive,
// and a test reads the file on disk after a full session to keep it that way.
import { z } from 'zod';
import type { Impact } from './views.ts';

/** Which sessions sleep and screen lock revoke, whichever keyfob process owns them. */
export const REVOKE_ON_SLEEP_LOCK = ['none', 'high', 'medium-and-high', 'all'] as const;
export type RevokeOnSleepLock = (typeof REVOKE_ON_SLEEP_LOCK)[number];

export const preferencesSchema = z
  .object({
    revokeOnSleepLock: z.enum(REVOKE_ON_SLEEP_LOCK),
    /** Lead time of the "about to expire" warning; the org config's `sessions.warnBefore` until set. */
    warnBeforeSeconds: z.number().int().min(30).max(3600),
    /** A terminal command (words split like BROWSER); null = KEYFOB_TERMINAL, then the platform's. */
    terminal: z.string().trim().min(1).max(300).nullable(),
    /** A copied credential is cleared from the clipboard after this long, if still there. */
    clipboardClearSeconds: z.number().int().min(5).max(600),
    /** Applied to the OS login items at start (packaged app only). */
    launchAtLogin: z.boolean(),
  })
  .strict();
export type Preferences = z.infer<typeof preferencesSchema>;

/** A change as Settings (or a test) sends it: any subset, each value checked. */
export const preferencesPatchSchema = preferencesSchema.partial().strict();
export type PreferencesPatch = z.infer<typeof preferencesPatchSchema>;

export const DEFAULT_PREFERENCES: Preferences = {
  revokeOnSleepLock: 'high',
  warnBeforeSeconds: 300,
  terminal: null,
  clipboardClearSeconds: 30,
  launchAtLogin: false,
};

const IMPACTS_REVOKED: Record<RevokeOnSleepLock, Impact[]> = {
  none: [],
  high: ['high'],
  'medium-and-high': ['medium', 'high'],
  all: ['low', 'medium', 'high'],
};

/** The impacts a sleep or a lock revokes, for the engine's revokeAll filter. */
export function impactsRevokedOnSleepLock(choice: RevokeOnSleepLock): Impact[] {
  return [...IMPACTS_REVOKED[choice]];
}

/** The config's warning lead as a default, brought into the range Settings allows. */
export function warnBeforeDefault(configSeconds: number): number {
  return Math.min(3600, Math.max(30, Math.round(configSeconds)));
}

/** Reads leniently: a bad or missing value (an older version, a hand edit) falls back to its default. */
export function readPreferences(raw: unknown, defaults: Preferences = DEFAULT_PREFERENCES): Preferences {
  const input = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(preferencesSchema.shape) as (keyof Preferences)[]) {
    const field = preferencesSchema.shape[key].safeParse(input[key]);
    result[key] = field.success && input[key] !== undefined ? field.data : defaults[key];
  }
  return result as Preferences;
}
