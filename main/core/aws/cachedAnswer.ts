// The warm path of `aws-credential-process`: keychain and journal only. It opens no engine (no
// config parsing, no Vault client, no crash recovery), so a cached answer costs about one Node
// start plus one keychain read (npm run bench measures it against `node -e 0`). A miss goes to
// the engine's handOverAws, which issues and caches the next keys.
import { resolve } from 'node:path';
import { stateDir } from '../base/stateDir.ts';
import { credentialProcessOutput } from '../brokers/aws.ts';
import { locateConfig } from '../config/paths.ts';
import { openSecretStore } from '../keychain/open.ts';
import type { SecretStore } from '../keychain/secretStore.ts';
import { Journal } from '../sessions/journal.ts';
import { awsCredentialKey, isServable, readCachedAwsCredential } from './credentialCache.ts';

/** The credential_process JSON from the keychain, or undefined when Vault must be asked. */
export async function cachedCredentialProcessOutput(
  targetId: string,
  options: { configPath?: string | undefined; env: NodeJS.ProcessEnv; secretStore?: SecretStore; now?: number },
): Promise<string | undefined> {
  // The same key the engine caches under: the config's resolved path, as loadConfig resolves it.
  const configPath = resolve(locateConfig(options.configPath, options.env).path);
  const store = options.secretStore ?? (await openSecretStore({ env: options.env }));
  if (store.kind !== 'os-keychain') return undefined;
  const cached = await readCachedAwsCredential(store, awsCredentialKey(configPath, targetId));
  if (!cached) return undefined;
  const entries = await new Journal(stateDir(options.env)).list();
  return isServable(cached, entries, options.now ?? Date.now()) ? credentialProcessOutput(cached.keys) : undefined;
}
