// One connection to the D-Bus session bus for the whole process, shared by every keychain call:
// @napi-rs/keyring opened a new connection and Secret Service session, synchronously on the main
// thread, for every entry (7 to 9 ms each). Here a call is a message on an open socket.
// - Opened on first use: SASL EXTERNAL with our uid (the kernel vouches for it on a Unix socket),
//   then BEGIN and Hello written together with the first call, so opening costs one round trip
//   besides the call itself.
// - Replies are matched to calls by serial, so concurrent calls share the socket.
// - The socket is unref'd while no call waits, so an idle connection never keeps the process alive.
// - When the socket closes (the bus restarted), the calls waiting fail and the next call opens a
//   new connection.
import { connect, type Socket } from 'node:net';
import { busSockets, type BusSocket } from './busAddress.ts';
import { decodeMessage, encodeMessage, messageLength, MessageType, NO_REPLY_EXPECTED, type Message } from './wire.ts';

/** An error reply, by its D-Bus name (e.g. "org.freedesktop.DBus.Error.ServiceUnknown"). */
export class DBusError extends Error {
  override readonly name = 'DBusError';
  readonly errorName: string;

  constructor(errorName: string, text: string) {
    super(text ? `${errorName}: ${text}` : errorName);
    this.errorName = errorName;
  }
}

/** The bus could not be reached, or the connection went away; `reason` is worded for a person. */
export class BusUnreachableError extends Error {
  override readonly name = 'BusUnreachableError';
  readonly reason: string;

  constructor(reason: string) {
    super(`D-Bus is not reachable: ${reason}`);
    this.reason = reason;
  }
}

export interface MethodCall {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

export interface Reply {
  signature: string;
  body: unknown[];
}

interface Waiting {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

/** One open socket: its state lives and dies with it. */
class Link {
  readonly socket: Socket;
  /** Settles when authentication ends: calls may be written from then on. */
  ready: Promise<void> = Promise.resolve();
  readonly waiting = new Map<number, Waiting>();
  closed = false;
  #holds = 0;
  #serial = 0;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  nextSerial(): number {
    this.#serial = this.#serial >= 0xffffffff ? 1 : this.#serial + 1;
    return this.#serial;
  }

