// Opens the OS keychain, or a memory store that carries the reason. Whether the keychain really
// works here is learnt from its first use (checkedStore.ts), not from a probe at every start.
// Linux: the Secret Service through Keyfob's own D-Bus client (secretServiceStore.ts); macOS and
// Windows: @napi-rs/keyring.
import { CheckedKeychainStore } from './checkedStore.ts';
import { OsKeychainStore } from './osKeychain.ts';
import { sessionBusAddress } from './secretService/busAddress.ts';
import { SecretServiceStore } from './secretServiceStore.ts';
import { MemorySecretStore, type SecretStore } from './secretStore.ts';

export interface OpenSecretStoreOptions {
  /** Keychain service name (default "keyfob"); tests use their own. */
  service?: string;
  /**
   * KEYFOB_SECRET_STORE=memory forces the memory store (headless runs, tests). Only that is read
   * from it: the keychain is the process's, found from process.env (the session bus, as libdbus
   * and @napi-rs/keyring find it).
   */
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

  const timeoutMs = options.timeoutMs ?? 10_000;
  const describe = (cause: string) => unavailable(platform, cause);
  // No probe: the first read or write is the check (checkedStore.ts).
  if (platform === 'linux') {
    // The Secret Service over one shared D-Bus connection; @napi-rs/keyring (~7 ms to load) only
    // for what needs an unlock prompt.
    const prompting = async () => new OsKeychainStore(await loadKeyring(), service, timeoutMs);
    const secretService = new SecretServiceStore({ address: sessionBusAddress(process.env), service, timeoutMs, prompting });
    // Every caller reads soon (the engine its sign-in): connect and open the session meanwhile.
    secretService.warmUp();
    return new CheckedKeychainStore(secretService, describe);
  }
  let keyring: typeof import('@napi-rs/keyring');
  try {
    keyring = await loadKeyring();
  } catch (error) {
    return new MemorySecretStore(`the keychain module did not load (${(error as Error).message.split('\n')[0]})`);
  }
  return new CheckedKeychainStore(new OsKeychainStore(keyring, service, timeoutMs), describe);
}

async function loadKeyring(): Promise<typeof import('@napi-rs/keyring')> {
  return import('@napi-rs/keyring');
}

/** Worded for "tokens are kept in memory only: <reason>". */
function unavailable(platform: NodeJS.Platform, cause: string): string {
  if (platform === 'darwin') return `the macOS Keychain is not available (${cause})`;
  if (platform === 'win32') return `the Windows Credential Manager is not available (${cause})`;
  return `no Secret Service (${cause})`;
}
