// Keyed fingerprints of issued secrets: HMAC-SHA-256 under a per-install key that lives in the OS
// keychain. The journal and the ledger keep only these, so a copy of the state dir reveals
// nothing (an unkeyed hash of a 20-character password could be checked offline; this cannot),
// while `keyfob scan` on this machine can still say "this is the password of session k7m2qx".
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SecretStore } from '../keychain/index.ts';
import { withFileLock } from '../sessions/index.ts';

/** The keychain account of the fingerprint key (beside the Vault token and SSO material). */
export const FINGERPRINT_KEY_ACCOUNT = 'keyfob:fingerprint-key';

/** Shortest value worth fingerprinting or looking up: shorter ones are not credentials Keyfob issues. */
export const MIN_FINGERPRINTED_LENGTH = 8;

export type FingerprintKey = Buffer;

export function fingerprint(key: FingerprintKey, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/**
 * What is recorded: `<length>.<fingerprint>`. The length (public knowledge: Vault's password
 * policy and AWS's key formats fix it) lets a scan hash only candidates of a length Keyfob
 * issued, which is what makes scanning a large diff fast.
 */
export function fingerprintRecord(key: FingerprintKey, value: string): string {
  return `${value.length}.${fingerprint(key, value)}`;
}

export const FINGERPRINT_RECORD = /^\d{1,5}\.[0-9a-f]{64}$/;

export function parseFingerprintRecord(record: string): { length: number; hmac: string } {
  const dot = record.indexOf('.');
  return { length: Number(record.slice(0, dot)), hmac: record.slice(dot + 1) };
}

/**
 * The install's key, or undefined when there is no OS keychain: a key kept in memory would die
 * with this process, and fingerprints nobody can check later are worse than none (the caller says so).
 */
export async function loadFingerprintKey(store: SecretStore): Promise<FingerprintKey | undefined> {
  if (store.kind !== 'os-keychain') return undefined;
  const stored = await store.get(FINGERPRINT_KEY_ACCOUNT);
  return stored ? Buffer.from(stored, 'base64') : undefined;
}

/** Loads the key, creating it once per install (under a lock, so two first issues agree on one key). */
export async function ensureFingerprintKey(store: SecretStore, stateDir: string): Promise<FingerprintKey | undefined> {
  if (store.kind !== 'os-keychain') return undefined;
  const existing = await loadFingerprintKey(store);
  if (existing) return existing;
  return withFileLock(join(stateDir, 'fingerprint-key.lock'), async () => {
    const again = await loadFingerprintKey(store);
    if (again) return again;
    const key = randomBytes(32);
    await store.set(FINGERPRINT_KEY_ACCOUNT, key.toString('base64'));
    return key;
  });
}
