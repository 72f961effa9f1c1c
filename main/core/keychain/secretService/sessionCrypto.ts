// The Secret Service session's transport encryption, "dh-ietf1024-sha256-aes128-cbc-pkcs7" (the
// spec's only encrypted algorithm, and what libsecret and keyring-rs open): a Diffie-Hellman
// exchange in the 1024-bit MODP group of RFC 2409 (Oakley group 2, "modp2"), HKDF-SHA256 of the
// shared secret with no salt and no info to a 16-byte key, and AES-128-CBC with PKCS#7 padding
// and a fresh random IV per secret. It keeps secrets out of plain sight of other processes that
// can watch the bus (a D-Bus monitor), as the "plain" algorithm would not.
//
// Not `crypto.getDiffieHellman('modp2')`: it checks the group's prime for primality at every
// construction (~45 ms of blocked event loop, measured; `createDiffieHellman(prime)` too). A key
// pair generated for the named group (in the thread pool) and `crypto.diffieHellman` cost ~3 ms in
// all; the price is moving the public keys in and out of SubjectPublicKeyInfo DER, which is what
// this file's DER helpers do. Electron's BoringSSL has neither the named group nor DH key pairs
// (electron/electron#39603), so the tray falls back to the same exchange in BigInt arithmetic
// (~2 ms per exponentiation, on the main thread, once per process).
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

/** One side of the exchange: our public key, and the shared secret with the service's. */
export interface DhExchange {
  publicKey: Buffer;
  sharedSecret(servicePublicKey: Buffer): Buffer;
}

/** Node's OpenSSL: the key pair made in the thread pool. Rejects where the runtime has no DH key pairs (Electron). */
export async function nativeExchange(): Promise<DhExchange> {
  const pair = await generateDhPair();
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const { algorithm, publicKey } = splitSpki(spki);
  return {
    publicKey,
    sharedSecret(servicePublicKey) {
      const peer = createPublicKey({ key: joinSpki(algorithm, servicePublicKey), format: 'der', type: 'spki' });
      return diffieHellman({ privateKey: pair.privateKey, publicKey: peer });
    },
  };
}

// RFC 2409, section 6.2: the second Oakley group, generator 2.
const MODP2_PRIME = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF',
);
/** 256 bits of private exponent: well over the 160 a 1024-bit group's strength needs (NIST SP 800-57). */
const EXPONENT_BYTES = 32;

/** The same exchange in BigInt arithmetic, for runtimes whose crypto lacks it. */
export function portableExchange(): DhExchange {
  const exponent = toBigInt(randomBytes(EXPONENT_BYTES)) | (1n << BigInt(EXPONENT_BYTES * 8 - 1));
  return {
    publicKey: toBuffer(modPow(2n, exponent, MODP2_PRIME)),
    sharedSecret(servicePublicKey) {
      const peer = toBigInt(servicePublicKey);
      // A public key of 0, 1 or p-1 (or out of range) would force a known secret.
      if (peer <= 1n || peer >= MODP2_PRIME - 1n) throw new Error('the Secret Service sent an unusable DH public key');
      return toBuffer(modPow(peer, exponent, MODP2_PRIME));
    },
  };
}

export async function sessionKeys(exchange?: DhExchange): Promise<SessionKeys> {
  const ours = exchange ?? (await nativeExchange().catch(() => portableExchange()));
  return {
    publicKey: ours.publicKey,
    agree(servicePublicKey) {
      const shared = padTo(ours.sharedSecret(servicePublicKey), PRIME_BYTES);
      const key = Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), Buffer.alloc(0), 16));
      shared.fill(0);
      return aesCipher(key);
    },
  };
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

const toBigInt = (bytes: Buffer): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`));

function toBuffer(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
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
