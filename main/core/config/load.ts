// Finds, reads and validates the org config. Every failure is one ConfigError line.
import { constants, type Stats } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { parseConfigCached } from './parsedCache.ts';
import { locateConfig, type ConfigSource } from './paths.ts';
import type { KeyfobConfig } from './schema.ts';

export interface LoadConfigOptions {
  /** --config FILE */
  path?: string;
  /** Defaults to process.env; KEYFOB_CONFIG, XDG_CONFIG_HOME, APPDATA and HOME are read from it. */
  env?: NodeJS.ProcessEnv;
  /** Keep the parsed YAML here for the next start (parsedCache.ts): the state dir. None by default. */
  cacheDir?: string;
}

export interface LoadedConfig {
  path: string;
  source: ConfigSource;
  config: KeyfobConfig;
}

const sourceNames: Record<ConfigSource, string> = {
  flag: 'given with --config',
  env: 'named by KEYFOB_CONFIG',
  'user-dir': 'the per-user default; pass --config FILE or set KEYFOB_CONFIG to use another',
};

export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const located = locateConfig(opts.path, env);
  const path = resolve(located.path);
  let text: string;
  let stat: Stats;
  try {
    // One open file: the stat that keys the parse cache describes the text that was read.
    const file = await open(path, 'r');
    try {
      stat = await file.stat();
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError('CONFIG_NOT_FOUND', path, `No Keyfob config at ${path} (${sourceNames[located.source]}); your admin provides config.yaml`);
    }
    throw new ConfigError('CONFIG_UNREADABLE', path, `${path}: cannot read the config: ${code ?? (error as Error).message}`);
  }
  const config = opts.cacheDir ? await parseConfigCached(text, path, stat, opts.cacheDir) : (await import('./parse.ts')).parseConfig(text, path);
  if (config.vault.caFile) await checkReadable(config.vault.caFile, path);
  return { path, source: located.source, config };
}

/** A CA file that is not there would otherwise surface later as a confusing TLS error. */
async function checkReadable(caFile: string, configPath: string): Promise<void> {
  try {
    await access(caFile, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('CONFIG_INVALID', configPath, `${configPath}: vault.caFile: cannot read ${caFile} (${code})`, 'vault.caFile');
  }
}
