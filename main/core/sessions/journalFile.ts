import { closeSync, fdatasync, fstatSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openPrivateForAppend } from '../base/privateFiles.ts';
import type { JournalEntry } from './journal.ts';

// How the journal lies on disk, so that only what crash safety needs waits for the disk.
// Line 1 is a snapshot, `{"version":2,"entries":[...],"ended":{ID:REASON}}` (`ended`: the end
// reasons of recently removed entries); every later line is one change, `{"set":ENTRY}` or
// `{"del":"SESSION_ID","reason":REASON}`, appended under the journal's lock. A change that
// must survive a crash (a new entry: its credential is about to be handed out; a later expiry)
// is appended and fdatasynced: one fsync. Others (the `revoking` mark, a removal, a failure note)
// are appended without one: if a crash loses them, the next start finds the entry and revokes
// the lease again, which Vault answers with 204. Appending never rewrites the bytes before it,
// so an unsynced change cannot damage a durable one. Now and then (in a write that waits for the
// disk anyway, or once there are very many changes) the changes are folded into a
// new snapshot (temp file, fsync, rename, directory fsync), and a version-1 file (one JSON
// document) is read as it is and replaced by a snapshot at the first change.

export interface JournalFileState {
  entries: JournalEntry[];
  /** Entries this version does not understand (a newer keyfob wrote them), kept as they are. */
  foreign: unknown[];
  /** Change lines after the snapshot: when there are many, the next write folds them in. */
  changeLines: number;
  /** False for a version-1 file or one whose last append was cut short: rewrite, never append. */
  appendable: boolean;
  /**
   * Why each entry removed since the snapshot ended, from its removal line: another process reading
   * the journal may never have seen the (unsynced, short-lived) `revoking` mark that said so.
   * Each state after an append shares its predecessor's map, updated in place once the append is
   * written (see recordEndReasons): the predecessor is never read again.
   */
  endReasons?: Map<string, string>;
}

/** The entry schema's verdict (passed in, so this module and journal.ts do not import each other). */
export type EntryParser = (raw: unknown) => JournalEntry | undefined;

export const emptyJournalFile = (): JournalFileState => ({ entries: [], foreign: [], changeLines: 0, appendable: false });

const snapshotLine = (value: unknown): value is { version: 1 | 2; entries: unknown[] } =>
  typeof value === 'object' &&
  value !== null &&
  'version' in value &&
  (value.version === 1 || value.version === 2) &&
  'entries' in value &&
  Array.isArray(value.entries);

/** The journal's state from the file's text, or undefined when it is not a journal (damage from outside). */
export function parseJournalFile(text: string, parseEntry: EntryParser): JournalFileState | undefined {
  // Version 1: one (pretty-printed) JSON document; also a version-2 snapshot with no changes yet.
  const whole = tryJson(text);
  if (whole !== undefined)
    return snapshotLine(whole)
      ? {
          ...classify(parseEntry, whole.entries, 0, whole.version === 2 && text.endsWith('\n') && !text.slice(0, -1).includes('\n')),
          endReasons: endedOf(whole),
        }
      : undefined;

  const lines = text.split('\n');
  const endsClean = text.endsWith('\n');
  if (endsClean) lines.pop();
  const head = tryJson(lines[0] ?? '');
  if (!snapshotLine(head) || head.version !== 2) return undefined;
  const byId = new Map<string, unknown>();
  const unkeyed: unknown[] = [];
  for (const raw of head.entries) {
    const id = keyOf(raw);
    if (id === undefined) unkeyed.push(raw);
    else byId.set(id, raw);
  }
  let appendable = endsClean;
  const endReasons = endedOf(head);
  for (let i = 1; i < lines.length; i++) {
    const change = tryJson(lines[i]!);
    if (isSet(change)) byId.set(change.set.sessionId, change.set);
    else if (isDel(change)) {
      byId.delete(change.del);
      if (typeof change.reason === 'string') endReasons.set(change.del, change.reason);
    } else if (i === lines.length - 1 && !endsClean)
      appendable = false; // an append cut short by a crash: never finished, so never relied on
    else return undefined;
  }
  return { ...classify(parseEntry, [...byId.values(), ...unkeyed], lines.length - 1, appendable), endReasons };
}

/**
 * The changes to an existing entry that must be on disk before the caller goes on: lost in a
 * crash, each could leave a lease that no start revokes, or revoke keys still in use. Anything
 * else (the `revoking` mark, a removal, a renewable flag) is appended without an fsync.
 */
