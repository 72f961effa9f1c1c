// Opens the OS keychain, or a memory store that carries the reason. Whether the keychain really
// works here is learnt from its first use (checkedStore.ts), not from a probe at every start.
import { CheckedKeychainStore } from './checkedStore.ts';
import { OsKeychainStore } from './osKeychain.ts';
import { MemorySecretStore, type SecretStore } from './secretStore.ts';

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
  // No probe: the first read or write is the check (checkedStore.ts).
  return new CheckedKeychainStore(new OsKeychainStore(keyring, service, options.timeoutMs ?? 10_000), (cause) => unavailable(platform, cause));
}

/** Worded for "tokens are kept in memory only: <reason>". */
function unavailable(platform: NodeJS.Platform, cause: string): string {
  if (platform === 'darwin') return `the macOS Keychain is not available (${cause})`;
  if (platform === 'win32') return `the Windows Credential Manager is not available (${cause})`;
  return `no Secret Service (${cause})`;
}
