// The AWS CLI and SDKs run `credential_process` for every command (the CLI keeps nothing between
// runs), so `keyfob aws-credential-process TARGET` answers from the OS keychain while the keys it
// issued last are good, as aws-vault and Granted do: no Vault call, no new lease per `aws` command.
// The keys stay a session: the journal entry (marked held by credential_process, so crash recovery
// leaves it alone until it expires) is what `status` shows and `revoke`/`logout` end. A cached
// answer is used only while that entry is still journaled and more than REFRESH_MARGIN_MS from
// Expiration: a revoked session is never served again. Never a file: the keychain or nothing.
import { nonEmptyString, number, optional, strictObject } from '../base/plainSchema.ts';
import type { AwsKeys } from '../brokers/aws.ts';
import type { SecretStore } from '../keychain/secretStore.ts';
import type { JournalEntry } from '../sessions/journal.ts';

/** Fresh keys are issued this long before the cached ones expire (SDKs refresh ~5 min before, too). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** The keychain entry's schema; hand-written (base/plainSchema.ts) so a cached answer loads no zod. */
const parseCached = strictObject<{ sessionId: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiresAt: number }>({
  sessionId: nonEmptyString,
  accessKeyId: nonEmptyString,
  secretAccessKey: nonEmptyString,
  sessionToken: optional(nonEmptyString),
  expiresAt: number,
});

export interface CachedAwsCredential {
  sessionId: string;
  keys: AwsKeys;
}

/** One keychain entry per config file and target: two org configs never share keys. */
export function awsCredentialKey(configPath: string, targetId: string): string {
  return `aws-credential-process:${targetId}:${configPath}`;
}

export async function readCachedAwsCredential(store: SecretStore, key: string): Promise<CachedAwsCredential | undefined> {
  const text = await store.get(key);
  if (text === null) return undefined;
  let parsed;
  try {
    parsed = parseCached(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (!parsed.success) return undefined;
  const { sessionId, sessionToken, ...rest } = parsed.data;
  return { sessionId, keys: { ...rest, sessionToken } };
}

/** Whether a cached credential may be handed out now: its session is journaled, live and not near its end. */
export function isServable(cached: CachedAwsCredential, entries: readonly JournalEntry[], now: number): boolean {
  const entry = entries.find((e) => e.sessionId === cached.sessionId);
  if (!entry || entry.heldBy !== 'credential-process' || (entry.state !== 'active' && entry.state !== 'expiring')) return false;
  return Math.min(cached.keys.expiresAt, entry.expiresAt) - REFRESH_MARGIN_MS > now;
}

export async function cacheAwsCredential(store: SecretStore, key: string, sessionId: string, keys: AwsKeys): Promise<void> {
  const value = {
    sessionId,
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}),
    expiresAt: keys.expiresAt,
  };
  const parsed = parseCached(value);
  if (!parsed.success) throw new Error(`refused to cache the AWS keys: ${parsed.message}`);
  await store.set(key, JSON.stringify(parsed.data));
}

export function forgetAwsCredential(store: SecretStore, key: string): Promise<boolean> {
  return store.delete(key);
}