const DURABLE_CHANGES: readonly ((prev: JournalEntry, next: JournalEntry) => boolean)[] = [
  (prev, next) => next.expiresAt > prev.expiresAt, // the lease now lives longer
  (prev, next) => next.leaseId !== prev.leaseId,
  (prev, next) => next.heldBy !== prev.heldBy, // handed to credential_process: lost, the next start would revoke keys the AWS CLI uses
  (prev, next) => (next.leaseExpiresAt ?? 0) > (prev.leaseExpiresAt ?? 0), // Vault's lease lives longer: recovery must revoke until then
];

/** Whether going from `before` to `next` must be durable before the caller goes on: a new entry, or a DURABLE_CHANGES change. */
export function needsDurability(before: readonly JournalEntry[], next: readonly JournalEntry[]): boolean {
  const old = new Map(before.map((e) => [e.sessionId, e]));
  return next.some((e) => {
    const prev = old.get(e.sessionId);
    return prev === undefined || DURABLE_CHANGES.some((changed) => changed(prev, e));
  });
}

/**
 * Writes `next` where the file held `before` (read under the same lock): appended changes, fdatasynced
 * when `needsDurability`, or a new snapshot when the file cannot be appended to or has many changes.
 */
export async function writeJournalChanges(
  path: string,
  before: JournalFileState,
  next: readonly JournalEntry[],
  /** The inode `path` named when `before` was read under the lock, if known: an append may then reuse a descriptor open on it. */
  fileIno?: bigint,
): Promise<JournalFileState> {
  const old = new Map(before.entries.map((e) => [e.sessionId, e]));
  const nextIds = new Set(next.map((e) => e.sessionId));
  const changes: string[] = [];
  const removed: JournalEntry[] = [];
  for (const e of before.entries) {
    if (nextIds.has(e.sessionId)) continue;
    removed.push(e);
    changes.push(JSON.stringify({ del: e.sessionId, ...(e.endReason ? { reason: e.endReason } : {}) }));
  }
  // applyMutation keeps an unchanged entry's object, so identity says what changed.
  for (const e of next) if (old.get(e.sessionId) !== e) changes.push(JSON.stringify({ set: e }));
  if (changes.length === 0) return before;
  const durable = needsDurability(before.entries, next);
  const lines = before.changeLines + changes.length;
  // Folding into a snapshot costs two fsyncs and a rename, so it is done by a write that waits
  // for the disk anyway (a new entry), not by one that need not: ending 100 sessions (logout)
  // otherwise folded half-way, and its removals queued behind those fsyncs. A file that only
  // shrinks is still folded once it holds MAX_CHANGE_LINES changes, so readers stay quick.
  if (!before.appendable || (lines > 64 + 2 * next.length && (durable || lines > MAX_CHANGE_LINES))) {
    // A copy: the snapshot may fail, and `before` must then still say what the file says.
    const endReasons = recordEndReasons(new Map(before.endReasons), removed);
    await writeSnapshot(path, [...next, ...before.foreign], endReasons);
    return { entries: [...next], foreign: before.foreign, changeLines: 0, appendable: true, endReasons };
  }
  // A few hundred bytes to the page cache: done synchronously, which spares four trips through
  // libuv's thread pool per change (measured: about half of an update). Only the wait for the
  // disk, when there is one, leaves the event loop free.
  const file = appendTarget(path, fileIno);
  try {
    writeSync(file.fd, `${changes.join('\n')}\n`);
    if (durable) await new Promise<void>((resolve, reject) => fdatasync(file.fd, (error) => (error ? reject(error) : resolve())));
  } catch (error) {
    forgetAppendTarget(path);
    throw error;
  } finally {
    if (!file.kept) closeSync(file.fd);
  }
  // Written: `before` is superseded, so its map is taken over and updated in place.
  const endReasons = recordEndReasons(before.endReasons ?? new Map(), removed);
  return { entries: [...next], foreign: before.foreign, changeLines: before.changeLines + changes.length, appendable: true, endReasons };
}

/** Journal files held open for appending between updates: path -> descriptor and the inode it is open on. */
const heldFiles = new Map<string, { fd: number; ino: bigint }>();
/** A process writes one journal (tests and tools may make more): beyond this, the oldest is closed. */
const MAX_HELD_FILES = 4;

