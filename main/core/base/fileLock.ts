import { randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KeyfobError } from './keyfobError.ts';
import { readPrivateSync } from './privateFiles.ts';
import { currentProcessIdentity, isOwnerAlive, type ProcessIdentity } from './processIdentity.ts';

// A lock file created with O_EXCL: the one process whose create succeeds holds it. A lock whose
// owner has died (pid gone, or reused: start time differs) is broken; one whose owner cannot be
// read is broken once older than `staleMs` (locks are held for milliseconds).
//
// A lock taken often (the session journal's, at every change) may instead be taken by linking a
// file that holds this process's identity, written once, to the lock's name (`ownerFile`): link()
// fails with EEXIST just as an O_EXCL create does, and the lock reads the same. Creating and
// deleting a new file costs ext4 an inode each time, about 110 µs (measured); a link and an unlink
// of the existing one, about 13 µs. The owner file (`<lock>.owner-<pid>-<random>`) is removed when
// the process exits; one a crashed process left is removed by the next process that makes its own.

export interface LockOptions {
  /** A lock with no readable owner older than this is considered abandoned. */
  staleMs?: number;
  /** How long withFileLock waits for a busy lock before giving up. */
  timeoutMs?: number;
  /** Take the lock by linking this process's owner file to it (see above): for locks taken often. */
  ownerFile?: boolean;
}

const DEFAULT_STALE_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 10_000;

export interface HeldLock {
  release(): void;
}

/** Takes the lock if it is free (or stale) right now; undefined if someone else holds it. */
export function tryAcquireLock(lockPath: string, options: LockOptions = {}): HeldLock | undefined {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  for (let attempt = 0; attempt < 2; attempt++) {
    const lock = options.ownerFile ? linkOwnerFile(lockPath) : createExclusive(lockPath);
    if (lock) return lock;
    if (!breakIfStale(lockPath, staleMs)) return undefined;
  }
  return undefined;
}

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let lock = tryAcquireLock(lockPath, options);
  while (!lock) {
    if (Date.now() > deadline) {
      throw new KeyfobError('internal', `Could not lock ${lockPath}: another keyfob process has held it too long`);
    }
    // Jittered so waiting processes do not retry in lockstep.
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 10));
    lock = tryAcquireLock(lockPath, options);
  }
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

function createExclusive(lockPath: string): HeldLock | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify({ ...currentProcessIdentity(), acquiredAt: Date.now() }));
  } finally {
    closeSync(fd);
  }
  return heldAs(lockPath, statSync(lockPath).ino);
}

/** This process's owner file for each lock path (undefined: links are not possible there). */
const ownerFiles = new Map<string, { path: string; ino: number } | undefined>();
let removeOwnerFilesAtExit = false;

function linkOwnerFile(lockPath: string): HeldLock | undefined {
  const owner = ownerFileFor(lockPath);
  if (!owner) return createExclusive(lockPath);
  try {
    linkSync(owner.path, lockPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return undefined;
    if (code !== 'ENOENT') {
      // A file system without hard links (some network or FAT mounts): the O_EXCL create works anywhere.
      ownerFiles.set(lockPath, undefined);
      forget(owner.path);
    } else ownerFiles.delete(lockPath); // removed from outside: make a new one next time
    return createExclusive(lockPath);
  }
  return heldAs(lockPath, owner.ino);
}

function ownerFileFor(lockPath: string): { path: string; ino: number } | undefined {
  if (ownerFiles.has(lockPath)) return ownerFiles.get(lockPath);
  removeAbandonedOwnerFiles(lockPath);
  const path = `${lockPath}.owner-${process.pid}-${randomBytes(4).toString('hex')}`;
  // Written in full before it is ever linked, so whoever reads the lock finds a whole owner.
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    writeSync(fd, JSON.stringify(currentProcessIdentity()));
  } finally {
    closeSync(fd);
  }
  const owner = { path, ino: statSync(path).ino };
  ownerFiles.set(lockPath, owner);
  if (!removeOwnerFilesAtExit) {
    removeOwnerFilesAtExit = true;
    process.once('exit', () => {
      for (const file of ownerFiles.values()) if (file) forget(file.path);
    });
  }
  return owner;
}

/** Owner files of processes that are gone (a crash skips the exit hook). */
function removeAbandonedOwnerFiles(lockPath: string): void {
  const prefix = `${basename(lockPath)}.owner-`;
  let names: string[];
  try {
    names = readdirSync(dirname(lockPath)).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dirname(lockPath), name);
    const owner = readOwner(path);
    if (owner ? !isOwnerAlive(owner) : ageMs(path) > DEFAULT_STALE_MS) forget(path);
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function forget(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** The lock at lockPath, held as long as its name points to inode `ino`. */
function heldAs(lockPath: string, ino: number): HeldLock {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      // Only remove the lock if it is still ours (it may have been broken as stale meanwhile).
      try {
        if (statSync(lockPath).ino === ino) unlinkSync(lockPath);
      } catch {
        // already gone
      }
    },
  };
}

/** Removes the lock at lockPath if it is abandoned; true if the caller should try again. */
function breakIfStale(lockPath: string, staleMs: number): boolean {
  let before;
  try {
    before = statSync(lockPath);
  } catch {
    return true; // released meanwhile
  }
  const owner = readOwner(lockPath);
  // A lock whose owner still runs (same pid and start time) is never broken, however old: the
  // owner may be slow, not dead. Age decides only when no owner can be read (a crash mid-write).
  const abandoned = owner === undefined ? Date.now() - before.mtimeMs > staleMs : !isOwnerAlive(owner);
  if (!abandoned) return false;
  // Move it aside rather than unlink by name, then make sure we moved the lock we judged: if
  // another process broke it and took a fresh one in between, put that one back.
  const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return true;
  }
  try {
    if (statSync(aside).ino !== before.ino) {
      try {
        linkSync(aside, lockPath); // fails rather than overwrite if yet another lock appeared
      } catch {
        // best effort
      }
      unlinkSync(aside);
      return false;
    }
    unlinkSync(aside);
  } catch {
    // best effort
  }
  return true;
}

function readOwner(lockPath: string): ProcessIdentity | undefined {
  try {
    const data = JSON.parse(readPrivateSync(lockPath)) as Partial<ProcessIdentity>;
    if (typeof data.pid !== 'number' || typeof data.hostname !== 'string') return undefined;
    return { pid: data.pid, hostname: data.hostname, pidStartTime: typeof data.pidStartTime === 'number' ? data.pidStartTime : null };
  } catch {
    // Being written right now, or garbage: only age can make it stale.
    return undefined;
  }
}
