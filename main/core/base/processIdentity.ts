import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

// Who owns a session or a lock: pid alone is not enough, because pids are reused. On Linux the
// start time in /proc/<pid>/stat tells a reused pid apart; elsewhere we fall back to liveness.

export interface ProcessIdentity {
  pid: number;
  /** Clock ticks after boot at which the process started (Linux); null where unknown. */
  pidStartTime: number | null;
  hostname: string;
}

/** The start time of `pid` from /proc/<pid>/stat (field 22), or null off Linux or if gone. */
export function readPidStartTime(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat ? stat.startTime : null;
}

function readProcStat(pid: number): { state: string; startTime: number } | undefined {
  if (process.platform !== 'linux') return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = Number(fields[19]);
  if (!state || !Number.isSafeInteger(startTime)) return undefined;
  return { state, startTime };
}

export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, pidStartTime: readPidStartTime(process.pid), hostname: hostname() };
}

/**
 * Whether the process that wrote `owner` still runs. Owners on another host (a shared home
 * directory) count as alive: we cannot see them, and must never revoke their sessions.
 */
export function isOwnerAlive(owner: ProcessIdentity): boolean {
  if (owner.hostname !== hostname()) return true;
  if (!pidExists(owner.pid)) return false;
  const stat = readProcStat(owner.pid);
  if (stat) {
    if (stat.state === 'Z' || stat.state === 'X') return false; // exited, waiting to be reaped
    if (owner.pidStartTime !== null && stat.startTime !== owner.pidStartTime) return false; // pid reused
  }
  return true;
}

function pidExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
