// A lease never outlives its session, end to end: a session shorter than the Vault role's TTL
// gets its lease shortened on the server at issue, and a keyfob killed before the session ends
// has its lease revoked by the next start even when that start comes after the session's end
// (but before the lease's): the reviewer's orders-rw case, with the role at 10 min here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Journal } from '../../main/core/sessions/index.ts';
import { useStack } from '../integration/support/stack.ts';
import { vaultRequest } from '../integration/support/vault.ts';
import { isAlive } from '../stack/processes.ts';
import { eventually, makeKeyfobUser, noSecretServiceReason, type KeyfobUser } from './support/keyfob.ts';
import { expectSuccess, readAudit, roleExists, SESSION_LINE, signIn } from './support/state.ts';

const skipped = noSecretServiceReason !== undefined;

describe.skipIf(skipped)(`a lease never outlives its session${skipped ? ` (skipped: ${noSecretServiceReason})` : ''}`, () => {
  const fixture = useStack({ databaseTtl: '10m', databaseMaxTtl: '30m' });
  let user: KeyfobUser;
  beforeAll(async () => {
    user = makeKeyfobUser(fixture.stack);
    await signIn(user);
  });
  afterAll(() => user?.dispose());

  it("shortens the lease to the session's TTL at issue; after a SIGKILL, a start past the session's end revokes it as crash-recovery", async () => {
    const info = fixture.stack.info;
    const exec = user.start(['exec', 'orders-ro', '--ttl', '2m', '--', 'sh', '-c', 'echo "role=$PGUSER"; exec sleep 120']);
    const [, role] = (await exec.waitForStdout(/role=(\S+)/)) as [string, string];
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    const leaseId = readAudit(user.home).find((e) => e.sessionId === id && e.action === 'issued')?.leaseId;
    expect(leaseId).toBeDefined();

    // On the server the lease now ends with the session (2 min), not with the role's 10 min.
    const lookup = await vaultRequest(info.vault.addr, info.vault.rootToken, 'PUT', 'sys/leases/lookup', { lease_id: leaseId });
    const ttl = z.object({ data: z.object({ ttl: z.number() }) }).parse(lookup.body).data.ttl;
    expect(ttl).toBeLessThanOrEqual(120);
    expect(ttl).toBeGreaterThan(60);

    process.kill(exec.pid, 'SIGKILL'); // keyfob only: no chance to revoke
    await eventually('the killed keyfob is gone', () => !isAlive(exec.pid));
    exec.kill();
    await exec.exited;
    expect(await roleExists(info, role), 'a crash leaves the role').toBe(true);

    // The next start comes after the session's end but before Vault's expiry of the lease
    // (the journal is moved on in time instead of waiting two minutes).
    // Through the journal's own reader and writer: the file is a snapshot plus appended changes.
    const journal = new Journal(user.home);
    const entry = (await journal.list()).find((e) => e.sessionId === id)!;
    expect(entry.leaseExpiresAt).toBeGreaterThan(Date.now());
    await journal.patch(id, { expiresAt: Date.now() - 1000 });

    const next = expectSuccess(await user.run(['status']), 'status after the crash');
    expect(next.stderr).toMatch(/revoked 1 credential\(s\) left by a keyfob process that is gone/);
    expect(await roleExists(info, role)).toBe(false);
    const ends = readAudit(user.home).filter((e) => e.sessionId === id && e.action !== 'issued');
    expect(ends).toEqual([expect.objectContaining({ action: 'revoked', reason: 'crash-recovery', leaseId })]);
  });
});
