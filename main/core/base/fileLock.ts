import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { KeyfobError } from './keyfobError.ts';
import { currentProcessIdentity, isOwnerAlive, type ProcessIdentity } from './processIdentity.ts';

// A lock file created with O_EXCL: the one process whose create succeeds holds it. A lock whose
// owner has died, or that is older than `staleMs` (locks are held for milliseconds), is broken.

export interface LockOptions {
  /** A lock older than this is considered abandoned. */
  staleMs?: number;
  /** How long withFileLock waits for a busy lock before giving up. */
  timeoutMs?: number;
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
    const lock = createExclusive(lockPath);
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
  const { ino } = statSync(lockPath);
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
  const tooOld = Date.now() - before.mtimeMs > staleMs;
  const ownerGone = owner !== undefined && !isOwnerAlive(owner);
  if (!tooOld && !ownerGone) return false;
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
    const data = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<ProcessIdentity>;
    if (typeof data.pid !== 'number' || typeof data.hostname !== 'string') return undefined;
    return { pid: data.pid, hostname: data.hostname, pidStartTime: typeof data.pidStartTime === 'number' ? data.pidStartTime : null };
  } catch {
    // Being written right now, or garbage: only age can make it stale.
    return undefined;
  }
}
