// The few Secret Service calls Keyfob makes (freedesktop.org Secret Service API 0.2), over one
// bus connection and one encrypted session (sessionCrypto.ts) opened on first use and again after
// the connection or the service went away. Nothing here prompts: a call that would need an
// unlock prompt reports it (locked items, a prompt path) and the caller decides.
import { BusConnection, DBusError, untilAborted, type MethodCall } from './busConnection.ts';
import { SESSION_ALGORITHM, sessionKeys, type DhExchange, type SessionCipher, type SessionKeys } from './sessionCrypto.ts';
import type { Variant } from './wire.ts';

const SERVICE = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
export const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default';
/** "No prompt" in the Secret Service's (o item, o prompt) answers. */
export const NO_PROMPT = '/';
const CONTENT_TYPE = 'text/plain';

interface Session {
  path: string;
  cipher: SessionCipher;
}

/** (session, parameters = the AES IV, value = the ciphertext, content type). */
type SecretStruct = [string, Buffer, Buffer, string];

export class SecretServiceCalls {
  readonly #bus: BusConnection;
  #session: Promise<Session> | undefined;
  /** Key pair for the next session, made in the thread pool while the first calls travel. */
  #keys: Promise<SessionKeys> | undefined;
  readonly #exchange: (() => DhExchange) | undefined;

  /** `exchange`: the DH side to use (tests); by default Node's, or the portable one where crypto lacks DH. */
  constructor(bus: BusConnection, exchange?: () => DhExchange) {
    this.#bus = bus;
    this.#exchange = exchange;
    // A session lives as long as the connection that opened it.
    bus.onClose(() => (this.#session = undefined));
  }

  /** Items whose attributes include all of `attributes`: unlocked ones can be read, locked ones need an unlock prompt. */
  async searchItems(attributes: Record<string, string>, signal: AbortSignal): Promise<{ unlocked: string[]; locked: string[] }> {
    if (!this.#session) this.#prepareKeys();
    const [unlocked, locked] = await this.#call(
      { path: SERVICE_PATH, interface: 'org.freedesktop.Secret.Service', member: 'SearchItems', signature: 'a{ss}', body: [attributes] },
      signal,
    );
    return { unlocked: unlocked as string[], locked: locked as string[] };
  }

  /** The item's secret, or null when the service gave none (the item is locked, or went away). */
  async getSecret(item: string, signal: AbortSignal): Promise<Buffer | null> {
    return this.#withSession(signal, async (session) => {
      const [secrets] = await this.#call(
        { path: SERVICE_PATH, interface: 'org.freedesktop.Secret.Service', member: 'GetSecrets', signature: 'aoo', body: [[item], session.path] },
        signal,
      );
      const secret = (secrets as Map<string, SecretStruct>).get(item);
      return secret ? session.cipher.decrypt(secret[1], secret[2]) : null;
    });
  }

  async setSecret(item: string, value: Buffer, signal: AbortSignal): Promise<void> {
    await this.#withSession(signal, (session) =>
      this.#call(
        { path: item, interface: 'org.freedesktop.Secret.Item', member: 'SetSecret', signature: '(oayays)', body: [secretStruct(session, value)] },
        signal,
      ),
    );
  }

  /** CreateItem with replace: returns the prompt's path, NO_PROMPT when the item was made. */
  async createItem(collection: string, label: string, attributes: Record<string, string>, value: Buffer, signal: AbortSignal): Promise<string> {
    const properties = new Map<string, Variant>([
      ['org.freedesktop.Secret.Item.Label', { signature: 's', value: label }],
      ['org.freedesktop.Secret.Item.Attributes', { signature: 'a{ss}', value: attributes }],
    ]);
    const [, prompt] = await this.#withSession(signal, (session) =>
      this.#call(
        {
          path: collection,
          interface: 'org.freedesktop.Secret.Collection',
          member: 'CreateItem',
          signature: 'a{sv}(oayays)b',
          body: [properties, secretStruct(session, value), true],
        },
        signal,
      ),
    );
    return prompt as string;
  }

  /** Deletes the item: returns the prompt's path, NO_PROMPT when it is gone. */
  async deleteItem(item: string, signal: AbortSignal): Promise<string> {
    const [prompt] = await this.#call({ path: item, interface: 'org.freedesktop.Secret.Item', member: 'Delete' }, signal);
    return prompt as string;
  }

  /**
   * Opens the connection and the session now, ahead of the first call, which then finds them
   * ready (or under way): the round trips overlap whatever the process does meanwhile. It does
   * not keep the process alive, and a failure is left for that first call to meet and report.
   */
  warmUp(): void {
    this.#openSession(undefined, false).catch(() => {});
  }

  /** Drops the connection (tests; a process simply exits, the socket is unref'd). */
  close(): void {
    this.#bus.close();
  }

  async #call(call: Omit<MethodCall, 'destination'>, signal: AbortSignal | undefined, keepAlive = true): Promise<unknown[]> {
    return (await this.#bus.call({ destination: SERVICE, ...call }, signal, { keepAlive })).body;
  }

  /** Runs `use` with the session, opening one first if need be, and once more with a new one if the service forgot ours (it restarted). */
  async #withSession<T>(signal: AbortSignal, use: (session: Session) => Promise<T>): Promise<T> {
    // The session may be one warmUp opened, tied to no signal: this call's deadline still holds.
    const session = await untilAborted(this.#openSession(signal), signal);
    try {
      return await use(session);
    } catch (error) {
      if (!(error instanceof DBusError && error.errorName === 'org.freedesktop.Secret.Error.NoSession')) throw error;
      this.#session = undefined;
      return use(await untilAborted(this.#openSession(signal), signal));
    }
  }

  #openSession(signal: AbortSignal | undefined, keepAlive = true): Promise<Session> {
    this.#session ??= (async () => {
      const keys = await this.#prepareKeys();
      this.#keys = undefined; // one session per key pair
      const [output, path] = await this.#call(
        {
          path: SERVICE_PATH,
          interface: 'org.freedesktop.Secret.Service',
          member: 'OpenSession',
          signature: 'sv',
          body: [SESSION_ALGORITHM, { signature: 'ay', value: keys.publicKey }],
        },
        signal,
        keepAlive,
      );
      const servicePublicKey = (output as Variant).value;
      if (!Buffer.isBuffer(servicePublicKey)) throw new Error('the Secret Service answered OpenSession without a public key');
      return { path: path as string, cipher: keys.agree(servicePublicKey) };
    })();
    // A failed or aborted opening is not kept: the next call tries again.
    const opening = this.#session;
    opening.catch(() => {
      if (this.#session === opening) this.#session = undefined;
    });
    return opening;
  }

  #prepareKeys(): Promise<SessionKeys> {
    this.#keys ??= sessionKeys(this.#exchange?.());
    this.#keys.catch(() => (this.#keys = undefined));
    return this.#keys;
  }
}

function secretStruct(session: Session, value: Buffer): SecretStruct {
  const { iv, value: encrypted } = session.cipher.encrypt(value);
  return [session.path, iv, encrypted, CONTENT_TYPE];
}
