import { statSync, watch } from 'node:fs';
import { rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SESSION_VIEW_STATES } from '../../../common/lists.ts';
import type { SessionKind } from '../../../common/views.ts';
import { plainText } from '../base/plainText.ts';
import {
  arrayOf,
  boolean,
  int,
  matching,
  nonEmptyString,
  nonNegativeInt,
  nullable,
  number,
  oneOf,
  optional,
  positiveInt,
  string,
  strictObject,
} from '../base/plainSchema.ts';
import { readPrivateSync } from '../base/privateFiles.ts';
import { assertNoSecrets, redactSecrets } from '../base/secretGuard.ts';
import { SessionError } from './errors.ts';
import { toDisposable, type Disposable } from '../base/events.ts';
import { withFileLock, type LockOptions } from '../base/fileLock.ts';
import { emptyJournalFile, parseJournalFile, writeJournalChanges, type JournalFileState } from './journalFile.ts';
import { END_REASONS, SESSION_KINDS, type EndReason } from './session.ts';
import { ensureStateDir } from '../base/stateDir.ts';

// The journal: what this machine's keyfob processes have issued and not yet revoked, so a crash
// is a session end too (the next start revokes what a dead process left). It holds lease ids,
// targets, times and owners, never secrets. Every change is a read-modify-write under a lock
// file, so two terminals plus the tray can share it; journalFile.ts says how it lies on disk
// (appended changes, fsynced only when a crash must not lose them).

export const JOURNAL_STATES = SESSION_VIEW_STATES;
export type JournalState = (typeof JOURNAL_STATES)[number];

export interface JournalEntry {
  sessionId: string;
  leaseId?: string | undefined;
  targetId: string;
  kind: SessionKind;
  issuedAt: number;
  expiresAt: number;
  /** When Vault itself expires the lease (may be later than the session's end); absent in older journals. */
  leaseExpiresAt?: number | undefined;
  /**
   * The accessor (not secret) of the session's child Vault token, which owns the lease: ending
   * the session is that token's revoke-self (engine/sessionLeases.ts; the token is in the keychain).
   */
  childAccessor?: string | undefined;
  pid: number;
  pidStartTime: number | null;
  hostname: string;
  state: JournalState;
  endReason?: EndReason | undefined;
  revokeAttempts: number;
  lastError?: string | undefined;
  nextRetryAt?: number | undefined;
  agentPid?: number | undefined;
  /** The agent's start time (Linux), so a reused pid is never killed; the agent runs on `hostname`. */
  agentStartTime?: number | undefined;
  /** Whether Vault will renew the lease (shown by `status`); absent in older journals. */
  renewable?: boolean | undefined;
  /** `<length>.<HMAC-SHA-256>` of each issued secret, key in the OS keychain, for `keyfob scan` (main/core/leak). */
  fingerprints?: string[] | undefined;
  /**
   * No process owns it: the credential was handed to the AWS CLI's credential_process and is
   * cached in the keychain (aws/credentialCache.ts). Recovery leaves it alone until it expires.
   */
  heldBy?: 'credential-process' | undefined;
}

/**
 * The entry's schema, hand-written (base/plainSchema.ts) rather than zod: every command reads the
 * journal, and the cached `aws-credential-process` answer needs nothing else that loads zod.
 * Strict: a key it does not know (a secret, say) is refused.
 */
export const parseJournalEntry = strictObject<JournalEntry>({
  sessionId: nonEmptyString,
  leaseId: optional(nonEmptyString),
  targetId: nonEmptyString,
  kind: oneOf(SESSION_KINDS),
  issuedAt: number,
  expiresAt: number,
  leaseExpiresAt: optional(number),
  childAccessor: optional(nonEmptyString),
  pid: positiveInt,
  pidStartTime: nullable(int),
  hostname: string,
  state: oneOf(JOURNAL_STATES),
  endReason: optional(oneOf(END_REASONS)),
  revokeAttempts: nonNegativeInt,
  lastError: optional(string),
  nextRetryAt: optional(number),
  agentPid: optional(positiveInt),
  agentStartTime: optional(int),
  renewable: optional(boolean),
  fingerprints: optional(arrayOf(matching(/^\d{1,5}\.[0-9a-f]{64}$/, 'a fingerprint (<length>.<64 hex digits>)'))),
  heldBy: optional(oneOf(['credential-process'])),
});

