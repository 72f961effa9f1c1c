// The Secret Service session's encryption (keychain/secretService/sessionCrypto.ts) against
// Node's classic DiffieHellman in the same group standing in for the service: both sides must
// derive the same AES key, including when the shared secret or a public key starts with zero
// bytes (1 in 256 sessions), which is where an unpadded secret would break decryption.
import { createCipheriv, createDecipheriv, getDiffieHellman, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { joinSpki, nativeExchange, portableExchange, sessionKeys, splitSpki } from '../../main/core/keychain/secretService/sessionCrypto.ts';

describe('the dh-ietf1024-sha256-aes128-cbc-pkcs7 session', () => {
  // Node's key pairs in Node; the BigInt exchange where crypto has no DH (Electron's BoringSSL).
  it.each([
    ['native', nativeExchange],
    ['portable', async () => portableExchange()],
  ])('agrees with a service doing DH in modp2, HKDF-SHA256 and AES-128-CBC, over many key pairs (%s exchange)', async (_, exchange) => {
    const service = getDiffieHellman('modp2');
    service.generateKeys();
    for (let i = 0; i < 400; i++) {
      const ours = await sessionKeys(await exchange());
      const cipher = ours.agree(service.getPublicKey());
      const key = Buffer.from(hkdfSync('sha256', service.computeSecret(ours.publicKey), Buffer.alloc(0), Buffer.alloc(0), 16));
      const plain = Buffer.from(`secret ${i} é\n`);
      const { iv, value } = cipher.encrypt(plain);
      const decipher = createDecipheriv('aes-128-cbc', key, iv);
      expect(Buffer.concat([decipher.update(value), decipher.final()])).toEqual(plain);
      const serviceCipher = createCipheriv('aes-128-cbc', key, iv);
      expect(cipher.decrypt(iv, Buffer.concat([serviceCipher.update(plain), serviceCipher.final()]))).toEqual(plain);
    }
  });

  it('moves a public key in and out of SubjectPublicKeyInfo, whatever its leading bytes', async () => {
    const { publicKey } = await sessionKeys();
    const algorithm = Buffer.from('300b06092a864886f70d010301', 'hex'); // any AlgorithmIdentifier
    for (const y of [publicKey, Buffer.concat([Buffer.of(0, 0), publicKey]), Buffer.of(0x80, 1), Buffer.of(1)]) {
      const back = splitSpki(joinSpki(algorithm, y));
      expect(back.algorithm).toEqual(algorithm);
      expect(back.publicKey).toEqual(y.subarray(y.findIndex((b) => b !== 0)));
    }
  });

  it('refuses a service public key that would force a known secret (portable exchange)', () => {
    const exchange = portableExchange();
    const p = getDiffieHellman('modp2').getPrime();
    const pMinusOne = Buffer.from(p);
    pMinusOne[pMinusOne.length - 1]! -= 1;
    for (const bad of [Buffer.of(0), Buffer.of(1), pMinusOne, p]) expect(() => exchange.sharedSecret(bad)).toThrow(/unusable DH public key/);
  });

  it('says a secret did not decrypt without saying anything of it', async () => {
    const service = getDiffieHellman('modp2');
    service.generateKeys();
    const cipher = (await sessionKeys()).agree(service.getPublicKey());
    expect(() => cipher.decrypt(Buffer.alloc(16), Buffer.from('0123456789abcdef'))).toThrow(
      /^a secret from the Secret Service did not decrypt \(session keys disagree\)$/,
    );
  });
});
