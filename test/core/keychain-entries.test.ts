// The OS keychain store keeps the entries it made (osKeychain.ts): making one opens a Secret
// Service connection, so a key used again (exec's child token: written, then deleted twice) reuses
// it. Checked against a fake keyring module that counts the entries made.
import { describe, expect, it } from 'vitest';
import { OsKeychainStore } from '../../main/core/keychain/osKeychain.ts';

function fakeKeyring(failures: { next?: Error } = {}) {
  const values = new Map<string, string>();
  const made: string[] = [];
  class AsyncEntry {
    readonly #key: string;
    constructor(_service: string, key: string) {
      this.#key = key;
      made.push(key);
    }
    #maybeFail(): void {
      const error = failures.next;
      if (error) {
        failures.next = undefined;
        throw error;
      }
    }
    async getPassword(): Promise<string | null> {
      this.#maybeFail();
      return values.get(this.#key) ?? null;
    }
    async setPassword(value: string): Promise<void> {
      this.#maybeFail();
      values.set(this.#key, value);
    }
    async deleteCredential(): Promise<boolean> {
      this.#maybeFail();
      return values.delete(this.#key);
    }
  }
  return { module: { AsyncEntry } as unknown as typeof import('@napi-rs/keyring'), made, values };
}

describe('the OS keychain store', () => {
  it('makes one entry per key and uses it again for the writes, reads and deletes of that key', async () => {
    const { module, made } = fakeKeyring();
    const store = new OsKeychainStore(module, 'keyfob', 1000);
    await store.set('session-token:a', 'x');
    expect(await store.get('session-token:a')).toBe('x');
    expect(await store.delete('session-token:a')).toBe(true);
    expect(await store.delete('session-token:a')).toBe(false);
    expect(await store.get('other')).toBeNull();
    expect(made).toEqual(['session-token:a', 'other']);
  });

  it('keeps a bounded number of entries', async () => {
    const { module, made } = fakeKeyring();
    const store = new OsKeychainStore(module, 'keyfob', 1000);
    for (let i = 0; i < 20; i++) await store.get(`k${i}`);
    await store.get('k19');
    await store.get('k0');
    expect(made.filter((k) => k === 'k19')).toHaveLength(1);
    expect(made.filter((k) => k === 'k0')).toHaveLength(2);
  });

  it('tries once with a new entry when a kept one fails, but not when the keychain did not answer in time', async () => {
    const failures: { next?: Error } = {};
    const { module, made } = fakeKeyring(failures);
    const store = new OsKeychainStore(module, 'keyfob', 1000);
    await store.set('k', 'v');
    failures.next = new Error('Platform failure: DBus error: connection closed');
    expect(await store.get('k')).toBe('v');
    expect(made).toEqual(['k', 'k']);
    failures.next = new Error('The operation was aborted due to timeout');
    await expect(store.get('k')).rejects.toThrow(/did not answer in time/);
    expect(made).toEqual(['k', 'k']);
    // The failed entry is not kept: the next use makes a new one.
    expect(await store.get('k')).toBe('v');
    expect(made).toEqual(['k', 'k', 'k']);
  });
});
