// The SSH CA signing key: generated with node:crypto or imported (PEM, or OpenSSH's own format via
// sshpk), exposed as its SSH public blob and a signer producing SSH signature blobs.
import { createPrivateKey, generateKeyPair, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import sshpk from 'sshpk';
import { SshWriter } from './ssh-wire.ts';

const generate = promisify(generateKeyPair);

export interface CaKey {
  /** ssh-ed25519 | ssh-rsa | ecdsa-sha2-nistp256/384/521 */
  type: string;
  /** The CA public key in SSH wire form (the certificate's signature key). */
  publicBlob: Buffer;
  /** Signs certificate bytes; returns the SSH signature blob (string alg, string sig). */
  sign(data: Buffer, algorithm: string): Buffer;
}

const EC_CURVES: Record<string, { ssh: string; hash: string }> = {
  'P-256': { ssh: 'nistp256', hash: 'sha256' },
  'P-384': { ssh: 'nistp384', hash: 'sha384' },
  'P-521': { ssh: 'nistp521', hash: 'sha512' },
};

const RSA_HASH: Record<string, string> = { 'ssh-rsa': 'sha1', 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' };

function fromB64url(value: string | undefined): Buffer {
  return Buffer.from(value ?? '', 'base64url');
}

/** Wraps a private KeyObject as a CA: derives the public blob and the signing rule for its type. */
export function caFromPrivateKey(key: KeyObject): CaKey {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const type = 'ssh-ed25519';
    return {
      type,
      publicBlob: new SshWriter().string(type).string(fromB64url(jwk.x)).toBuffer(),
      sign: (data) =>
        new SshWriter()
          .string(type)
          .string(sign(null, data, key))
          .toBuffer(),
    };
  }
  if (jwk.kty === 'RSA') {
    const type = 'ssh-rsa';
    return {
      type,
      publicBlob: new SshWriter().string(type).mpint(fromB64url(jwk.e)).mpint(fromB64url(jwk.n)).toBuffer(),
      sign: (data, algorithm) => {
        const hash = RSA_HASH[algorithm];
        if (!hash) throw new Error(`failed to generate signed SSH key: unsupported algorithm ${algorithm} for an RSA CA`);
        return new SshWriter()
          .string(algorithm)
          .string(sign(hash, data, key))
          .toBuffer();
      },
    };
  }
  const curve = jwk.kty === 'EC' ? EC_CURVES[jwk.crv ?? ''] : undefined;
  if (curve) {
    const type = `ecdsa-sha2-${curve.ssh}`;
    const point = Buffer.concat([Buffer.from([4]), fromB64url(jwk.x), fromB64url(jwk.y)]);
    return {
      type,
      publicBlob: new SshWriter().string(type).string(curve.ssh).string(point).toBuffer(),
      sign: (data) => {
        const rs = sign(curve.hash, data, { key, dsaEncoding: 'ieee-p1363' });
        const half = rs.length / 2;
        const inner = new SshWriter().mpint(rs.subarray(0, half)).mpint(rs.subarray(half)).toBuffer();
        return new SshWriter().string(type).string(inner).toBuffer();
      },
    };
  }
  throw new Error(`unsupported CA key type ${jwk.kty}`);
}

/**
 * Generates a CA key. The emulator's default is ed25519 (Vault's is ssh-rsa 4096): generating a
 * 4096-bit RSA key takes seconds of CPU on the shared CI cores, ed25519 is instant, and every
 * OpenSSH since 6.5 accepts ed25519 CAs. key_type ssh-rsa / rsa and ec / ecdsa-* are honoured.
 */
export async function generateCaKey(keyType: string, keyBits: number): Promise<CaKey> {
  switch (keyType) {
    case 'ssh-ed25519':
    case 'ed25519':
      return caFromPrivateKey((await generate('ed25519')).privateKey);
    case 'ssh-rsa':
    case 'rsa': {
      const bits = keyBits || 4096;
      if (bits < 2048) throw new Error(`refusing to generate weak ${keyType} key: ${bits} bits < 2048 bits`);
      return caFromPrivateKey((await generate('rsa', { modulusLength: bits })).privateKey);
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
    case 'ec': {
      const byType: Record<string, string> = { 'ecdsa-sha2-nistp256': 'P-256', 'ecdsa-sha2-nistp384': 'P-384', 'ecdsa-sha2-nistp521': 'P-521' };
      const byBits: Record<number, string> = { 0: 'P-256', 256: 'P-256', 384: 'P-384', 521: 'P-521' };
      const namedCurve = byType[keyType] ?? byBits[keyBits];
      if (!namedCurve) throw new Error(`unknown ECDSA key pair algorithm: ${keyType}`);
      return caFromPrivateKey((await generate('ec', { namedCurve })).privateKey);
    }
    default:
      throw new Error(`unknown ssh key pair algorithm: ${keyType}`);
  }
}

/** Imports a CA private key: PEM (PKCS#1/#8, SEC1) directly, OpenSSH format through sshpk. */
export function importCaKey(privateKeyText: string): CaKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyText);
  } catch {
    key = createPrivateKey(sshpk.parsePrivateKey(privateKeyText, 'auto').toString('pkcs8'));
  }
  return caFromPrivateKey(key);
}
