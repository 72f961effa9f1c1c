// The Secret Service session's transport encryption, "dh-ietf1024-sha256-aes128-cbc-pkcs7" (the
// spec's only encrypted algorithm, and what libsecret and keyring-rs open): a Diffie-Hellman
// exchange in the 1024-bit MODP group of RFC 2409 (Oakley group 2, "modp2"), HKDF-SHA256 of the
// shared secret with no salt and no info to a 16-byte key, and AES-128-CBC with PKCS#7 padding
// and a fresh random IV per secret. It keeps secrets out of plain sight of other processes that
// can watch the bus (a D-Bus monitor), as the "plain" algorithm would not.
//
// Not `crypto.getDiffieHellman('modp2')`: it checks the group's prime for primality at every
// construction (~45 ms of blocked event loop, measured). A key pair generated for the named group
// (in the thread pool) and `crypto.diffieHellman` cost ~3 ms in all; the price is moving the
// public keys in and out of SubjectPublicKeyInfo DER, which is what this file's DER helpers do.
import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPair, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

export const SESSION_ALGORITHM = 'dh-ietf1024-sha256-aes128-cbc-pkcs7';
/** The group's prime length: the shared secret is padded to it, as libsecret and gnome-keyring do. */
const PRIME_BYTES = 128;

export interface SessionKeys {
  /** Our public key, big-endian without leading zeros, for OpenSession's input. */
  publicKey: Buffer;
  /** The AES key from the service's public key (OpenSession's output). */
  agree(servicePublicKey: Buffer): SessionCipher;
}

export interface SessionCipher {
  encrypt(plain: Buffer): { iv: Buffer; value: Buffer };
  decrypt(iv: Buffer, value: Buffer): Buffer;
}

type DhPair = { publicKey: KeyObject; privateKey: KeyObject };
/** generateKeyPair for 'dh' (Node supports it; @types/node has no overload for it). */
const generateKeyPairOf = generateKeyPair as unknown as (
  type: 'dh',
  options: { group: string },
  done: (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) => void,
) => void;

function generateDhPair(): Promise<DhPair> {
  return new Promise((resolve, reject) =>
    generateKeyPairOf('dh', { group: 'modp2' }, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey }))),
  );
}

export async function sessionKeys(): Promise<SessionKeys> {
  const pair = await generateDhPair();
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const { algorithm, publicKey } = splitSpki(spki);
  return {
    publicKey,
    agree(servicePublicKey) {
      const peer = createPublicKey({ key: joinSpki(algorithm, servicePublicKey), format: 'der', type: 'spki' });
      const shared = padTo(diffieHellman({ privateKey: pair.privateKey, publicKey: peer }), PRIME_BYTES);
      const key = Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), Buffer.alloc(0), 16));
      shared.fill(0);
      return aesCipher(key);
    },
  };
}

function aesCipher(key: Buffer): SessionCipher {
  return {
    encrypt(plain) {
      const iv = randomBytes(16);
      const cipher = createCipheriv('aes-128-cbc', key, iv);
      return { iv, value: Buffer.concat([cipher.update(plain), cipher.final()]) };
    },
    decrypt(iv, value) {
      const decipher = createDecipheriv('aes-128-cbc', key, iv);
      try {
        return Buffer.concat([decipher.update(value), decipher.final()]);
      } catch {
        // OpenSSL's reason ("bad decrypt") would say nothing more; never anything of the value.
        throw new Error('a secret from the Secret Service did not decrypt (session keys disagree)');
      }
    },
  };
}

function padTo(bytes: Buffer, length: number): Buffer {
  if (bytes.length >= length) return bytes;
  const padded = Buffer.alloc(length);
  bytes.copy(padded, length - bytes.length);
  bytes.fill(0);
  return padded;
}

// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier (dhKeyAgreement, with p and
// g), subjectPublicKey BIT STRING holding INTEGER y }. Only these few DER shapes are needed.

/** The AlgorithmIdentifier (kept whole, to wrap the service's key in) and y, as unsigned big-endian. */
export function splitSpki(spki: Buffer): { algorithm: Buffer; publicKey: Buffer } {
  const outer = derRead(spki, 0, 0x30);
  const algorithm = derRead(spki, outer.start, 0x30);
  const bits = derRead(spki, algorithm.end, 0x03);
  if (spki[bits.start] !== 0) throw new Error('unexpected DH public key encoding');
  const y = derRead(spki, bits.start + 1, 0x02);
  return { algorithm: spki.subarray(algorithm.at, algorithm.end), publicKey: unsigned(spki.subarray(y.start, y.end)) };
}

export function joinSpki(algorithm: Buffer, publicKey: Buffer): Buffer {
  let y = unsigned(publicKey);
  if (y.length === 0) y = Buffer.of(0);
  if (y[0]! & 0x80) y = Buffer.concat([Buffer.of(0), y]); // INTEGER is signed: keep it positive
  const bits = derTlv(0x03, Buffer.concat([Buffer.of(0), derTlv(0x02, y)]));
  return derTlv(0x30, Buffer.concat([algorithm, bits]));
}

function unsigned(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function derRead(buf: Buffer, at: number, tag: number): { at: number; start: number; end: number } {
  if (buf[at] !== tag) throw new Error('unexpected DH public key encoding');
  let length = buf[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buf[start + i]!;
    start += octets;
  }
  if (start + length > buf.length) throw new Error('unexpected DH public key encoding');
  return { at, start, end: start + length };
}

function derTlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.of(n) : n < 0x100 ? Buffer.of(0x81, n) : Buffer.of(0x82, n >> 8, n & 0xff);
  return Buffer.concat([Buffer.of(tag), length, content]);
}
