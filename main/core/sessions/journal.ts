import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { SESSION_VIEW_STATES } from '../../../common/views.ts';
import { assertNoSecrets, redactSecrets } from '../base/secretGuard.ts';
import { SessionError } from './errors.ts';
import { toDisposable, type Disposable } from '../base/events.ts';
import { withFileLock, type LockOptions } from '../base/fileLock.ts';
import { END_REASONS, SESSION_KINDS } from './session.ts';
import { ensureStateDir } from '../base/stateDir.ts';

// The journal: what this machine's keyfob processes have issued and not yet revoked, so a crash
// is a session end too (the next start revokes what a dead process left). It holds lease ids,
// targets, times and owners, never secrets. Every change is a read-modify-write under a lock
// file, written to a temp file, fsynced and renamed into place, so readers never see half a file
// and two terminals plus the tray can share it.

export const JOURNAL_STATES = SESSION_VIEW_STATES;
export type JournalState = (typeof JOURNAL_STATES)[number];

export const journalEntrySchema = z
  .object({
    sessionId: z.string().min(1),
    leaseId: z.string().min(1).optional(),
    targetId: z.string().min(1),
    kind: z.enum(SESSION_KINDS),
    issuedAt: z.number(),
    expiresAt: z.number(),
    pid: z.number().int().positive(),
    pidStartTime: z.number().int().nullable(),
    hostname: z.string(),
    state: z.enum(JOURNAL_STATES),
    endReason: z.enum(END_REASONS).optional(),
    revokeAttempts: z.number().int().nonnegative(),
    lastError: z.string().optional(),
    nextRetryAt: z.number().optional(),
    agentPid: z.number().int().positive().optional(),
    /** Whether Vault will renew the lease (shown by `status`); absent in older journals. */
    renewable: z.boolean().optional(),
    /** `<length>.<HMAC-SHA-256>` of each issued secret, key in the OS keychain, for `keyfob scan` (main/core/leak). */
    fingerprints: z.array(z.string().regex(/^\d{1,5}\.[0-9a-f]{64}$/)).optional(),
  })
  .strict();

export type JournalEntry = z.infer<typeof journalEntrySchema>;

const journalFileSchema = z.object({ version: z.literal(1), entries: z.array(z.unknown()) });

/** What the session manager needs from a journal; `Journal` keeps it on disk. */
export interface SessionJournal {
  /** Adds an entry; rejects with JOURNAL_DUPLICATE_SESSION if its id is taken. */
  put(entry: JournalEntry): Promise<void>;
  /** Changes fields of an entry; no-op if it is gone. */
  patch(sessionId: string, changes: Partial<Omit<JournalEntry, 'sessionId'>>): Promise<void>;
  remove(sessionId: string): Promise<void>;
  list(): Promise<JournalEntry[]>;
  /** Read-modify-write: `mutate` edits the entries in place and may return a result. */
  update<T>(mutate: (entries: JournalEntry[]) => T): Promise<T>;
}

export interface JournalOptions {
  fileName?: string;
  lock?: LockOptions;
  /** Told when the file was unreadable and moved aside. */
  onWarning?: (message: string) => void;
}

interface PendingUpdate {
  mutate: (entries: JournalEntry[]) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** put/patch/remove in terms of `update`, shared by the file journal and the memory one. */
abstract class JournalBase implements SessionJournal {
  abstract list(): Promise<JournalEntry[]>;
  abstract update<T>(mutate: (entries: JournalEntry[]) => T): Promise<T>;

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
    });
  }

  remove(sessionId: string): Promise<void> {
    return this.update((entries) => {
      const i = entries.findIndex((e) => e.sessionId === sessionId);
      if (i >= 0) entries.splice(i, 1);
    });
  }
}

/** The journal file under the state dir. */
export class Journal extends JournalBase {
  readonly path: string;
  readonly #lockPath: string;
  readonly #options: JournalOptions;
  #queue: PendingUpdate[] = [];
  #writing = false;

  constructor(dir: string, options: JournalOptions = {}) {
    super();
    ensureStateDir(dir);
    this.path = join(dir, options.fileName ?? 'journal.json');
    this.#lockPath = `${this.path}.lock`;
    this.#options = options;
  }

