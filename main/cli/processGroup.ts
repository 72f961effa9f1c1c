// The command `exec` runs may start processes of its own (`cmd &`, a pager, an ssh that forks)
// that outlive it and keep using the session's credential. At session end keyfob signals the
// processes of the session's process group, not only its direct child.
//
// The command stays in keyfob's own process group: from a terminal that is the foreground group
// (a command in a group of its own could not read the keyboard: SIGTTIN), and a supervisor that
// kills keyfob's group (a CI runner, Ctrl-C) still reaches the command. The session's processes
// are the members of that group that were not there before the command started, keyfob itself
// excepted, so a pipeline neighbour (`keyfob exec … | tee`) is left alone. Processes that leave
// the group on purpose (setsid: `ssh -f`, daemons) escape; docs/security.md says so.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

/** How long the session's processes get between SIGTERM and SIGKILL. */
export const GROUP_GRACE_MS = 2000;

export interface SessionGroup {
  /** SIGTERM to the processes the session started in the group, then SIGKILL to any left. */
  end(): Promise<void>;
}

interface Member {
  pid: number;
  pgid: number;
}

/** Linux: /proc/<pid>/stat, field 5 is the process group (after the parenthesised name). */
function procGroups(): Member[] {
  const members: Member[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue; // exited, waiting to be reaped
      members.push({ pid: Number(entry), pgid: Number(fields[2]) });
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** Elsewhere (macOS): `ps`. */
async function psGroups(): Promise<Member[]> {
  const { stdout } = await promisify(execFile)('ps', ['-A', '-o', 'pid=,pgid='], { timeout: 5000 });
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((f): f is [number, number] => f.length === 2 && f.every(Number.isInteger))
    .map(([pid, pgid]) => ({ pid, pgid }));
}

function processGroups(platform: NodeJS.Platform): Promise<Member[] | undefined> {
  return (platform === 'linux' ? Promise.resolve().then(procGroups) : psGroups()).catch(() => undefined);
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // gone already (ESRCH), or not ours (EPERM)
  }
}

/**
 * Call just before the command starts: it notes who is already in keyfob's group. Windows has
 * no process groups to signal (a gap, docs/security.md); without a process list, nothing is done
 * beyond what exec already does for its child.
 */
export async function sessionGroup(platform: NodeJS.Platform = process.platform): Promise<SessionGroup> {
  if (platform === 'win32') return { end: async () => {} };
  const all = await processGroups(platform);
  const pgid = all?.find((p) => p.pid === process.pid)?.pgid;
  if (all === undefined || pgid === undefined) return { end: async () => {} };
  const before = new Set(all.filter((p) => p.pgid === pgid).map((p) => p.pid));
  const started = async () =>
    ((await processGroups(platform)) ?? []).filter((p) => p.pgid === pgid && !before.has(p.pid) && p.pid !== process.pid).map((p) => p.pid);
  return {
    async end() {
      let left = (await started()).filter((pid) => signal(pid, 'SIGTERM'));
      for (let waited = 0; left.length > 0 && waited < GROUP_GRACE_MS; waited += 50) {
        await sleep(50);
        const alive = new Set(await started());
        left = left.filter((pid) => alive.has(pid));
      }
      for (const pid of left) signal(pid, 'SIGKILL');
    },
  };
}
