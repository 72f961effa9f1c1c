// A fresh ed25519 key pair per SSH session, made and kept in memory only (design.md journey 3).
import { createHash, generateKeyPairSync } from 'node:crypto';
import sshpk from 'sshpk';

export interface SessionKeyPair {
  /** OpenSSH public key line, "ssh-ed25519 AAAA… keyfob", for Vault to sign. */
  readonly publicKey: string;
  /** SHA256 fingerprint as ssh-keygen prints it. */
  readonly fingerprint: string;
  /** Raw 32-byte public key A and 32-byte seed k, for the ssh-agent wire format. */
  readonly publicRaw: Buffer;
  readonly seed: Buffer;
}

export function makeSessionKeyPair(comment = 'keyfob'): SessionKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.d || !jwk.x) throw new Error('ed25519 key export lacked its components');
  const key = sshpk.parseKey(publicKey.export({ format: 'pem', type: 'spki' }), 'pem');
  key.comment = comment;
  return {
    publicKey: key.toString('ssh'),
    fingerprint: key.fingerprint('sha256').toString(),
    publicRaw: Buffer.from(jwk.x, 'base64url'),
    seed: Buffer.from(jwk.d, 'base64url'),
  };
}

/** sha256 of the key's SSH wire encoding in hex: what Vault puts in a default key_id. */
export function publicKeyHash(publicKey: string): string {
  const wire = sshpk.parseKey(publicKey, 'ssh').toBuffer('rfc4253');
  return createHash('sha256').update(wire).digest('hex');
}
