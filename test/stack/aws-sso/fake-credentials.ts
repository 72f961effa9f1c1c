// Well-formed but fake AWS values: the same alphabets and lengths as the real ones, so parsers and
// redaction in Keyfob see realistic strings.
import { randomBytes, randomInt } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomFrom(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Temporary (STS-issued) key ids start with ASIA and are 20 characters long. */
export function fakeTemporaryAccessKeyId(): string {
  return `ASIA${randomFrom(UPPER_ALNUM, 16)}`;
}

export function fakeSecretAccessKey(): string {
  return randomFrom(SECRET_ALPHABET, 40);
}

export function fakeSessionToken(): string {
  return `IQoJb3JpZ2luX2Vj${randomBytes(300).toString('base64')}`;
}

/** Access and refresh tokens look like the real opaque ones: a prefix and base64. */
export function opaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(48).toString('base64url')}`;
}

/** User codes like the real ones: 8 letters in two groups, no easily confused characters. */
export function userCode(): string {
  const letters = randomFrom('BCDFGHJKLMNPQRSTVWXZ', 8);
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
