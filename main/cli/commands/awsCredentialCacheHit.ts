// The warm path of `aws-credential-process`: keychain and journal only. It opens no engine (no
// config parsing, no Vault client, no crash recovery), so a cached answer costs about one Node
// start plus one keychain read (npm run bench measures it against `node -e 0`).
import { resolve } from 'node:path';
import { awsCredentialKey, isServable, readCachedAwsCredential } from '../../core/aws/credentialCache.ts';
import { credentialProcessOutput } from '../../core/brokers/aws.ts';
import { locateConfig } from '../../core/config/paths.ts';
import { openSecretStore } from '../../core/keychain/open.ts';
import { Journal } from '../../core/sessions/journal.ts';
import { stateDir } from '../../core/sessions/stateDir.ts';
import type { CommandContext } from './context.ts';

/** The credential_process JSON from the keychain, or undefined when Vault must be asked. */
export async function cachedCredentialProcessOutput(targetId: string, ctx: CommandContext): Promise<string | undefined> {
  const configPath = resolve(locateConfig(ctx.configPath, ctx.env).path);
  const store = await openSecretStore({ env: ctx.env });
  if (store.kind !== 'os-keychain') return undefined;
  const cached = await readCachedAwsCredential(store, awsCredentialKey(configPath, targetId));
  if (!cached) return undefined;
  const entries = await new Journal(stateDir(ctx.env)).list();
  return isServable(cached, entries, Date.now()) ? credentialProcessOutput(cached.keys) : undefined;
}
