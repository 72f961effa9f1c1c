// The command `exec` runs may start processes of its own (`cmd &`, a pager, an ssh that forks)
// that outlive it and keep using the session's credential. At session end keyfob signals the
// whole process group the command ran in, not only its direct child.
//
// Which group: without a terminal (scripts, CI, the tray's background uses) the command gets a
// group of its own (spawn `detached`), and every process in it belongs to the session. With a
// terminal the command must stay in the terminal's foreground group, keyfob's own (else it
// could not read the keyboard: SIGTTIN); there, the session's processes are the members of that
// group that were not there before the command started, keyfob itself excepted. Processes that
// leave the group on purpose (setsid: `ssh -f`, daemons) escape both; docs/security.md says so.
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

/** How long the group gets between SIGTERM and SIGKILL. */
export const GROUP_GRACE_MS = 2000;

export interface SessionGroup {
  /** Spawn the command in a group of its own. */
  readonly detached: boolean;
  /** SIGTERM to the session's processes, then SIGKILL to any left after the grace period. */
  end(childPid: number | undefined): Promise<void>;
}

/** Process id and group of every process (`ps`, on Linux and macOS alike). */
async function processGroups(): Promise<Array<{ pid: number; pgid: number }>> {
  const { stdout } = await promisify(execFile)('ps', ['-A', '-o', 'pid=,pgid='], { timeout: 5000 });
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((f): f is [number, number] => f.length === 2 && f.every(Number.isInteger))
    .map(([pid, pgid]) => ({ pid, pgid }));
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // gone already (ESRCH), or not ours (EPERM)
  }
}

/** A group of its own for the command: `-pgid` reaches every member, and nothing else. */
function ownGroup(): SessionGroup {
  return {
    detached: true,
    async end(childPid) {
      if (childPid === undefined || !signal(-childPid, 'SIGTERM')) return;
      for (let waited = 0; waited < GROUP_GRACE_MS; waited += 50) {
        if (!signal(-childPid, 0)) return;
        await sleep(50);
      }
      signal(-childPid, 'SIGKILL');
    },
  };
}

/** The terminal's group, shared with keyfob: only members that appeared after `before`. */
async function sharedGroup(): Promise<SessionGroup> {
  const all = await processGroups().catch(() => undefined);
  const pgid = all?.find((p) => p.pid === process.pid)?.pgid;
  const before = new Set(all?.filter((p) => p.pgid === pgid).map((p) => p.pid));
  const members = async () => ((await processGroups().catch(() => [])) ?? []).filter((p) => p.pgid === pgid && p.pid !== process.pid && !before.has(p.pid)).map((p) => p.pid);
  return {
    detached: false,
    async end(childPid) {
      if (pgid === undefined) {
        if (childPid !== undefined) signal(childPid, 'SIGTERM');
        return;
      }
      let left = (await members()).filter((pid) => signal(pid, 'SIGTERM'));
      for (let waited = 0; left.length > 0 && waited < GROUP_GRACE_MS; waited += 50) {
        await sleep(50);
        left = left.filter((pid) => signal(pid, 0));
      }
      for (const pid of left) signal(pid, 'SIGKILL');
    },
  };
}

/** Chosen before the command starts. Windows has no process groups to signal (a gap, docs/security.md). */
export async function sessionGroup(interactive: boolean, platform: NodeJS.Platform = process.platform): Promise<SessionGroup> {
  if (platform === 'win32') return { detached: false, end: async () => {} };
  return interactive ? sharedGroup() : ownGroup();
}