const parseEntry = (raw: unknown): JournalEntry | undefined => {
  const parsed = parseJournalEntry(raw);
  return parsed.success ? parsed.data : undefined;
};

/** What the session manager needs from a journal; `Journal` keeps it on disk. */
export interface SessionJournal {
  /** Adds an entry; rejects with JOURNAL_DUPLICATE_SESSION if its id is taken. */
  put(entry: JournalEntry): Promise<void>;
  /** Changes fields of an entry; no-op if it is gone. */
  patch(sessionId: string, changes: Partial<Omit<JournalEntry, 'sessionId'>>): Promise<void>;
  remove(sessionId: string): Promise<void>;
  list(): Promise<JournalEntry[]>;
  /**
   * Read-modify-write: `mutate` edits the entries in place and may return a result. With `only`,
   * it promises to change or remove at most the entry of that session id and to add none, so only
   * that entry is copied and checked (ending 100 sessions is 200 such updates over 100 entries).
   */
  update<T>(mutate: (entries: JournalEntry[]) => T, only?: string): Promise<T>;
  /** Why a recently removed entry ended, as of the last read, when its removal said so. */
  endReasonOf?(sessionId: string): EndReason | undefined;
}

export interface JournalOptions {
  fileName?: string;
  lock?: LockOptions;
  /** Told when the file was unreadable and moved aside. */
  onWarning?: (message: string) => void;
}

interface PendingUpdate {
  mutate: (entries: JournalEntry[]) => unknown;
  only: string | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** put/patch/remove in terms of `update`, shared by the file journal and the memory one. */
abstract class JournalBase implements SessionJournal {
  abstract list(): Promise<JournalEntry[]>;
  abstract update<T>(mutate: (entries: JournalEntry[]) => T, only?: string): Promise<T>;

  put(entry: JournalEntry): Promise<void> {
    return this.update((entries) => {
      if (entries.some((e) => e.sessionId === entry.sessionId)) {
        throw new SessionError('JOURNAL_DUPLICATE_SESSION', `Session id ${entry.sessionId} is already in the journal`);
      }
      entries.push({ ...entry });
    });
  }

  patch(sessionId: string, changes: Partial<Omit<JournalEntry, 'sessionId'>>): Promise<void> {
    return this.update((entries) => {
      const entry = entries.find((e) => e.sessionId === sessionId);
      if (entry) Object.assign(entry, changes);
    }, sessionId);
  }

  remove(sessionId: string): Promise<void> {
    return this.update((entries) => {
      const i = entries.findIndex((e) => e.sessionId === sessionId);
      if (i >= 0) entries.splice(i, 1);
    }, sessionId);
  }
}

/** The journal file under the state dir. */
export class Journal extends JournalBase {
  readonly path: string;
  readonly #lockPath: string;
  readonly #options: JournalOptions;
  #queue: PendingUpdate[] = [];
  #writing = false;
  #drainScheduled = false;
  #parsed: { identity: string; state: JournalFileState } | undefined;
  /** The inode the path named at the last stat (under the lock, that is the file appended to). */
  #readIno: bigint | undefined;

  constructor(dir: string, options: JournalOptions = {}) {
    super();
    ensureStateDir(dir);
    this.path = join(dir, options.fileName ?? 'journal.json');
    this.#lockPath = `${this.path}.lock`;
    this.#options = options;
  }

  endReasonOf(sessionId: string): EndReason | undefined {
    const reason = this.#parsed?.state.endReasons?.get(sessionId);
    return (END_REASONS as readonly string[]).includes(reason ?? '') ? (reason as EndReason) : undefined;
  }

  async list(): Promise<JournalEntry[]> {
    // Copies: the parsed state is kept for the next read (#read), so callers must not share it.
    return (await this.#read({ moveAsideIfCorrupt: false })).entries.map((e) => ({ ...e }));
  }

  /**
   * Calls `listener` (debounced) when any process replaces the journal file, so a process can
   * notice sessions revoked elsewhere without polling.
   */
  watch(listener: () => void, debounceMs = 50): Disposable {
    const name = basename(this.path);
    let pending: ReturnType<typeof setTimeout> | undefined;
    const watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(listener, debounceMs);
    });
    watcher.on('error', () => {});
    return toDisposable(() => {
      if (pending) clearTimeout(pending);
      watcher.close();
    });
  }

