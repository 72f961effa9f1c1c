// The leak use case: "I leaked this" for a session of any keyfob process, or for a static
// target's current version (recorded, never claimed revoked). main/core/leak does the work;
// this picks which response fits and refuses a --prefix that cannot apply.
import { userInfo } from 'node:os';
import type { LeakReportView } from '../../../common/leak.ts';
import { KeyfobError } from '../base/keyfobError.ts';
import type { SecretStore } from '../keychain/index.ts';
import { reportLeak, reportStaticLeak, type LeakDeps, type LeakOptions } from '../leak/index.ts';
import { knownCredentials, maskKnown } from '../scan/index.ts';
import type { KvMetadata } from '../vault/index.ts';

export type LeakUseCaseDeps = LeakDeps & {
  vault: LeakDeps['vault'] & { kvMetadata(mount: string, path: string): Promise<KvMetadata | null> };
  /** Holds the fingerprint key, to find an issued secret pasted into the note. */
  store: SecretStore;
};

export async function respondToLeak(id: string, given: LeakOptions, deps: LeakUseCaseDeps): Promise<LeakReportView> {
  const options = given.note ? { ...given, note: await withoutIssuedSecrets(given.note, deps) } : given;
  // A static target's id stands for its current version (sessions are only issued credentials).
  const target = deps.target(id);
  const journaled = (await deps.journal.list()).some((e) => e.sessionId === id);
  if (target?.kind === 'static' && !journaled) {
    if (options.prefix) throw new KeyfobError('guard-rail', `${target.id} is a static secret: there is no lease prefix to revoke (run without --prefix)`);
    return reportStaticLeak(target, options, deps);
  }
  return reportLeak(id, options, deps);
}

/**
 * A note is written to the audit log and to Vault: someone reporting a leak may paste the very
 * secret into it. Every credential this machine issued (by keyed fingerprint, live or ended) is
 * replaced by its session's label first. Without an OS keychain there are no fingerprints to check.
 */
async function withoutIssuedSecrets(note: string, deps: Pick<LeakUseCaseDeps, 'store' | 'stateDir' | 'journal' | 'clock'>): Promise<string> {
  const known = await knownCredentials({ store: deps.store, stateDir: deps.stateDir, journalEntries: () => deps.journal.list(), now: deps.clock.now() });
  return 'lookup' in known ? maskKnown(note, known.lookup).text : note;
}

/** Who reports a leak when Vault has no display name for the sign-in. */
export function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