  async list(): Promise<JournalEntry[]> {
    return (await this.#read({ moveAsideIfCorrupt: false })).entries;
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
   * Updates queued while a write is under way are applied together in the next write (group
   * commit): ending 100 sessions costs a handful of locked writes, not 200.
   */
  update<T>(mutate: (entries: JournalEntry[]) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ mutate, resolve: resolve as (value: unknown) => void, reject });
      void this.#drain();
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
                  const applied = applyMutation(entries, item.mutate);
                  entries = applied.entries;
                  outcomes.push({ ok: true, value: applied.value });
                } catch (error) {
                  outcomes.push({ ok: false, error });
                }
              }
              // A mutation that changed nothing (recovery with no orphans, say) writes nothing:
              // a read-only command like `status` must not rewrite and fsync the journal.
              const unchanged = entries.length === file.entries.length && entries.every((e, i) => e === file.entries[i]);
              if (!unchanged) await this.#write([...entries, ...file.foreign]);
            },
            this.#options.lock,
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

  async #read(options: { moveAsideIfCorrupt: boolean }): Promise<{ entries: JournalEntry[]; foreign: unknown[] }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], foreign: [] };
      throw error;
    }
    let file;
    try {
      file = journalFileSchema.parse(JSON.parse(text));
    } catch {
      // Renames are atomic, so this is damage from outside. Keep the file for a human; start over.
      if (options.moveAsideIfCorrupt) {
        const aside = `${this.path}.corrupt-${Date.now()}`;
        await rename(this.path, aside).catch(() => {});
        this.#options.onWarning?.(`The session journal ${this.path} was unreadable; it was moved to ${aside}`);
      }
      return { entries: [], foreign: [] };
    }
    const entries: JournalEntry[] = [];
    const foreign: unknown[] = [];
    for (const raw of file.entries) {
      const parsed = journalEntrySchema.safeParse(raw);
      // Entries this version does not understand (a newer keyfob wrote them) are kept as they are.
      if (parsed.success) entries.push(parsed.data);
      else foreign.push(raw);
    }
    return { entries, foreign };
  }

  async #write(entries: unknown[]): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const data = `${JSON.stringify({ version: 1, entries }, null, 2)}\n`;
    try {
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    await syncDir(join(this.path, '..'));
  }
}

/** The same contract in memory, for unit tests and benchmarks that should not touch the disk. */
export class MemoryJournal extends JournalBase {
  #entries: JournalEntry[] = [];

  async list(): Promise<JournalEntry[]> {
    return this.#entries.map((e) => ({ ...e }));
  }

  async update<T>(mutate: (entries: JournalEntry[]) => T): Promise<T> {
    const applied = applyMutation(this.#entries, mutate);
    this.#entries = applied.entries;
    return applied.value;
  }

}

/** Runs `mutate` on a copy; validates only the entries it added or changed (cheap for big batches). */
function applyMutation<T>(entries: readonly JournalEntry[], mutate: (draft: JournalEntry[]) => T): { entries: JournalEntry[]; value: T } {
  const draft = entries.map((e) => ({ ...e }));
  const value = mutate(draft);
  const before = new Map(entries.map((e) => [e.sessionId, e]));
  const next = draft.map((e) => {
    const prev = before.get(e.sessionId);
    return prev && shallowEqual(prev, e) ? prev : validateEntry(e);
  });
  return { entries: next, value };
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

function validateEntry(entry: JournalEntry): JournalEntry {
  // Drop keys set to undefined by patches, so the strict schema sees only real fields.
  const clean = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as JournalEntry;
  if (clean.lastError !== undefined) clean.lastError = redactSecrets(clean.lastError);
  const parsed = journalEntrySchema.safeParse(clean);
  if (!parsed.success) {
    throw new SessionError('JOURNAL_INVALID_ENTRY', `Refused to journal session ${String(clean.sessionId)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  assertNoSecrets(parsed.data, 'the session journal');
  return parsed.data;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; not possible on Windows, where it is not needed either.
  if (process.platform === 'win32') return;
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
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