/**
 * A descriptor to append to `path`, which named inode `ino` when it was read under the lock. It is
 * kept between updates and used again while that inode is the one it is open on: an issue + end
 * makes three updates, and an open and a close each cost as much as the append (file-system calls
 * under load, --cpu-prof). A snapshot (rename) gives the path a new inode, so the next update
 * opens the new file. On Windows, or without an inode, it is opened and closed each time.
 */
function appendTarget(path: string, ino: bigint | undefined): { fd: number; kept: boolean } {
  const held = heldFiles.get(path);
  if (held && ino !== undefined && held.ino === ino) return { fd: held.fd, kept: true };
  forgetAppendTarget(path);
  const fd = openPrivateForAppend(path);
  if (ino === undefined || process.platform === 'win32') return { fd, kept: false };
  let opened: bigint;
  try {
    opened = fstatSync(fd, { bigint: true }).ino;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  // Opened by name after the stat: keep it only if it is the file that was read.
  if (opened !== ino) return { fd, kept: false };
  heldFiles.set(path, { fd, ino });
  for (const [other, file] of heldFiles) {
    if (heldFiles.size <= MAX_HELD_FILES) break;
    heldFiles.delete(other);
    closeSync(file.fd);
  }
  return { fd, kept: true };
}

function forgetAppendTarget(path: string): void {
  const held = heldFiles.get(path);
  if (!held) return;
  heldFiles.delete(path);
  try {
    closeSync(held.fd);
  } catch {
    // already closed
  }
}

/** Change lines after which even a write that need not be durable folds them into a snapshot. */
const MAX_CHANGE_LINES = 1024;

/** How many recent end reasons a snapshot keeps: enough for every live owner to read its own. */
const KEPT_END_REASONS = 256;

/**
 * Adds the end reasons of the `removed` entries to `reasons` (newest last) and drops the oldest
 * beyond KEPT_END_REASONS; returns `reasons`, changed in place. The map is updated, not copied:
 * copying up to 256 reasons at every removal was the largest piece of an issue + end's own work
 * in the journal (--cpu-prof), and once the file has the removal the old state is not read again.
 */
function recordEndReasons(reasons: Map<string, string>, removed: readonly JournalEntry[]): Map<string, string> {
  for (const e of removed) {
    if (!e.endReason) continue;
    reasons.delete(e.sessionId);
    reasons.set(e.sessionId, e.endReason);
  }
  for (const id of reasons.keys()) {
    if (reasons.size <= KEPT_END_REASONS) break;
    reasons.delete(id); // the oldest first: a Map keeps insertion order
  }
  return reasons;
}

/**
 * A snapshot's `ended` map (session id to end reason): folding the removal lines into a snapshot
 * must not make a revoked session look like one the journal lost (see reconcile.ts).
 */
function endedOf(snapshot: object): Map<string, string> {
  const ended = 'ended' in snapshot ? snapshot.ended : undefined;
  const reasons = new Map<string, string>();
  if (typeof ended === 'object' && ended !== null) for (const [id, reason] of Object.entries(ended)) if (typeof reason === 'string') reasons.set(id, reason);
  return reasons;
}

/** Replaces the file with one snapshot line, atomically and durably. */
async function writeSnapshot(path: string, entries: unknown[], ended: ReadonlyMap<string, string>): Promise<void> {
  // node:crypto when needed, not imported: a reader of the journal (credential_process) never loads it.
  const tmp = `${path}.${process.pid}.${process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify({ version: 2, entries, ...(ended.size > 0 ? { ended: Object.fromEntries(ended) } : {}) })}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDir(dirname(path));
}

function classify(parseEntry: EntryParser, raws: unknown[], changeLines: number, appendable: boolean): JournalFileState {
  const entries: JournalEntry[] = [];
  const foreign: unknown[] = [];
  for (const raw of raws) {
    const parsed = parseEntry(raw);
    if (parsed) entries.push(parsed);
    else foreign.push(raw);
  }
  return { entries, foreign, changeLines, appendable };
}

function keyOf(raw: unknown): string | undefined {
  return typeof raw === 'object' && raw !== null && 'sessionId' in raw && typeof raw.sessionId === 'string' ? raw.sessionId : undefined;
}

function isSet(value: unknown): value is { set: { sessionId: string } } {
  return typeof value === 'object' && value !== null && 'set' in value && keyOf(value.set) !== undefined;
}

function isDel(value: unknown): value is { del: string; reason?: unknown } {
  return typeof value === 'object' && value !== null && 'del' in value && typeof value.del === 'string';
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
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
