// The SSH wire encoding (RFC 4251 §5) and authorized_keys parsing, enough to build OpenSSH
// certificates (PROTOCOL.certkeys) without a dependency.
export class SshWriter {
  private readonly parts: Buffer[] = [];

  string(value: Buffer | string): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.uint32(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  uint32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    this.parts.push(b);
    return this;
  }

  uint64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(value);
    this.parts.push(b);
    return this;
  }

  /** An unsigned big-endian integer as an SSH mpint (minimal, with a 0x00 pad if the top bit is set). */
  mpint(unsigned: Buffer): this {
    let start = 0;
    while (start < unsigned.length && unsigned[start] === 0) start++;
    let bytes = unsigned.subarray(start);
    if (bytes.length > 0 && bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return this.string(bytes);
  }

  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export class SshReader {
  private offset = 0;
  private readonly buffer: Buffer;

  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }

  string(): Buffer {
    if (this.offset + 4 > this.buffer.length) throw new Error('ssh: short read');
    const length = this.buffer.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.buffer.length) throw new Error('ssh: short read');
    this.offset = start + length;
    return this.buffer.subarray(start, start + length);
  }

  rest(): Buffer {
    const out = this.buffer.subarray(this.offset);
    this.offset = this.buffer.length;
    return out;
  }

  get done(): boolean {
    return this.offset === this.buffer.length;
  }
}

/** A parsed public key: its algorithm name and its wire blob (what `ssh-keygen -l` hashes). */
export interface SshPublicKey {
  type: string;
  blob: Buffer;
  /** Size for allowed_user_key_lengths: RSA/DSA modulus bits, ECDSA curve bits, 256 for ed25519. */
  bits: number;
  /** rsa | dsa | ecdsa | ed25519 (Vault's names in allowed_user_key_lengths). */
  family: string;
}

const CURVE_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };

/** Checks the blob's fields for its algorithm, as x/crypto/ssh ParsePublicKey does. */
function parseBlob(blob: Buffer): SshPublicKey {
  const reader = new SshReader(blob);
  const type = reader.string().toString('latin1');
  const bitLength = (mpint: Buffer) => {
    const bytes = mpint[0] === 0 ? mpint.subarray(1) : mpint;
    return bytes.length === 0 ? 0 : (bytes.length - 1) * 8 + Math.floor(Math.log2(bytes[0]!)) + 1;
  };
  let bits: number;
  let family: string;
  switch (type) {
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com': {
      if (reader.string().length !== 32) throw new Error('ssh: invalid size for ed25519 key');
      if (type.startsWith('sk-')) reader.string();
      bits = 256;
      family = 'ed25519';
      break;
    }
    case 'ssh-rsa': {
      reader.string();
      bits = bitLength(reader.string());
      family = 'rsa';
      break;
    }
    case 'ssh-dss': {
      bits = bitLength(reader.string());
      reader.string();
      reader.string();
      reader.string();
      family = 'dsa';
      break;
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      const curve = reader.string().toString('latin1');
      if (!type.includes(curve) || !CURVE_BITS[curve]) throw new Error('ssh: curve mismatch');
      if (reader.string()[0] !== 4) throw new Error('ssh: invalid point');
      if (type.startsWith('sk-')) reader.string();
      bits = CURVE_BITS[curve]!;
      family = 'ecdsa';
      break;
    }
    default:
      throw new Error(`ssh: unknown key algorithm: ${type}`);
  }
  if (!reader.done) throw new Error('ssh: junk at end of key');
  return { type, blob, bits, family };
}

/**
 * ssh.ParseAuthorizedKey: the first line holding "[options] <type> <base64> [comment]" whose blob
 * parses; otherwise "ssh: no key found" (Go reports that for every kind of malformed input).
 */
export function parseAuthorizedKey(text: string): SshPublicKey {
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]!.startsWith('#')) continue;
    for (const start of [0, 1]) {
      const [type, encoded] = [fields[start], fields[start + 1]];
      if (!type || !encoded || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) continue;
      try {
        const key = parseBlob(Buffer.from(encoded, 'base64'));
        if (key.type === type) return key;
      } catch {
        // Not this field layout; try the next one, as Go does.
      }
    }
  }
  throw new Error('ssh: no key found');
}

/** "type base64\n", what ssh.MarshalAuthorizedKey writes. */
export function authorizedKeyLine(type: string, blob: Buffer): string {
  return `${type} ${blob.toString('base64')}\n`;
}