  /**
   * Updates are applied together (group commit): those asked for in the same turn of the event
   * loop, and those queued while a write is under way, go in one locked write, one append and at
   * most one fdatasync. Ending 100 sessions costs a handful of writes, not 200: the revocations'
   * answers arrive in a few turns, and each would otherwise take the lock and append on its own.
   */
  update<T>(mutate: (entries: JournalEntry[]) => T, only?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ mutate, only, resolve: resolve as (value: unknown) => void, reject });
      if (this.#writing || this.#drainScheduled) return;
      this.#drainScheduled = true;
      // After this turn's I/O callbacks (setImmediate), not before the next timer: no waiting.
      setImmediate(() => {
        this.#drainScheduled = false;
        void this.#drain();
      });
    });
  }

  async #drain(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0);
        const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
        try {
          await withFileLock(
            this.#lockPath,
            async () => {
              const file = await this.#read({ moveAsideIfCorrupt: true });
              let entries = file.entries;
              for (const item of batch) {
                // Each mutation is kept only if it leaves valid entries.
                try {
                  const applied = applyMutation(entries, item.mutate, item.only);
                  entries = applied.entries;
                  outcomes.push({ ok: true, value: applied.value });
                } catch (error) {
                  outcomes.push({ ok: false, error });
                }
              }
              // A mutation that changed nothing (recovery with no orphans, say) writes nothing:
              // a read-only command like `status` must not rewrite and fsync the journal.
              const unchanged = entries.length === file.entries.length && entries.every((e, i) => e === file.entries[i]);
              if (!unchanged) this.#remember(await writeJournalChanges(this.path, file, entries, this.#readIno));
            },
            // Taken at every change: by linking this process's owner file, not creating a new one (fileLock.ts).
            { ownerFile: true, ...this.#options.lock },
          );
        } catch (error) {
          batch.forEach((item) => item.reject(error));
          continue;
        }
        batch.forEach((item, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.error);
        });
      }
    } finally {
      this.#writing = false;
    }
  }

  /** The file's identity now (inode, size, times), or undefined when there is no file; notes its inode for the next append. */
  #identity(): string | undefined {
    try {
      const s = statSync(this.path, { bigint: true });
      this.#readIno = s.ino;
      return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch {
      this.#readIno = undefined;
      return undefined;
    }
  }

  /** What this process just wrote, so the next update need not read and parse it back. */
  #remember(state: JournalFileState): void {
    const identity = this.#identity();
    this.#parsed = identity === undefined ? undefined : { identity, state };
  }

  async #read(options: { moveAsideIfCorrupt: boolean }): Promise<JournalFileState> {
    // Unchanged since this process last read or wrote it (any write by any process changes the
    // size, or the inode for a snapshot): no need to read and parse it again.
    const identity = this.#identity();
    if (identity !== undefined && this.#parsed?.identity === identity) return this.#parsed.state;
    let text: string;
    try {
      // Synchronous: a small file in the page cache, read at every update (see journalFile.ts).
      text = readPrivateSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#parsed = undefined; // a deleted journal says nothing about why its entries went
        return emptyJournalFile();
      }
      throw error;
    }
    const file = parseJournalFile(text, parseEntry);
    // Stat before the read: if the file changed in between, the identity is older than the text
    // and the next read simply parses again.
    this.#parsed = file && identity !== undefined ? { identity, state: file } : undefined;
    if (file) return file;
    // Whole lines are appended and snapshots renamed into place, so this is damage from outside.
    // Keep the file for a human; start over.
    if (options.moveAsideIfCorrupt) {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      await rename(this.path, aside).catch(() => {});
      this.#options.onWarning?.(`The session journal ${this.path} was unreadable; it was moved to ${aside}`);
    }
    return emptyJournalFile();
  }
}

/** The same contract in memory, for unit tests and benchmarks that should not touch the disk. */
export class MemoryJournal extends JournalBase {
  #entries: JournalEntry[] = [];
  readonly #endReasons = new Map<string, EndReason>();

  /** As the file's removal lines: the reason a removed entry carried, if it carried one. */
  endReasonOf(sessionId: string): EndReason | undefined {
    return this.#endReasons.get(sessionId);
  }

  /** Empties the journal as if its file were deleted: no removal says why. */
  lose(): void {
    this.#entries = [];
  }

  async list(): Promise<JournalEntry[]> {
    return this.#entries.map((e) => ({ ...e }));
  }

