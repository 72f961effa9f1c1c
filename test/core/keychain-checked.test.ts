import { describe, expect, it } from 'vitest';
import { CheckedKeychainStore } from '../../main/core/keychain/checkedStore.ts';
import { SecretStoreError, type SecretStore } from '../../main/core/keychain/index.ts';

/** A keychain that counts its calls and fails them all when `broken`. */
class FakeKeychain implements SecretStore {
  readonly kind = 'os-keychain' as const;
  readonly reason = undefined;
  readonly values = new Map<string, string>();
  calls = 0;
  readonly broken: boolean;
  constructor(broken: boolean) {
    this.broken = broken;
  }
  #call(): void {
    this.calls++;
    if (this.broken) throw new SecretStoreError('The OS keychain could not read keyfob/x: it did not answer in time', 'it did not answer in time');
  }
  async get(key: string) {
    this.#call();
    return this.values.get(key) ?? null;
  }
  async set(key: string, value: string) {
    this.#call();
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.#call();
    return this.values.delete(key);
  }
}

const describe_ = (cause: string) => `no Secret Service (${cause})`;

describe('the keychain, checked by its first use', () => {
  it('costs one keychain call per read: no probe entry is written, read and deleted first', async () => {
    const keychain = new FakeKeychain(false);
    keychain.values.set('vault', 'stored');
    const store = new CheckedKeychainStore(keychain, describe_);
    expect(await store.get('vault')).toBe('stored');
    expect(keychain.calls).toBe(1);
    expect(store).toMatchObject({ kind: 'os-keychain', reason: undefined });
  });

  it('a failed read says "no keychain" from then on and keeps secrets in memory for this process', async () => {
    const keychain = new FakeKeychain(true);
    const store = new CheckedKeychainStore(keychain, describe_);
    expect(await store.get('vault')).toBeNull();
    expect(store.kind).toBe('memory');
    expect(store.reason).toBe('no Secret Service (it did not answer in time)');
    await store.set('vault', 'in memory');
    expect(await store.get('vault')).toBe('in memory');
    expect(keychain.calls).toBe(1); // not asked again once it failed
  });

  it('a failed write falls back the same way, so login still finishes and says where the token went', async () => {
    const store = new CheckedKeychainStore(new FakeKeychain(true), describe_);
    await store.set('vault', 'token');
    expect(store.kind).toBe('memory');
    expect(await store.get('vault')).toBe('token');
  });
});
