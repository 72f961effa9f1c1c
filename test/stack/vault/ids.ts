// Identifiers shaped like Vault's: base62 lease suffixes (vault/expiration.go Register,
// TokenLength = 24), hvs.-prefixed service tokens, UUID request ids.
import { randomInt, randomUUID } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export const newRequestId = (): string => randomUUID();
export const newUuid = (): string => randomUUID();
export const newServiceToken = (): string => `hvs.${base62(24)}`;
export const newAccessor = (): string => base62(24);
/** `<request path>/<24 base62>`: clients must treat the suffix as opaque (vault-api.md §0.6). */
export const newLeaseId = (requestPath: string): string => `${requestPath.replace(/\/+$/, '')}/${base62(24)}`;
