// While a long `keyfob exec` runs, keyfob keeps the Vault sign-in alive on its own, also when the
// org's token TTL (9 s here) is shorter than the renewal window (the config default, 2 min):
// the token outlives its first expiry, nothing claims a max TTL that was not reached, and the
// session's credential is still revoked with a live token when the command exits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useStack } from '../integration/support/stack.ts';
import { vaultRequest } from '../integration/support/vault.ts';
import { makeKeyfobUser, noSecretServiceReason, type KeyfobUser } from './support/keyfob.ts';
import { expectSuccess, readStatus, storedVaultToken, vaultMadeRoles } from './support/state.ts';

const TOKEN_TTL_S = 9;
const COMMAND_S = 14;

const skipped = noSecretServiceReason ? ` (skipped: ${noSecretServiceReason})` : '';
const fixture = useStack({ tokenTtl: `${TOKEN_TTL_S}s`, tokenMaxTtl: '5m' });
let user: KeyfobUser;

beforeAll(() => {
  user = makeKeyfobUser(fixture.stack);
});
afterAll(() => user?.dispose());

describe.skipIf(noSecretServiceReason)(`Vault token renewal during a long exec${skipped}`, () => {
  it(`keeps a ${TOKEN_TTL_S} s token alive through a ${COMMAND_S} s command, quietly, and revokes with it at the end`, async () => {
    expectSuccess(await user.run(['login']), 'login');
    const firstExpiry = Date.parse((await readStatus(user)).identity.tokenExpiresAt!);

    const exec = expectSuccess(await user.run(['exec', 'orders-ro', '--', 'sleep', String(COMMAND_S)]), 'exec orders-ro -- sleep');
    expect(Date.now()).toBeGreaterThan(firstExpiry + 2000); // the command outlived the first token expiry
    // Only the session line: no false "maximum lifetime", no failed revocation.
    const said = exec.stderr.split('\n').filter((l) => l !== '');
    expect(said, exec.stderr).toHaveLength(1);
    expect(said[0]).toMatch(/^keyfob: session \w+: orders-ro until \d\d:\d\d/);

    // The sign-in is still good, per keyfob and per Vault.
    const status = await readStatus(user);
    expect(status.identity.signedIn).toBe(true);
    expect(Date.parse(status.identity.tokenExpiresAt!)).toBeGreaterThan(Date.now());
    const token = await storedVaultToken(fixture.stack.info);
    const self = await vaultRequest(fixture.stack.info.vault.addr, token, 'GET', 'auth/token/lookup-self');
    expect(self.status, self.text).toBe(200);
    expect(z.object({ data: z.object({ ttl: z.number() }) }).parse(self.body).data.ttl).toBeGreaterThan(0);

    expect(await vaultMadeRoles(fixture.stack.info)).toEqual([]);
  });
});
