// The OS keychain, checked by its first real use instead of a probe at every start. A probe (write,
// read, delete an entry) cost three keychain round trips on every command, most of opening the
// engine; the engine reads the sign-in at start anyway, so that read is the check. The first read
// or write that fails turns this store into a memory store for the rest of the process, with the
// reason, and `kind`/`reason` say so from then on (status: "no keychain", login: "this sign-in
// ends with this command").
import { keychainFailure } from './osKeychain.ts';
import { MemorySecretStore, SecretStoreError, type SecretStore, type SecretStoreKind } from './secretStore.ts';

export class CheckedKeychainStore implements SecretStore {
  readonly #keychain: SecretStore;
  readonly #describe: (cause: string) => string;
  #fallback: MemorySecretStore | undefined;

  /** `describe` words the reason, e.g. "no Secret Service (D-Bus is not reachable: ...)". */
  constructor(keychain: SecretStore, describe: (cause: string) => string) {
    this.#keychain = keychain;
    this.#describe = describe;
  }

  get kind(): SecretStoreKind {
    return this.#fallback ? 'memory' : this.#keychain.kind;
  }

  get reason(): string | undefined {
    return this.#fallback ? this.#fallback.reason : this.#keychain.reason;
  }

  get(key: string): Promise<string | null> {
    return this.#use((store) => store.get(key));
  }

  set(key: string, value: string): Promise<void> {
    return this.#use((store) => store.set(key, value));
  }

  delete(key: string): Promise<boolean> {
    return this.#use((store) => store.delete(key));
  }

  async #use<T>(op: (store: SecretStore) => Promise<T>): Promise<T> {
    if (this.#fallback) return op(this.#fallback);
    try {
      return await op(this.#keychain);
    } catch (error) {
      const cause = error instanceof SecretStoreError ? error.detail : keychainFailure(error);
      this.#fallback ??= new MemorySecretStore(this.#describe(cause));
      return op(this.#fallback);
    }
  }
}
