// Opens the OS keychain if it really works here (a write/read/delete round trip of a probe
// entry, not just a successful constructor), otherwise a memory store that carries the reason.
import { randomBytes } from 'node:crypto';
import { keychainFailure, OsKeychainStore } from './osKeychain.ts';
import { MemorySecretStore, SecretStoreError, type SecretStore } from './secretStore.ts';

export interface OpenSecretStoreOptions {
  /** Keychain service name (default "keyfob"); tests use their own. */
  service?: string;
  /** KEYFOB_SECRET_STORE=memory forces the memory store (headless runs, tests). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Per keychain call (default 10 s): a locked keychain may be waiting on an unlock prompt. */
  timeoutMs?: number;
}

export const keychainService = 'keyfob';

export async function openSecretStore(options: OpenSecretStoreOptions = {}): Promise<SecretStore> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const service = options.service ?? keychainService;
  if (env.KEYFOB_SECRET_STORE === 'memory') return new MemorySecretStore('KEYFOB_SECRET_STORE=memory is set');

  let keyring: typeof import('@napi-rs/keyring');
  try {
    keyring = await import('@napi-rs/keyring');
  } catch (error) {
    return new MemorySecretStore(`the keychain module did not load (${(error as Error).message.split('\n')[0]})`);
  }
  const store = new OsKeychainStore(keyring, service, options.timeoutMs ?? 10_000);
  const probeKey = `probe-${process.pid}-${randomBytes(4).toString('hex')}`;
  const probeValue = randomBytes(16).toString('hex');
  try {
    await store.set(probeKey, probeValue);
    const back = await store.get(probeKey);
    await store.delete(probeKey);
    if (back !== probeValue) return new MemorySecretStore(unavailable(platform, 'it did not return what was stored'));
    return store;
  } catch (error) {
    const cause = error instanceof SecretStoreError ? error.detail : keychainFailure(error);
    return new MemorySecretStore(unavailable(platform, cause));
  }
}

/** Worded for "tokens are kept in memory only: <reason>". */
function unavailable(platform: NodeJS.Platform, cause: string): string {
  if (platform === 'darwin') return `the macOS Keychain is not available (${cause})`;
  if (platform === 'win32') return `the Windows Credential Manager is not available (${cause})`;
  return `no Secret Service (${cause})`;
}
