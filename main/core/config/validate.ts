// The config's validation after YAML: the schema, then file paths made absolute. A module of its
// own (no yaml import) so that a cached parse (parsedCache.ts) validates without loading yaml.
import { dirname, isAbsolute, resolve } from 'node:path';
import { configSchema, type KeyfobConfig } from './schema.ts';

/** The validated config, or undefined when `value` does not pass the schema (parse.ts then says why). */
export function validConfigOrUndefined(value: unknown, path: string): KeyfobConfig | undefined {
  const parsed = configSchema.safeParse(value);
  return parsed.success ? resolveFilePaths(parsed.data, path) : undefined;
}

/** A relative caFile is relative to the config file, not to wherever keyfob was started. */
export function resolveFilePaths(config: KeyfobConfig, file: string): KeyfobConfig {
  const caFile = config.vault.caFile;
  if (!caFile || isAbsolute(caFile)) return config;
  return { ...config, vault: { ...config.vault, caFile: resolve(dirname(resolve(file)), caFile) } };
}
