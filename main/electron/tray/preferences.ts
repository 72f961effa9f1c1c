// Where the preferences live: electron-store in the app's userData (`preferences.json`), checked
// by the one schema in common/preferences.ts (also handed to electron-store as JSON Schema). Only
// what the user set is stored, so an unset warning lead keeps following the org config.
import Store from 'electron-store';
import { z } from 'zod';
import {
  DEFAULT_PREFERENCES,
  preferencesPatchSchema,
  preferencesSchema,
  readPreferences,
  type Preferences,
  type PreferencesPatch,
} from '../../../common/preferences.ts';

export { readPreferences, type Preferences, type PreferencesPatch };

/** The tray's and the window's view of the preferences; `set` refuses a bad value (ZodError). */
export interface PreferenceStore {
  get(): Preferences;
  set(changes: PreferencesPatch): Preferences;
}

export function memoryPreferences(initial: PreferencesPatch = {}, defaults: Preferences = DEFAULT_PREFERENCES): PreferenceStore {
  let stored = preferencesPatchSchema.parse(initial);
  return {
    get: () => readPreferences(stored, defaults),
    set: (changes) => {
      stored = { ...stored, ...preferencesPatchSchema.parse(changes) };
      return readPreferences(stored, defaults);
    },
  };
}

/** electron-store in the app's userData (`preferences.json`); only after app ready. */
export function electronPreferences(options: { cwd?: string; defaults?: Preferences } = {}): PreferenceStore {
  const defaults = options.defaults ?? DEFAULT_PREFERENCES;
  const jsonSchema = z.toJSONSchema(preferencesSchema, { io: 'input' }) as { properties: Record<string, object> };
  const store = new Store<Record<string, unknown>>({
    name: 'preferences',
    ...(options.cwd ? { cwd: options.cwd } : {}),
    schema: jsonSchema.properties,
    clearInvalidConfig: true,
  });
  return {
    get: () => readPreferences(store.store, defaults),
    set: (changes) => {
      store.set(preferencesPatchSchema.parse(changes));
      return readPreferences(store.store, defaults);
    },
  };
}
