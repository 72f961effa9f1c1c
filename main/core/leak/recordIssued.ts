// At issue: fingerprint the secret values of a fresh credential and record them beside the
// session (journal field `fingerprints`) and in the ledger, so `keyfob scan` recognises them.
import type { SecretStore } from '../keychain/index.ts';
import type { JournalEntry, SessionJournal, Session } from '../sessions/index.ts';
import { ensureFingerprintKey, fingerprintRecord, MIN_FINGERPRINTED_LENGTH } from './fingerprint.ts';
import { appendLedger } from './ledger.ts';

/** The environment variables that carry an issued secret (see brokers/). */
export const SECRET_ENV_NAMES = ['PGPASSWORD', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

export interface RecordIssuedDeps {
  store: SecretStore;
  journal: Pick<SessionJournal, 'patch'>;
  stateDir: string;
  now: () => number;
}

/** What was recorded: the count, or why nothing was (no keychain, nothing secret). */
export type RecordIssuedResult = { recorded: number } | { skipped: string };

export async function recordIssuedSecrets(
  issued: { session: Pick<Session, 'id' | 'targetId' | 'kind' | 'issuedAt' | 'expiresAt'>; env: Record<string, string> },
  deps: RecordIssuedDeps,
): Promise<RecordIssuedResult> {
  const values = SECRET_ENV_NAMES.map((name) => issued.env[name]).filter((v): v is string => v !== undefined && v.length >= MIN_FINGERPRINTED_LENGTH);
  if (values.length === 0) return { skipped: 'no secret value to fingerprint' };
  const key = await ensureFingerprintKey(deps.store, deps.stateDir);
  if (!key) return { skipped: 'no OS keychain to keep the fingerprint key in' };
  const fingerprints = values.map((v) => fingerprintRecord(key, v));
  const s = issued.session;
  await deps.journal.patch(s.id, { fingerprints } satisfies Partial<JournalEntry>);
  await appendLedger(
    deps.stateDir,
    { sessionId: s.id, targetId: s.targetId, kind: s.kind, issuedAt: s.issuedAt, expiresAt: s.expiresAt, fingerprints },
    deps.now(),
  );
  return { recorded: fingerprints.length };
}

/**
 * The engine's `onIssued` hook: records fingerprints and never fails an issue (the credential is
 * out already); `tell` hears why `keyfob scan` will not recognise it. Without an OS keychain
 * nothing is said here: `keyfob scan` says it once, where it matters.
 */
export function fingerprintRecorder(
  deps: RecordIssuedDeps,
  tell: (line: string) => void,
): (issued: Parameters<typeof recordIssuedSecrets>[0]) => Promise<void> {
  return async (issued) => {
    try {
      await recordIssuedSecrets(issued, deps);
    } catch (error) {
      tell(`keyfob scan will not recognise session ${issued.session.id}'s credential: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
