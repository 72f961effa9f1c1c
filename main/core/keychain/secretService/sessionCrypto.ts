// The Secret Service session's transport encryption, "dh-ietf1024-sha256-aes128-cbc-pkcs7" (the
// spec's only encrypted algorithm, and what libsecret and keyring-rs open): a Diffie-Hellman
// exchange in the 1024-bit MODP group of RFC 2409 (Oakley group 2, node's "modp2"), HKDF-SHA256
// of the shared secret with no salt and no info to a 16-byte key, and AES-128-CBC with PKCS#7
// padding and a fresh random IV per secret. It keeps secrets out of plain sight of other
// processes that can watch the bus (a D-Bus monitor), as the "plain" algorithm would not.
import { createCipheriv, createDecipheriv, getDiffieHellman, hkdfSync, randomBytes } from 'node:crypto';

export const SESSION_ALGORITHM = 'dh-ietf1024-sha256-aes128-cbc-pkcs7';

export interface SessionKeys {
  /** Our public key, big-endian, for OpenSession's input. */
  publicKey: Buffer;
  /** The AES key from the service's public key (OpenSession's output). */
  agree(servicePublicKey: Buffer): SessionCipher;
}

export interface SessionCipher {
  encrypt(plain: Buffer): { iv: Buffer; value: Buffer };
  decrypt(iv: Buffer, value: Buffer): Buffer;
}

export function sessionKeys(): SessionKeys {
  const dh = getDiffieHellman('modp2');
  dh.generateKeys();
  return {
    publicKey: dh.getPublicKey(),
    agree(servicePublicKey) {
      // computeSecret pads the shared secret to the prime's length (128 bytes), as libsecret does.
      const shared = dh.computeSecret(servicePublicKey);
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
