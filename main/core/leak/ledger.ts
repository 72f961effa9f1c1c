// The fingerprint ledger: which session issued which fingerprinted secrets, kept after the session
// ends (the journal forgets ended sessions), so `keyfob scan` can tell a live Keyfob credential
// from one that has already been revoked or expired. One JSON line per issue, under the state dir.
import { appendFile, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { assertNoSecrets } from '../audit/index.ts';
import { SESSION_KINDS } from '../sessions/index.ts';
import { FINGERPRINT_RECORD } from './fingerprint.ts';

export const ledgerEntrySchema = z
  .object({
    sessionId: z.string().min(1),
    targetId: z.string().min(1),
    kind: z.enum(SESSION_KINDS),
    issuedAt: z.number(),
    expiresAt: z.number(),
    fingerprints: z.array(z.string().regex(FINGERPRINT_RECORD)).min(1),
  })
  .strict();
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export const LEDGER_FILE = 'fingerprints.jsonl';
/** Entries whose credential expired longer ago than this are dropped when the file grows. */
const RETENTION_MS = 90 * 24 * 3600 * 1000;
const COMPACT_AT_BYTES = 512 * 1024;

export function ledgerPath(stateDir: string): string {
  return join(stateDir, LEDGER_FILE);
}

export async function appendLedger(stateDir: string, entry: LedgerEntry, now: number): Promise<void> {
  const parsed = ledgerEntrySchema.parse(entry);
  assertNoSecrets(parsed, 'the fingerprint ledger');
  const path = ledgerPath(stateDir);
  // One O_APPEND write per line: processes appending at once never interleave.
  await appendFile(path, `${JSON.stringify(parsed)}\n`, { mode: 0o600 });
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size > COMPACT_AT_BYTES) await compact(path, now);
}

export async function readLedger(stateDir: string): Promise<LedgerEntry[]> {
  let text: string;
  try {
    text = await readFile(ledgerPath(stateDir), 'utf8');
  } catch {
    return [];
  }
  const entries: LedgerEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = ledgerEntrySchema.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      // a torn or foreign line: skip it
    }
  }
  return entries;
}

async function compact(path: string, now: number): Promise<void> {
  const dir = join(path, '..');
  const kept = (await readLedger(dir)).filter((e) => e.expiresAt > now - RETENTION_MS);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, kept.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
  await rename(tmp, path);
}
