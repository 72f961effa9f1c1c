// X-Vault-Wrap-TTL: integer seconds or a duration ("15s", "20m", "25h"); 0 = no wrapping.
import { parseDuration } from '../../../main/core/duration.ts';
import { VaultError } from './backend.ts';

export function parseWrapTtl(header: string | undefined): number {
  const value = header?.trim();
  if (!value) return 0;
  if (value.startsWith('-')) throw new VaultError(400, 'requested wrap ttl cannot be negative');
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new VaultError(400, `error parsing X-Vault-Wrap-TTL header: time: invalid duration ${JSON.stringify(value)}`);
  return seconds;
}
