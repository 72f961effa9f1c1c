// Where Keyfob keeps the little it must remember between runs (the Vault token, SSO refresh
// material): the OS keychain when there is one, otherwise memory for this process only, and
// then it says so. Never a file.

export type SecretStoreKind = 'os-keychain' | 'memory';

export interface SecretStore {
  readonly kind: SecretStoreKind;
  /** For a memory store: why the OS keychain is not used, e.g. "no Secret Service (...)". */
  readonly reason: string | undefined;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  /** True when something was deleted. */
  delete(key: string): Promise<boolean>;
}

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
  /** The short reason alone, e.g. "the keyring is locked and the unlock prompt was dismissed". */
  readonly detail: string;

  constructor(message: string, detail: string) {
    super(message);
    this.detail = detail;
  }
}

/** Secrets that live and die with this process. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly reason: string | undefined;
  readonly #values = new Map<string, string>();

  constructor(reason?: string) {
    this.reason = reason;
  }

  async get(key: string): Promise<string | null> {
    return this.#values.get(key) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    this.#values.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return this.#values.delete(key);
  }
}
