// Ending an SSH session ends SSH access (issue 6, item 8): the command's ssh cannot start a
// ControlMaster that outlives the session, whatever it asks for; every process the command left
// in its process group is gone once the session ends; and the old agent socket opens nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useStack } from '../integration/support/stack.ts';
import { isAlive } from '../stack/processes.ts';
import { makeKeyfobUser, noSecretServiceReason, type KeyfobUser } from './support/keyfob.ts';
import { signIn } from './support/state.ts';

const skipped = noSecretServiceReason !== undefined;

/** Pids of the live (not zombie) processes in process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, stat]) => Number(group) === pgid && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

describe.skipIf(skipped)(`an SSH session's end ends SSH access${skipped ? ` (skipped: ${noSecretServiceReason})` : ''}`, () => {
  const fixture = useStack();
  const users: KeyfobUser[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'keyfob-ssh-end-'));
  afterAll(() => {
    for (const u of users) u.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('no ControlMaster even when asked for, no process of the session group left, and the old agent socket signs nothing', async () => {
    const user = makeKeyfobUser(fixture.stack);
    users.push(user);
    await signIn(user);
    const { sshd } = fixture.stack.info;
    const controlDir = mkdtempSync(join(scratch, 'control-'));
    const knownHosts = join(scratch, 'known_hosts');
    const common = `-F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null -p ${sshd.port} ${sshd.user}@127.0.0.1`;
    // What a user's ~/.ssh/config (or flags) may say: share connections and keep the master 10 minutes.
    const sharing = `-o ControlMaster=auto -o ControlPersist=600 -o ControlPath=${controlDir}/%C`;
    const script = [
      `cp "$KEYFOB_SSH_KNOWN_HOSTS" ${knownHosts}`,
      `ssh ${sharing} -o UserKnownHostsFile=${knownHosts} ${common} whoami`,
      'sleep 300 &',
      `echo "group=$(ps -o pgid= -p $$) background=$! agent=$SSH_AUTH_SOCK masters=$(ls -A ${controlDir} | wc -l)"`,
    ].join('\n');
    const result = await user.run(['exec', 'web-ssh', '--', 'sh', '-c', script]);
    expect(result.code, result.stderr).toBe(0);
    const [whoami, facts] = result.stdout.trim().split('\n') as [string, string];
    expect(whoami, 'the ssh inside the session logged in').toBe(sshd.user);
    const [, group, background, agent, masters] = /group=\s*(\d+) background=(\d+) agent=(\S+) masters=\s*(\d+)/.exec(facts) ?? [];
    expect(Number(masters), 'no control socket: the wrapper turned multiplexing off').toBe(0);

    expect(isAlive(Number(background)), 'the command’s background process ended with the session').toBe(false);
    expect(groupMembers(Number(group)), 'no process of the session’s group is left').toEqual([]);
    expect(readdirSync(controlDir)).toEqual([]);

    // The same login as inside the session, through the old agent socket: refused.
    const again = spawnSync('ssh', [...`-o UserKnownHostsFile=${knownHosts} ${common} true`.split(' ')], {
      env: { ...process.env, SSH_AUTH_SOCK: agent! },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(again.status, again.stderr).not.toBe(0);
  });
});
