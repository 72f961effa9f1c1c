// The index `keyfob scan` matches against: every fingerprint this install recorded (the ledger)
// with its session's state now (the journal), under the fingerprint key from the OS keychain.
import { existsSync } from 'node:fs';
import { stateDir } from '../base/stateDir.ts';
import { openSecretStore, type SecretStore } from '../keychain/index.ts';
import { fingerprint, loadFingerprintKey, parseFingerprintRecord, readLedger } from '../leak/index.ts';
import { Journal, type JournalEntry } from '../sessions/index.ts';
import type { CredentialLookup, KnownCredential } from './detect.ts';

export interface KnownCredentialsDeps {
  store: SecretStore;
  stateDir: string;
  /** The journal's entries now (sessions still out). */
  journalEntries: () => Promise<JournalEntry[]>;
  now: number;
}

/** The lookup, or why there is none (no keychain, nothing issued yet on this machine). */
export async function knownCredentials(deps: KnownCredentialsDeps): Promise<{ lookup: CredentialLookup; count: number } | { unavailable: string }> {
  const key = await loadFingerprintKey(deps.store);
  if (!key) {
    return {
      unavailable:
        deps.store.kind === 'os-keychain'
          ? 'no credential has been issued on this machine yet'
          : `there is no OS keychain (${deps.store.reason ?? 'memory store'})`,
    };
  }
  const live = new Map<string, JournalEntry>();
  for (const e of await deps.journalEntries()) if (e.expiresAt > deps.now && (e.state === 'active' || e.state === 'expiring')) live.set(e.sessionId, e);
  const index = new Map<string, KnownCredential>();
  const lengths = new Set<number>();
  const add = (record: string, known: KnownCredential) => {
    const { length, hmac } = parseFingerprintRecord(record);
    lengths.add(length);
    index.set(hmac, known);
  };
  for (const entry of await readLedger(deps.stateDir)) {
    const state = live.has(entry.sessionId) ? 'live' : 'ended';
    for (const fp of entry.fingerprints) add(fp, { sessionId: entry.sessionId, targetId: entry.targetId, state });
  }
  // Journaled fingerprints too, in case the ledger line was lost.
  for (const e of live.values()) for (const fp of e.fingerprints ?? []) add(fp, { sessionId: e.sessionId, targetId: e.targetId, state: 'live' });
  // Code repeats its words: each distinct candidate is hashed once per scan.
  const seen = new Map<string, KnownCredential | undefined>();
  const lookup: CredentialLookup = (candidate) => {
    if (!lengths.has(candidate.length)) return undefined;
    if (seen.has(candidate)) return seen.get(candidate);
    const hit = index.size === 0 ? undefined : index.get(fingerprint(key, candidate));
    if (seen.size < 1_000_000) seen.set(candidate, hit);
    return hit;
  };
  return { lookup, count: index.size };
}

/**
 * This machine's known credentials for a scan, without opening an engine: a pre-commit hook
 * needs no config and no sign-in, only the keychain's key and the state dir's ledger and journal.
 * `unavailable` says why Keyfob's own credentials will not be recognised (the face tells it when
 * there is no OS keychain; an install that never issued anything has nothing to say).
 */
export async function knownCredentialsHere(
  env: NodeJS.ProcessEnv,
  now: number,
): Promise<{ lookup?: CredentialLookup; count: number | null; unavailable?: string; keychain: SecretStore['kind'] }> {
  const store = await openSecretStore({ env });
  const dir = stateDir(env);
  const known = await knownCredentials({ store, stateDir: dir, journalEntries: async () => (existsSync(dir) ? new Journal(dir).list() : []), now });
  return 'lookup' in known
    ? { lookup: known.lookup, count: known.count, keychain: store.kind }
    : { count: null, unavailable: known.unavailable, keychain: store.kind };
}
