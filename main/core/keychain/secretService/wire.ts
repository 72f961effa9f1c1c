// The D-Bus wire format, for the few types the Secret Service needs: y b n q i u x t s o g v,
// arrays (ay as a Buffer, a{..} as a Map, other arrays as JS arrays) and structs (JS arrays).
// Marshalling is driven by the signature, as the spec defines it, so one code path serves
// a{ss}, a{sv}, ao, (oayays) and a{o(oayays)} alike. Alignment is where D-Bus clients break:
// every value is aligned to its type's boundary counted from the start of the message, and an
// array's byte length counts neither the padding after the length nor the padding after the
// last element (spec, "Marshaling (Wire Format)").

/** A variant's value with the signature it travels with, e.g. `{ signature: 's', value: 'x' }`. */
export interface Variant {
  signature: string;
  value: unknown;
}

interface TypeNode {
  code: string;
  /** The element of an array, the key and value of a dict entry, the members of a struct. */
  children: TypeNode[];
  /** The type's own signature text, e.g. "a{sv}". */
  text: string;
}

const ALIGN: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, s: 4, o: 4, g: 1, v: 1, a: 4, '(': 8, '{': 8 };

/** Messages (header and body) larger than this are refused, as dbus-daemon does (128 MiB). */
export const MAX_MESSAGE = 128 * 1024 * 1024;

/** The complete types of a signature, e.g. "a{sv}(oayays)b" gives three. */
export function parseSignature(signature: string): TypeNode[] {
  const types: TypeNode[] = [];
  let at = 0;
  while (at < signature.length) {
    const [node, next] = parseOne(signature, at);
    types.push(node);
    at = next;
  }
  return types;
}

function parseOne(sig: string, at: number): [TypeNode, number] {
  const code = sig[at];
  if (code === undefined) throw new Error(`D-Bus signature "${sig}" ends early`);
  if (code === 'a') {
    const [child, next] = parseOne(sig, at + 1);
    return [{ code, children: [child], text: sig.slice(at, next) }, next];
  }
  if (code === '(' || code === '{') {
    const close = code === '(' ? ')' : '}';
    const children: TypeNode[] = [];
    let next = at + 1;
    while (sig[next] !== close) {
      const [child, after] = parseOne(sig, next);
      children.push(child);
      next = after;
    }
    if (children.length === 0 || (code === '{' && children.length !== 2)) throw new Error(`D-Bus signature "${sig}" has a bad struct or dict entry`);
    return [{ code, children, text: sig.slice(at, next + 1) }, next + 1];
  }
  if (!(code in ALIGN)) throw new Error(`D-Bus type "${code}" is not supported`);
  return [{ code, children: [], text: code }, at + 1];
}

/** Writes values little-endian, aligned from the start of what it writes (the message's start). */
export class WireWriter {
  #buf = Buffer.alloc(256);
  #len = 0;

  get length(): number {
    return this.#len;
  }

  bytes(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }

  align(n: number): void {
    const pad = (n - (this.#len % n)) % n;
    this.#room(pad);
    this.#buf.fill(0, this.#len, this.#len + pad);
    this.#len += pad;
  }

  write(signature: string, values: readonly unknown[]): void {
    const types = parseSignature(signature);
    if (types.length !== values.length) throw new Error(`D-Bus signature "${signature}" takes ${types.length} values, not ${values.length}`);
    types.forEach((type, i) => this.#value(type, values[i]));
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(bigger, 0, 0, this.#len);
    this.#buf = bigger;
  }

  #u32(n: number): void {
    this.align(4);
    this.#room(4);
    this.#buf.writeUInt32LE(n, this.#len);
    this.#len += 4;
  }

  #raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  #value(type: TypeNode, value: unknown): void {
    switch (type.code) {
      case 'y':
        this.#room(1);
        this.#buf.writeUInt8(value as number, this.#len++);
        return;
      case 'b':
        return this.#u32(value ? 1 : 0);
      case 'n':
      case 'q':
        this.align(2);
        this.#room(2);
        if (type.code === 'n') this.#buf.writeInt16LE(value as number, this.#len);
        else this.#buf.writeUInt16LE(value as number, this.#len);
        this.#len += 2;
        return;
      case 'i':
        this.align(4);
        this.#room(4);
        this.#buf.writeInt32LE(value as number, this.#len);
        this.#len += 4;
        return;
      case 'u':
        return this.#u32(value as number);
      case 'x':
      case 't':
        this.align(8);
        this.#room(8);
        if (type.code === 'x') this.#buf.writeBigInt64LE(BigInt(value as bigint), this.#len);
        else this.#buf.writeBigUInt64LE(BigInt(value as bigint), this.#len);
        this.#len += 8;
        return;
      case 's':
      case 'o': {
        const text = Buffer.from(value as string, 'utf8');
        this.#u32(text.length);
        this.#raw(text);
        this.#raw(Buffer.of(0));
        return;
      }
      case 'g': {
        const text = Buffer.from(value as string, 'ascii');
        if (text.length > 255) throw new Error('D-Bus signature is too long');
        this.#raw(Buffer.of(text.length));
        this.#raw(text);
        this.#raw(Buffer.of(0));
        return;
      }
      case 'v': {
        const variant = value as Variant;
        const inner = parseSignature(variant.signature);
        if (inner.length !== 1) throw new Error(`a D-Bus variant holds one complete type, not "${variant.signature}"`);
        this.#value({ code: 'g', children: [], text: 'g' }, variant.signature);
        this.#value(inner[0]!, variant.value);
        return;
      }
      case 'a':
        return this.#array(type.children[0]!, value);
      case '(':
      case '{': {
        this.align(8);
        const members = value as readonly unknown[];
        if (members.length !== type.children.length) throw new Error(`D-Bus struct "${type.text}" takes ${type.children.length} values`);
        type.children.forEach((child, i) => this.#value(child, members[i]));
        return;
      }
    }
  }

  #array(element: TypeNode, value: unknown): void {
    this.#u32(0); // the byte length, filled in below
    const lengthAt = this.#len - 4;
    // Padding to the first element's boundary is written even for an empty array, and not counted.
    this.align(ALIGN[element.code]!);
    const start = this.#len;
    if (element.code === 'y') this.#raw(value as Uint8Array);
    else if (element.code === '{') {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
      for (const entry of entries) this.#value(element, entry);
    } else for (const item of value as readonly unknown[]) this.#value(element, item);
    this.#buf.writeUInt32LE(this.#len - start, lengthAt);
  }
}

/** Reads values from a message, aligned from the message's start (`base`), in either byte order. */
export class WireReader {
  readonly #buf: Buffer;
  readonly #base: number;
  readonly #little: boolean;
  #at: number;

  constructor(buf: Buffer, at: number, littleEndian: boolean, base = 0) {
    this.#buf = buf;
    this.#at = at;
    this.#base = base;
    this.#little = littleEndian;
  }

  get offset(): number {
    return this.#at;
  }

  align(n: number): void {
    const rel = this.#at - this.#base;
    this.#at = this.#base + Math.ceil(rel / n) * n;
    if (this.#at > this.#buf.length) throw new RangeError('D-Bus message ends inside padding');
  }

  read(signature: string): unknown[] {
    return parseSignature(signature).map((type) => this.#value(type));
  }

  #u32(): number {
    this.align(4);
    const n = this.#little ? this.#buf.readUInt32LE(this.#at) : this.#buf.readUInt32BE(this.#at);
    this.#at += 4;
    return n;
  }

  #take(n: number): Buffer {
    if (this.#at + n > this.#buf.length) throw new RangeError('D-Bus message ends inside a value');
    const bytes = this.#buf.subarray(this.#at, this.#at + n);
    this.#at += n;
    return bytes;
  }

  #value(type: TypeNode): unknown {
    const b = this.#buf;
    switch (type.code) {
      case 'y':
        return this.#take(1)[0]!;
      case 'b':
        return this.#u32() !== 0;
      case 'n':
      case 'q': {
        this.align(2);
        const bytes = this.#take(2);
        if (type.code === 'n') return this.#little ? bytes.readInt16LE(0) : bytes.readInt16BE(0);
        return this.#little ? bytes.readUInt16LE(0) : bytes.readUInt16BE(0);
      }
      case 'i': {
        this.align(4);
        const bytes = this.#take(4);
        return this.#little ? bytes.readInt32LE(0) : bytes.readInt32BE(0);
      }
      case 'u':
        return this.#u32();
      case 'x':
      case 't': {
        this.align(8);
        const bytes = this.#take(8);
        if (type.code === 'x') return this.#little ? bytes.readBigInt64LE(0) : bytes.readBigInt64BE(0);
        return this.#little ? bytes.readBigUInt64LE(0) : bytes.readBigUInt64BE(0);
      }
      case 's':
      case 'o': {
        const n = this.#u32();
        const text = this.#take(n).toString('utf8');
        if (this.#take(1)[0] !== 0) throw new Error('D-Bus string is not terminated');
        return text;
      }
      case 'g': {
        const n = this.#take(1)[0]!;
        const text = this.#take(n).toString('ascii');
        if (this.#take(1)[0] !== 0) throw new Error('D-Bus signature is not terminated');
        return text;
      }
      case 'v': {
        const signature = this.#value({ code: 'g', children: [], text: 'g' }) as string;
        const inner = parseSignature(signature);
        if (inner.length !== 1) throw new Error(`a D-Bus variant holds one complete type, not "${signature}"`);
        return { signature, value: this.#value(inner[0]!) } satisfies Variant;
      }
      case 'a': {
        const n = this.#u32();
        const element = type.children[0]!;
        this.align(ALIGN[element.code]!);
        const end = this.#at + n;
        if (end > b.length) throw new RangeError('D-Bus array runs past the message');
        if (element.code === 'y') return Buffer.from(this.#take(n));
        if (element.code === '{') {
          const map = new Map<unknown, unknown>();
          while (this.#at < end) {
            const [key, value] = this.#value(element) as [unknown, unknown];
            map.set(key, value);
          }
          return map;
        }
        const items: unknown[] = [];
        while (this.#at < end) items.push(this.#value(element));
        return items;
      }
      case '(':
      case '{':
        this.align(8);
        return type.children.map((child) => this.#value(child));
    }
    throw new Error(`D-Bus type "${type.code}" is not supported`);
  }
}

export const MessageType = { methodCall: 1, methodReturn: 2, error: 3, signal: 4 } as const;
/** The only flag Keyfob sets: a method call that wants no reply (none is sent). */
export const NO_REPLY_EXPECTED = 0x1;

const FIELD = { path: 1, interface: 2, member: 3, errorName: 4, replySerial: 5, destination: 6, sender: 7, signature: 8 } as const;
const FIELD_TYPE: Record<number, string> = { 1: 'o', 2: 's', 3: 's', 4: 's', 5: 'u', 6: 's', 7: 's', 8: 'g' };

export interface Message {
  type: number;
  flags: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  /** The body's signature; empty for no body. */
  signature: string;
  body: unknown[];
}

/** One whole message: the 12-byte fixed header, the header fields a(yv), padding to 8, the body. */
export function encodeMessage(message: Message): Buffer {
  const body = new WireWriter();
  if (message.signature) body.write(message.signature, message.body);
  const fields: [number, Variant][] = [];
  for (const [name, code] of Object.entries(FIELD) as [keyof typeof FIELD, number][]) {
    const value = name === 'signature' ? message.signature || undefined : message[name];
    if (value !== undefined) fields.push([code, { signature: FIELD_TYPE[code]!, value }]);
  }
  const out = new WireWriter();
  out.write('yyyyuua(yv)', ['l'.charCodeAt(0), message.type, message.flags, 1, body.length, message.serial, fields]);
  out.align(8);
  const bytes = Buffer.concat([out.bytes(), body.bytes()]);
  if (bytes.length > MAX_MESSAGE) throw new Error('D-Bus message is too large');
  return bytes;
}

/**
 * The length of the message at the start of `buf` once its fixed header and header-field length
 * have arrived (16 bytes), else undefined. Throws on a message that is not D-Bus or too large.
 */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 16) return undefined;
  const little = littleEndian(buf[0]!);
  const bodyLength = little ? buf.readUInt32LE(4) : buf.readUInt32BE(4);
  const fieldsLength = little ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
  const headerEnd = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8);
  const total = headerEnd + bodyLength;
  if (total > MAX_MESSAGE) throw new Error('D-Bus message is too large');
  return total;
}

export function decodeMessage(buf: Buffer): Message {
  const little = littleEndian(buf[0]!);
  const reader = new WireReader(buf, 0, little);
  const [, type, flags, version, bodyLength, serial, fields] = reader.read('yyyyuua(yv)') as [
    number,
    number,
    number,
    number,
    number,
    number,
    [number, Variant][],
  ];
  if (version !== 1) throw new Error(`D-Bus protocol version ${version} is not supported`);
  const message: Message = { type, flags, serial, signature: '', body: [] };
  for (const [code, variant] of fields) {
    const name = (Object.keys(FIELD) as (keyof typeof FIELD)[]).find((key) => FIELD[key] === code);
    if (name) (message as unknown as Record<string, unknown>)[name] = variant.value;
  }
  reader.align(8);
  const bodyStart = reader.offset;
  if (bodyStart + bodyLength !== buf.length) throw new Error('D-Bus message length does not match its header');
  if (message.signature) message.body = new WireReader(buf, bodyStart, little, 0).read(message.signature);
  return message;
}

function littleEndian(flag: number): boolean {
  if (flag === 0x6c) return true; // 'l'
  if (flag === 0x42) return false; // 'B'
  throw new Error('not a D-Bus message (bad byte-order flag)');
}
