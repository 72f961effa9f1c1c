// The OS keychain through @napi-rs/keyring: Keychain on macOS, Credential Manager on Windows,
// and on Linux the Secret Service only. The package would otherwise fall back silently to the
// kernel keyutils keyring (in memory, gone at reboot); pinning makes it fail instead, so
// openSecretStore can fall back openly and say why.
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { SecretStoreError, type SecretStore } from './secretStore.ts';

type KeyringModule = typeof import('@napi-rs/keyring');

export const pinnedEntryOptions: EntryOptions = { linux: { store: 'secret-service' } };

export class OsKeychainStore implements SecretStore {
  readonly kind = 'os-keychain' as const;
  readonly reason = undefined;
  readonly #keyring: KeyringModule;
  readonly #service: string;
  readonly #timeoutMs: number;

  constructor(keyring: KeyringModule, service: string, timeoutMs: number) {
    this.#keyring = keyring;
    this.#service = service;
    this.#timeoutMs = timeoutMs;
  }

  async get(key: string): Promise<string | null> {
    return this.#run('read', key, (entry, signal) => entry.getPassword(signal));
  }

  async set(key: string, value: string): Promise<void> {
    await this.#run('write', key, (entry, signal) => entry.setPassword(value, signal));
  }

  async delete(key: string): Promise<boolean> {
    return this.#run('delete', key, (entry, signal) => entry.deleteCredential(signal));
  }

  async #run<T>(verb: string, key: string, op: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      // A locked keychain can sit behind an unlock prompt; do not hang forever on it.
      const entry = new this.#keyring.AsyncEntry(this.#service, key, pinnedEntryOptions);
      return await op(entry, AbortSignal.timeout(this.#timeoutMs));
    } catch (error) {
      const detail = keychainFailure(error);
      throw new SecretStoreError(`The OS keychain could not ${verb} ${this.#service}/${key}: ${detail}`, detail);
    }
  }
}

/** keyring-rs messages, shortened to what a person can act on. */
export function keychainFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/abort|timed? ?out/i.test(message)) return 'it did not answer in time (is it waiting to be unlocked?)';
  if (/prompt was dismissed|locked/i.test(message)) return 'the keyring is locked and the unlock prompt was dismissed';
  if (/autolaunch/i.test(message)) return 'no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set';
  const dbus = /DBus error: (.+)$/.exec(message);
  if (dbus) return `D-Bus is not reachable: ${dbus[1]!.trim()}`;
  return message.replace(/^Platform failure: /, '').replace(/^Couldn't access platform storage: /, '');
}
