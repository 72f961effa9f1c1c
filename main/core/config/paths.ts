// Where Keyfob looks for the org config when no --config is given: the per-user config dir
// each OS expects (XDG on Linux, Application Support on macOS, %APPDATA% on Windows).
import { homedir } from 'node:os';
import { isAbsolute, join, win32 } from 'node:path';

export type ConfigSource = 'flag' | 'env' | 'user-dir';

export interface ConfigLocation {
  path: string;
  source: ConfigSource;
}

export function defaultConfigPath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home = env.HOME || homedir()): string {
  if (platform === 'win32') {
    const appData = env.APPDATA || win32.join(env.USERPROFILE || home, 'AppData', 'Roaming');
    return win32.join(appData, 'Keyfob', 'config.yaml');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Keyfob', 'config.yaml');
  // XDG says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(xdg, 'keyfob', 'config.yaml');
}

/** --config, else KEYFOB_CONFIG, else the per-user config dir. */
export function locateConfig(explicit: string | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): ConfigLocation {
  if (explicit) return { path: explicit, source: 'flag' };
  if (env.KEYFOB_CONFIG) return { path: env.KEYFOB_CONFIG, source: 'env' };
  return { path: defaultConfigPath(env, platform), source: 'user-dir' };
}