  /** Keeps the process alive while someone waits on this socket (a call, or the connection itself). */
  hold(): void {
    if (this.#holds++ === 0) this.socket.ref();
  }

  release(): void {
    if (--this.#holds === 0) this.socket.unref();
  }
}

export class BusConnection {
  readonly #address: string;
  readonly #onClose: (() => void)[] = [];
  #link: Link | undefined;
  #opened = 0;

  constructor(address: string) {
    this.#address = address;
  }

  /** How many sockets this connection has opened (one, unless the bus went away). */
  get opened(): number {
    return this.#opened;
  }

  /**
   * Sends a method call and waits for its reply; an error reply rejects with a DBusError. The
   * wait keeps the process alive unless `keepAlive` is false (a call made ahead of need).
   */
  async call(call: MethodCall, signal?: AbortSignal, { keepAlive = true }: { keepAlive?: boolean } = {}): Promise<Reply> {
    signal?.throwIfAborted();
    const link = this.#open();
    if (keepAlive) link.hold();
    try {
      await untilAborted(link.ready, signal);
      if (link.closed) throw new BusUnreachableError('the connection closed');
      const serial = link.nextSerial();
      const reply = new Promise<Reply>((resolve, reject) => link.waiting.set(serial, { resolve, reject }));
      link.socket.write(
        encodeMessage({
          type: MessageType.methodCall,
          flags: 0,
          serial,
          destination: call.destination,
          path: call.path,
          interface: call.interface,
          member: call.member,
          signature: call.signature ?? '',
          body: call.body ?? [],
        }),
      );
      try {
        return await untilAborted(reply, signal);
      } finally {
        link.waiting.delete(serial);
      }
    } finally {
      if (keepAlive) link.release();
    }
  }

  /** Called when a connection closes (what lived on it, e.g. a Secret Service session, is gone). */
  onClose(listener: () => void): void {
    this.#onClose.push(listener);
  }

  /** Closes the socket; the next call opens a new one. */
  close(): void {
    const link = this.#link;
    if (!link) return;
    link.socket.destroy();
    this.#closed(link);
  }

  #closed(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    const error = new BusUnreachableError('the connection closed');
    for (const waiting of link.waiting.values()) waiting.reject(error);
    link.waiting.clear();
    if (this.#link === link) this.#link = undefined;
    for (const listener of this.#onClose) listener();
  }

  #open(): Link {
    if (this.#link && !this.#link.closed) return this.#link;
    const sockets = busSockets(this.#address);
    if (sockets.length === 0) throw new BusUnreachableError(`no Unix socket in DBUS_SESSION_BUS_ADDRESS (${this.#address})`);
    // Only the first socket is tried: a session bus address lists one in practice.
    const target = sockets[0]!;
    const socket = connect({ path: target.path });
    this.#opened++;
    const link = new Link(socket);
    link.ready = authenticate(socket, target, (message) => this.#receive(link, message));
    socket.unref(); // held only while someone waits (Link.hold)
    link.ready.catch(() => {}); // a caller sees the failure through link.ready
    socket.on('close', () => this.#closed(link));
    this.#link = link;
    return link;
  }

  #receive(link: Link, message: Message): void {
    if (message.type === MessageType.methodReturn || message.type === MessageType.error) {
      const waiting = message.replySerial === undefined ? undefined : link.waiting.get(message.replySerial);
      if (!waiting) return;
      link.waiting.delete(message.replySerial!);
      if (message.type === MessageType.methodReturn) waiting.resolve({ signature: message.signature, body: message.body });
      else waiting.reject(new DBusError(message.errorName ?? 'org.freedesktop.DBus.Error.Failed', typeof message.body[0] === 'string' ? message.body[0] : ''));
    } else if (message.type === MessageType.methodCall && !(message.flags & NO_REPLY_EXPECTED)) {
      // Nobody should call us, but a caller (e.g. Peer.Ping) is owed an answer rather than a wait.
      link.socket.write(
        encodeMessage({
          type: MessageType.error,
          flags: NO_REPLY_EXPECTED,
          serial: link.nextSerial(),
          destination: message.sender,
          replySerial: message.serial,
          errorName: 'org.freedesktop.DBus.Error.UnknownMethod',
          signature: 's',
          body: ['keyfob answers no D-Bus calls'],
        }),
      );
    }
    // Signals (NameAcquired after Hello, and any other) are not ours to act on.
  }
}

/**
 * SASL EXTERNAL (spec, "Authentication Protocol"): a NUL byte, then AUTH EXTERNAL with our uid in
 * hex; on OK, BEGIN and the Hello call, after which the socket carries messages. Resolves once
 * BEGIN and Hello are written: calls can follow at once (the bus handles them in order).
 */
function authenticate(socket: Socket, target: BusSocket, onMessage: (message: Message) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let text = '';
    let inbox: Buffer = Buffer.alloc(0);
    let authenticated = false;
    const fail = (reason: string) => {
      reject(new BusUnreachableError(reason));
      socket.destroy();
    };
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!authenticated) fail(`cannot connect to ${target.shown} (${error.code ?? error.message})`);
    });
    socket.on('close', () => {
      if (!authenticated) fail(`${target.shown} closed the connection during authentication`);
    });
    socket.on('connect', () => {
      const uid = process.getuid?.() ?? 0;
      socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(uid), 'ascii').toString('hex')}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!authenticated) {
        text += chunk.toString('latin1');
        const end = text.indexOf('\r\n');
        if (end < 0) {
          if (text.length > 4096) fail('the bus sent no authentication answer');
          return;
        }
        const line = text.slice(0, end);
        if (!line.startsWith('OK ')) return fail(`the bus refused authentication (${line.slice(0, 200)})`);
        authenticated = true;
        inbox = Buffer.from(text.slice(end + 2), 'latin1');
        socket.write(Buffer.concat([Buffer.from('BEGIN\r\n', 'ascii'), hello()]));
        resolve();
        if (inbox.length === 0) return;
        chunk = Buffer.alloc(0);
      }
      inbox = inbox.length ? Buffer.concat([inbox, chunk]) : chunk;
      try {
        for (let length = messageLength(inbox); length !== undefined && inbox.length >= length; length = messageLength(inbox)) {
          const message = decodeMessage(inbox.subarray(0, length));
          inbox = inbox.subarray(length);
          onMessage(message);
        }
      } catch {
        // A stream we cannot parse cannot be resynchronised: drop it, the next call reconnects.
        socket.destroy();
      }
    });
  });
}

/** Hello (serial 0xffffffff, out of the range calls use soon): the bus's first required message. */
function hello(): Buffer {
  return encodeMessage({
    type: MessageType.methodCall,
    flags: NO_REPLY_EXPECTED,
    serial: 0xffffffff,
    destination: 'org.freedesktop.DBus',
    path: '/org/freedesktop/DBus',
    interface: 'org.freedesktop.DBus',
    member: 'Hello',
    signature: '',
    body: [],
  });
}

/** The promise, or the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
