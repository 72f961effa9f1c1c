import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where Keyfob keeps its journal, audit log and preferences: KEYFOB_HOME if set, else the
 * per-user data dir. The CLI and the tray must agree on it, so both call this.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const explicit = env.KEYFOB_HOME?.trim();
  if (explicit) return resolve(explicit);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Keyfob');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'Keyfob');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'keyfob');
}

/** Creates the state dir readable by its owner only. */
export function ensureStateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