  async update<T>(mutate: (entries: JournalEntry[]) => T, only?: string): Promise<T> {
    const applied = applyMutation(this.#entries, mutate, only);
    const kept = new Set(applied.entries.map((e) => e.sessionId));
    for (const e of this.#entries) if (!kept.has(e.sessionId) && e.endReason) this.#endReasons.set(e.sessionId, e.endReason);
    this.#entries = applied.entries;
    return applied.value;
  }
}

/** Runs `mutate` on a copy; validates only the entries it added or changed (cheap for big batches). */
function applyMutation<T>(entries: readonly JournalEntry[], mutate: (draft: JournalEntry[]) => T, only?: string): { entries: JournalEntry[]; value: T } {
  if (only !== undefined) return applyToOne(entries, mutate, only);
  const draft = entries.map((e) => ({ ...e }));
  const value = mutate(draft);
  // Each update of a batch runs this over every entry (ending 100 sessions: 200 updates over 100
  // entries), so finding an entry's previous version must not build a map each time. Mutations
  // keep the order (they change, remove or append), so it is at or just after the last one found.
  let cursor = 0;
  let byId: Map<string, JournalEntry> | undefined;
  const previous = (id: string): JournalEntry | undefined => {
    for (let k = cursor; k < entries.length && k < cursor + 4; k++) {
      if (entries[k]!.sessionId === id) {
        cursor = k + 1;
        return entries[k];
      }
    }
    byId ??= new Map(entries.map((e) => [e.sessionId, e]));
    return byId.get(id);
  };
  const next = draft.map((e) => {
    const prev = previous(e.sessionId);
    return prev && shallowEqual(prev, e) ? prev : validateEntry(e);
  });
  return { entries: next, value };
}

/**
 * `mutate` on a draft in which only the entry of `sessionId` is a copy (the others are the
 * entries themselves, which it promised not to touch): one spread and at most one validation
 * instead of one of each per entry. Whatever the draft holds that is not an unchanged entry is
 * still validated, so an entry added against the promise is checked all the same.
 */
function applyToOne<T>(entries: readonly JournalEntry[], mutate: (draft: JournalEntry[]) => T, sessionId: string): { entries: JournalEntry[]; value: T } {
  const draft = entries.slice();
  let at = -1;
  for (let k = 0; k < draft.length && at < 0; k++) if (draft[k]!.sessionId === sessionId) at = k;
  const prev = at >= 0 ? entries[at]! : undefined;
  if (prev) draft[at] = { ...prev };
  const value = mutate(draft);
  // The draft is checked in place (no second array: an endAll of 100 makes 200 of these updates).
  // An untouched entry is still at its index, or one before it once the entry was removed. The
  // copy of the one entry is recognised by its id before anything else: asking the set of
  // originals about it built that set (100 entries) at every update of an endAll (--cpu-prof).
  let originals: Set<JournalEntry> | undefined;
  for (let k = 0; k < draft.length; k++) {
    const e = draft[k]!;
    if (e === entries[k] || e === entries[k + 1]) continue;
    if (prev && e.sessionId === sessionId) draft[k] = shallowEqual(prev, e) ? prev : validateEntry(e);
    else if (!(originals ??= new Set(entries)).has(e)) draft[k] = validateEntry(e);
  }
  return { entries: draft, value };
}

/** Same keys, same values (a loop, not Object.keys twice and every(): that was most of an update). */
function shallowEqual(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    if (x[k] !== y[k]) return false;
    keys++;
  }
  return keys === Object.keys(y).length;
}

function validateEntry(entry: JournalEntry): JournalEntry {
  // Drop keys set to undefined by patches, so the strict schema sees only real fields.
  const clean = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as JournalEntry;
  if (clean.lastError !== undefined) clean.lastError = plainText(redactSecrets(clean.lastError));
  const parsed = parseJournalEntry(clean);
  if (!parsed.success) {
    throw new SessionError('JOURNAL_INVALID_ENTRY', `Refused to journal session ${String(clean.sessionId)}: ${parsed.message}`);
  }
  assertNoSecrets(parsed.data, 'the session journal');
  return parsed.data;
}

/** Revocations that failed and wait for a retry, for `status`. */
export function pendingRevocations(entries: readonly JournalEntry[]): JournalEntry[] {
  return entries.filter((e) => e.state === 'revoke-failed');
}

/** "2 revocations pending retry", or undefined when there are none. */
export function describePendingRevocations(entries: readonly JournalEntry[]): string | undefined {
  const n = pendingRevocations(entries).length;
  if (n === 0) return undefined;
  return `${n} revocation${n === 1 ? '' : 's'} pending retry`;
}
