// The Linux keychain: the Secret Service over one D-Bus connection per process
// (secretService/), in place of @napi-rs/keyring, which opened a connection and an encrypted
// session synchronously for every entry (7 to 9 ms of blocked event loop each).
//
// Items are the ones @napi-rs/keyring 2 (keyring-core's dbus-secret-service store) reads and
// writes, so either finds the other's: attributes exactly { service, username }, label
// "keyring:<username>@<service>", in the default collection. As there:
// - get and set refuse when several items match (an item another program wrote with the same
//   attributes): which one holds Keyfob's value cannot be told;
// - set replaces the secret of the one matching item in place, wherever it lives, and otherwise
//   creates one in the default collection.
// Unlike there, delete removes every matching item: forgetting a token must leave no copy.
//
// What needs an unlock prompt (a locked item or collection) goes to @napi-rs/keyring, loaded only
// then, which runs the prompt: Keyfob behaves as before on a locked keyring.
import { BusConnection, BusUnreachableError, DBusError } from './secretService/busConnection.ts';
import { DEFAULT_COLLECTION, NO_PROMPT, SecretServiceCalls } from './secretService/secretServiceCalls.ts';
import { SecretStoreError, type SecretStore } from './secretStore.ts';

export interface SecretServiceStoreOptions {
  /** The session bus address (busAddress.ts, sessionBusAddress); undefined when the process has none. */
  address: string | undefined;
  service: string;
  /** Per call: a locked keychain may be waiting on an unlock prompt. */
  timeoutMs: number;
  /** The store for what needs a prompt (@napi-rs/keyring), made on first need. */
  prompting: () => Promise<SecretStore>;
  /** The calls to use (tests); by default the process's shared connection to `address`. */
  calls?: SecretServiceCalls;
}

const NOT_IN_TIME = 'it did not answer in time (is it waiting to be unlocked?)';
export const NO_SESSION_BUS = 'no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set';

/** The work needs an unlock prompt: hand it to the prompting store. */
const PROMPT = Symbol('needs a prompt');

export class SecretServiceStore implements SecretStore {
  readonly kind = 'os-keychain' as const;
  readonly reason = undefined;
  readonly #options: SecretServiceStoreOptions;
  readonly #calls: SecretServiceCalls | undefined;
  #prompting: Promise<SecretStore> | undefined;

  constructor(options: SecretServiceStoreOptions) {
    this.#options = options;
    this.#calls = options.calls ?? (options.address ? sharedCalls(options.address) : undefined);
  }

  /** Connects and opens the session ahead of the first call (SecretServiceCalls.warmUp). */
  warmUp(): void {
    this.#calls?.warmUp();
  }

