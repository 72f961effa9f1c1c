// A lease never outlives its session, end to end: a session shorter than the Vault role's TTL
// gets its lease shortened on the server at issue, and a keyfob killed before the session ends
// has its lease revoked by the next start even when that start comes after the session's end
// (but before the lease's): the reviewer's orders-rw case, with the role at 10 min here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSessionToken, openSecretStore } from '../../main/core/keychain/index.ts';
import { Journal } from '../../main/core/sessions/index.ts';
import type { StackInfo } from '../stack/stack.ts';
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
    // Recovery ended it with the session's own token, read from the keychain, then forgot it.
    expect(entry.childAccessor).toBeDefined();
    expect(await sessionToken(info, entry.childAccessor!)).toBeNull();
    expect((await lookupAccessor(info, entry.childAccessor!)).status).toBe(400);
  });

  it("reads each session's lease with a child token of its own, kept in the keychain, never on disk", async () => {
    const info = fixture.stack.info;
    const exec = user.start(['exec', 'orders-ro', '--ttl', '2m', '--', 'sh', '-c', 'echo "role=$PGUSER"; exec sleep 120']);
    const [, role] = (await exec.waitForStdout(/role=(\S+)/)) as [string, string];
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    const entry = (await new Journal(user.home).list()).find((e) => e.sessionId === id)!;
    const accessor = entry.childAccessor!;
    expect(accessor).toBeDefined();

    const child = z
      .object({ data: z.object({ display_name: z.string(), ttl: z.number(), explicit_max_ttl: z.number(), policies: z.array(z.string()) }) })
      .parse((await lookupAccessor(info, accessor)).body).data;
    expect(child.display_name).toBe('token-keyfob-orders-ro');
    expect(child.ttl).toBeLessThanOrEqual(120);
    expect(child.ttl).toBeGreaterThan(60);
    expect(child.policies).toContain('engineer');
    const token = await sessionToken(info, accessor);
    expect(token).toMatch(/^hvs\./);
    for (const file of readdirSync(user.home, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) expect(readFileSync(join(file.parentPath, file.name), 'utf8'), file.name).not.toContain(token);
    }

    // Another process renews it: the lease and its token both get the new TTL.
    expectSuccess(await user.run(['renew', id, '--ttl', '4m']), `renew ${id}`);
    const renewed = z.object({ data: z.object({ ttl: z.number() }) }).parse((await lookupAccessor(info, accessor)).body).data.ttl;
    expect(renewed).toBeGreaterThan(180);

    // Another process ends it, with the token from the keychain: the role is gone, the token too.
    expectSuccess(await user.run(['revoke', id]), `revoke ${id}`);
    await eventually('the role is dropped', async () => !(await roleExists(info, role)));
    expect((await lookupAccessor(info, accessor)).status).toBe(400);
    expect(await sessionToken(info, accessor)).toBeNull();
    await exec.exited;
    expect(readAudit(user.home).filter((e) => e.sessionId === id && e.action === 'revoked')).toHaveLength(1);
  });

  it('has its lease revoked by Vault when the child token expires, after a SIGKILL, even when the lease itself would live on', async () => {
    const info = fixture.stack.info;
    const exec = user.start(['exec', 'orders-ro', '--ttl', '15s', '--', 'sh', '-c', 'echo "role=$PGUSER"; exec sleep 120']);
    const [, role] = (await exec.waitForStdout(/role=(\S+)/)) as [string, string];
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    const entry = (await new Journal(user.home).list()).find((e) => e.sessionId === id)!;
    process.kill(exec.pid, 'SIGKILL'); // keyfob only: no chance to revoke
    await eventually('the killed keyfob is gone', () => !isAlive(exec.pid));
    exec.kill();
    await exec.exited;
    // Someone stretches the lease to 10 minutes: only the session's token can still end it on time.
    const renew = await vaultRequest(info.vault.addr, info.vault.rootToken, 'PUT', 'sys/leases/renew', { lease_id: entry.leaseId, increment: 600 });
    expect(renew.status).toBe(200);
    expect(await roleExists(info, role)).toBe(true);

    await eventually('Vault drops the role when the session token expires', async () => !(await roleExists(info, role)), 40_000, 500);
    expect(Date.now()).toBeGreaterThanOrEqual(entry.issuedAt + 14_000);
    expect((await lookupAccessor(info, entry.childAccessor!)).status).toBe(400);
  }, 60_000);

  it('records a session whose token had already ended (revoked elsewhere) as revoked, saying so, and forgets the token', async () => {
    const info = fixture.stack.info;
    const exec = user.start(['exec', 'orders-ro', '--ttl', '2m', '--', 'sh', '-c', 'echo "role=$PGUSER"; exec sleep 120']);
    const [, role] = (await exec.waitForStdout(/role=(\S+)/)) as [string, string];
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    const accessor = (await new Journal(user.home).list()).find((e) => e.sessionId === id)!.childAccessor!;
    // An admin revokes the token (as logout's revoke of the sign-in would): Vault ends the lease with it.
    expect((await vaultRequest(info.vault.addr, info.vault.rootToken, 'POST', 'auth/token/revoke-accessor', { accessor })).status).toBe(204);
    expect(await roleExists(info, role)).toBe(false);

    expectSuccess(await user.run(['revoke', id]), `revoke ${id}`);
    await exec.exited;
    const ends = readAudit(user.home).filter((e) => e.sessionId === id && e.action !== 'issued');
    expect(ends).toEqual([
      expect.objectContaining({ action: 'revoked', detail: expect.stringMatching(/token had already ended, and Vault revoked its lease with it/) }),
    ]);
    expect(await sessionToken(info, accessor)).toBeNull();
  });

  it('keeps a session whose token is not in the keychain as revoke-failed: nothing claims a revocation Vault did not make', async () => {
    const info = fixture.stack.info;
    const exec = user.start(['exec', 'orders-ro', '--ttl', '2m', '--', 'sh', '-c', 'echo "role=$PGUSER"; exec sleep 120']);
    const [, role] = (await exec.waitForStdout(/role=(\S+)/)) as [string, string];
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    const entry = (await new Journal(user.home).list()).find((e) => e.sessionId === id)!;
    const store = await openSecretStore({ env: {} });
    expect(await store.delete(`session-token:${info.vault.addr}:${entry.childAccessor!}`)).toBe(true);

    const revoke = await user.run(['revoke', id]);
    expect(revoke.code).not.toBe(0);
    expect(revoke.stderr).toMatch(/could not revoke/);
    expect(await roleExists(info, role)).toBe(true);
    const kept = (await new Journal(user.home).list()).find((e) => e.sessionId === id);
    expect(kept).toMatchObject({ state: 'revoke-failed', lastError: expect.stringMatching(/not in this machine's keychain/) });
    expect(readAudit(user.home).filter((e) => e.sessionId === id && e.action === 'revoked')).toEqual([]);
    await exec.exited; // asked to end elsewhere: the command stops; the lease waits for its token's expiry
    expect(await roleExists(info, role)).toBe(true);
    // The token's end (here an admin revoking it; otherwise its expiry or the sign-in's logout) ends the lease.
    expect((await vaultRequest(info.vault.addr, info.vault.rootToken, 'POST', 'auth/token/revoke-accessor', { accessor: entry.childAccessor })).status).toBe(
      204,
    );
    expect(await roleExists(info, role)).toBe(false);
  });
});

async function lookupAccessor(info: StackInfo, accessor: string) {
  return vaultRequest(info.vault.addr, info.vault.rootToken, 'POST', 'auth/token/lookup-accessor', { accessor });
}

async function sessionToken(info: StackInfo, accessor: string): Promise<string | null> {
  const store = await openSecretStore({ env: {} });
  return loadSessionToken(store, info.vault.addr, accessor);
}
