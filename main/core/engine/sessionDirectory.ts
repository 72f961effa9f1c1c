// Every live session on this machine's state dir, whichever keyfob process owns it: the journal
// as last read, kept fresh by its watch. Sessions of other processes get the same events as this
// process's own (added, updated, ended) within a moment of their owner journaling the change;
// this process's own sessions are announced by its SessionManager, so they are skipped here.
import { Emitter, type Disposable, type Event } from '../base/events.ts';
import { errorMessage } from '../base/keyfobError.ts';
import type { EndReason, JournalEntry, SessionJournal } from '../sessions/index.ts';

export interface ForeignEnded {
  entry: JournalEntry;
  reason: EndReason;
}

export class SessionDirectory implements Disposable {
  readonly #journal: SessionJournal;
  readonly #isOwn: (sessionId: string) => boolean;
  readonly #now: () => number;
  #entries = new Map<string, JournalEntry>();
  #refreshing: Promise<void> | undefined;
  #again = false;

  readonly #onDidAdd = new Emitter<JournalEntry>();
  readonly #onDidUpdate = new Emitter<JournalEntry>();
  readonly #onDidEnd = new Emitter<ForeignEnded>();
  readonly #onDidFail = new Emitter<string>();
  readonly onDidAdd: Event<JournalEntry> = this.#onDidAdd.event;
  readonly onDidUpdate: Event<JournalEntry> = this.#onDidUpdate.event;
  readonly onDidEnd: Event<ForeignEnded> = this.#onDidEnd.event;
  readonly onDidFail: Event<string> = this.#onDidFail.event;

  constructor(journal: SessionJournal, isOwn: (sessionId: string) => boolean, now: () => number) {
    this.#journal = journal;
    this.#isOwn = isOwn;
    this.#now = now;
  }

  /** The journal as last read. */
  entries(): JournalEntry[] {
    return [...this.#entries.values()];
  }

  /** Re-reads the journal and fires events for other processes' changes; calls overlapping one run again once. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        await this.#read();
      } while (this.#again);
    })().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /** Reads without firing: the first read at start, where everything already there is not news. */
  async load(): Promise<void> {
    this.#entries = new Map((await this.#journal.list()).map((e) => [e.sessionId, e]));
  }

  async #read(): Promise<void> {
    let list: JournalEntry[];
    try {
      list = await this.#journal.list();
    } catch (error) {
      this.#onDidFail.fire(`Could not read the session journal: ${errorMessage(error)}`);
      return;
    }
    const before = this.#entries;
    const after = new Map(list.map((e) => [e.sessionId, e]));
    this.#entries = after;
    for (const [id, entry] of after) {
      if (this.#isOwn(id)) continue;
      const was = before.get(id);
      if (!was) this.#onDidAdd.fire(entry);
      else if (changed(was, entry)) this.#onDidUpdate.fire(entry);
    }
    for (const [id, was] of before) {
      if (after.has(id) || this.#isOwn(id)) continue;
      const reason = was.endReason ?? this.#journal.endReasonOf?.(id) ?? (was.expiresAt <= this.#now() ? 'expired' : 'revoked');
      this.#onDidEnd.fire({ entry: was, reason });
    }
  }

  dispose(): void {
    for (const e of [this.#onDidAdd, this.#onDidUpdate, this.#onDidEnd, this.#onDidFail]) e.dispose();
  }
}

function changed(a: JournalEntry, b: JournalEntry): boolean {
  return a.state !== b.state || a.expiresAt !== b.expiresAt || a.lastError !== b.lastError || a.renewable !== b.renewable || a.pid !== b.pid;
}