  async get(key: string): Promise<string | null> {
    return this.#run(
      'read',
      key,
      async (calls, signal) => {
        const item = await this.#find(calls, key, signal, 'one');
        if (item === PROMPT || item === undefined) return item ?? null;
        const secret = await calls.getSecret(item, signal);
        // No secret for an unlocked item: it was locked since the search.
        return secret === null ? PROMPT : secret.toString('utf8');
      },
      (store) => store.get(key),
    );
  }

  async set(key: string, value: string): Promise<void> {
    await this.#run(
      'write',
      key,
      async (calls, signal) => {
        const item = await this.#find(calls, key, signal, 'one');
        if (item === PROMPT) return PROMPT;
        const secret = Buffer.from(value, 'utf8');
        if (item !== undefined) return calls.setSecret(item, secret, signal);
        const { service } = this.#options;
        try {
          const prompt = await calls.createItem(DEFAULT_COLLECTION, `keyring:${key}@${service}`, { service, username: key }, secret, signal);
          return prompt === NO_PROMPT ? undefined : PROMPT;
        } catch (error) {
          // No default collection yet: making one asks the person (a prompt), which the library does.
          if (error instanceof DBusError && /NoSuchObject|UnknownObject/.test(error.errorName)) return PROMPT;
          throw error;
        }
      },
      (store) => store.set(key, value),
    );
  }

  async delete(key: string): Promise<boolean> {
    return this.#run(
      'delete',
      key,
      async (calls, signal) => {
        const items = await this.#find(calls, key, signal, 'all');
        if (items === PROMPT) return PROMPT;
        for (const item of items) if ((await calls.deleteItem(item, signal)) !== NO_PROMPT) return PROMPT;
        return items.length > 0;
      },
      (store) => store.delete(key),
    );
  }

  /** The unlocked item(s) of this key; PROMPT when a matching item is locked. */
  async #find(calls: SecretServiceCalls, key: string, signal: AbortSignal, want: 'one'): Promise<string | undefined | typeof PROMPT>;
  async #find(calls: SecretServiceCalls, key: string, signal: AbortSignal, want: 'all'): Promise<string[] | typeof PROMPT>;
  async #find(calls: SecretServiceCalls, key: string, signal: AbortSignal, want: 'one' | 'all'): Promise<string | string[] | undefined | typeof PROMPT> {
    const { service } = this.#options;
    const { unlocked, locked } = await calls.searchItems({ service, username: key }, signal);
    if (locked.length > 0) return PROMPT;
    if (want === 'all') return unlocked;
    if (unlocked.length > 1) {
      throw new SecretStoreError(
        `The OS keychain holds ${unlocked.length} items for ${service}/${key}; which one is Keyfob's cannot be told. Remove them with: secret-tool clear service ${service} username ${key}`,
        `${unlocked.length} Secret Service items match ${service}/${key}`,
      );
    }
    return unlocked[0];
  }

  async #run<T>(
    verb: string,
    key: string,
    work: (calls: SecretServiceCalls, signal: AbortSignal) => Promise<T | typeof PROMPT>,
    prompted: (store: SecretStore) => Promise<T>,
  ): Promise<T> {
    const { service, timeoutMs } = this.#options;
    const fail = (detail: string) => new SecretStoreError(`The OS keychain could not ${verb} ${service}/${key}: ${detail}`, detail);
    const calls = this.#calls;
    if (!calls) throw fail(NO_SESSION_BUS);
    // Our own timer rather than AbortSignal.timeout, whose timer is unref'd: this one keeps the
    // process alive until the call ends one way or the other (the socket is unref'd when idle).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error('timed out')), timeoutMs);
    let result: T | typeof PROMPT;
    try {
      try {
        result = await work(calls, deadline.signal);
      } catch (error) {
        // The connection closed under the call (the bus restarted): once more, on a new one.
        if (!(error instanceof BusUnreachableError && error.reason === 'the connection closed') || deadline.signal.aborted) throw error;
        result = await work(calls, deadline.signal);
      }
    } catch (error) {
      if (error instanceof SecretStoreError) throw error;
      throw fail(deadline.signal.aborted ? NOT_IN_TIME : secretServiceFailure(error));
    } finally {
      clearTimeout(timer);
    }
    if (result !== PROMPT) return result;
    return prompted(await this.#promptingStore());
  }

  #promptingStore(): Promise<SecretStore> {
    this.#prompting ??= this.#options.prompting();
    return this.#prompting;
  }
}

/** What went wrong, worded for "no Secret Service (…)"; never a secret (none is in these errors). */
export function secretServiceFailure(error: unknown): string {
  if (error instanceof BusUnreachableError) return error.message;
  if (error instanceof DBusError) {
    if (error.errorName === 'org.freedesktop.DBus.Error.ServiceUnknown') return 'nothing on the session bus provides it (org.freedesktop.secrets)';
    return `it refused the call (${error.message})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** One connection per bus address for the whole process: every store opened here shares it. */
const shared = new Map<string, SecretServiceCalls>();

function sharedCalls(address: string): SecretServiceCalls {
  let calls = shared.get(address);
  if (!calls) shared.set(address, (calls = new SecretServiceCalls(new BusConnection(address))));
  return calls;
}
