// The OS keychain through @napi-rs/keyring: Keychain on macOS, Credential Manager on Windows,
// and on Linux the Secret Service only. The package would otherwise fall back silently to the
// kernel keyutils keyring (in memory, gone at reboot); pinning makes it fail instead, so
// openSecretStore can fall back openly and say why.
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { SecretStoreError, type SecretStore } from './secretStore.ts';

type KeyringModule = typeof import('@napi-rs/keyring');

export const pinnedEntryOptions: EntryOptions = { linux: { store: 'secret-service' } };

/**
 * Entries kept for another use of the same key, most recent last. Making an entry is most of a
 * keychain call on Linux (it opens a Secret Service connection and session, synchronously: ~6 to
 * 8 ms, against ~1 to 4 ms for a read or delete through one already made), and a command uses some
 * keys more than once: `exec` writes its child token, then deletes it twice at the end (the
 * revoke, then the session's end). A few are enough; the tray's keys stay well under this.
 */
const KEPT_ENTRIES = 16;

export class OsKeychainStore implements SecretStore {
  readonly kind = 'os-keychain' as const;
  readonly reason = undefined;
  readonly #keyring: KeyringModule;
  readonly #service: string;
  readonly #timeoutMs: number;
  readonly #entries = new Map<string, AsyncEntry>();

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
    const kept = this.#entries.get(key);
    if (kept) {
      try {
        return await op(kept, AbortSignal.timeout(this.#timeoutMs));
      } catch (error) {
        // The connection behind a kept entry may have gone (the daemon restarted): try once with
        // a new one, unless the keychain did not answer or is locked (that would wait or prompt again).
        this.#entries.delete(key);
        if (!worthRetrying(error)) throw failure(verb, this.#service, key, error);
      }
    }
    try {
      // A locked keychain can sit behind an unlock prompt; do not hang forever on it.
      const entry = new this.#keyring.AsyncEntry(this.#service, key, pinnedEntryOptions);
      this.#keep(key, entry);
      return await op(entry, AbortSignal.timeout(this.#timeoutMs));
    } catch (error) {
      this.#entries.delete(key);
      throw failure(verb, this.#service, key, error);
    }
  }

  #keep(key: string, entry: AsyncEntry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > KEPT_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

function failure(verb: string, service: string, key: string, error: unknown): SecretStoreError {
  const detail = keychainFailure(error);
  return new SecretStoreError(`The OS keychain could not ${verb} ${service}/${key}: ${detail}`, detail);
}

function worthRetrying(error: unknown): boolean {
  return !/abort|timed? ?out|prompt was dismissed|locked/i.test(error instanceof Error ? error.message : String(error));
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
