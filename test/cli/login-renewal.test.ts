// The Vault sign-in stays alive between commands: a command run inside the renewal window
// (config sessions.renewBefore) renews the token (renew-self), one run outside it does not, and
// when Vault caps the renewal at the token's max TTL the user is told to sign in again, before
// the sign-in ends. The stack's engineer tokens live 12 s (max 24 s) so all of this is watchable.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { useStack } from '../integration/support/stack.ts';
import { vaultRequest } from '../integration/support/vault.ts';
import { makeKeyfobUser, noSecretServiceReason, type KeyfobUser } from './support/keyfob.ts';
import { expectSuccess, readStatus, storedVaultToken } from './support/state.ts';

const TOKEN_TTL_S = 12;
const TOKEN_MAX_TTL_S = 24;
const RENEW_BEFORE_S = 6;

const skipped = noSecretServiceReason ? ` (skipped: ${noSecretServiceReason})` : '';
const fixture = useStack({ tokenTtl: `${TOKEN_TTL_S}s`, tokenMaxTtl: `${TOKEN_MAX_TTL_S}s` });
let scratch: string;
let user: KeyfobUser;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keyfob-renewal-test-'));
  // The stack's config with a renewal window shorter than the token's TTL, so a command can run
  // both outside and inside it.
  const config = parse(readFileSync(fixture.stack.configFile, 'utf8')) as { sessions: Record<string, unknown> };
  config.sessions.renewBefore = `${RENEW_BEFORE_S}s`;
  const configFile = join(scratch, 'config.yaml');
  writeFileSync(configFile, stringify(config), { mode: 0o600 });
  user = makeKeyfobUser(fixture.stack, { env: { KEYFOB_CONFIG: configFile } });
});
afterAll(() => {
  user?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function tokenExpiry(): Promise<number> {
  const status = await readStatus(user);
  expect(status.identity.signedIn, 'signed in').toBe(true);
  return Date.parse(status.identity.tokenExpiresAt!);
}

/** When Vault itself says the stored token expires (lookup-self with that token). */
async function vaultSideExpiry(): Promise<number> {
  const token = await storedVaultToken(fixture.stack.info);
  const reply = await vaultRequest(fixture.stack.info.vault.addr, token, 'GET', 'auth/token/lookup-self');
  expect(reply.status, reply.text).toBe(200);
  return Date.parse(z.object({ data: z.object({ expire_time: z.string() }) }).parse(reply.body).data.expire_time);
}

const sleepUntil = async (at: number) => sleep(Math.max(0, at - Date.now()));

// `revoke --all` with no sessions: a cheap command that needs the sign-in (and so renews it).
const touch = () => user.run(['revoke', '--all']);

describe.skipIf(noSecretServiceReason)(`Vault token renewal between commands${skipped}`, () => {
  it('renews inside the window, not outside it, and says to sign in again when Vault caps it at the max TTL', async () => {
    expectSuccess(await user.run(['login']), 'login');
    const e0 = await tokenExpiry();
    expect(e0 - Date.now()).toBeGreaterThan((RENEW_BEFORE_S + 1) * 1000); // room to be outside the window

    // Outside the window: nothing to do, the expiry stays.
    const outside = expectSuccess(await touch(), 'a command outside the renewal window');
    expect(outside.stderr).toBe('');
    expect(await tokenExpiry()).toBe(e0);

    // Inside the window (4 s left of 6): renewed for a full TTL; keyfob and Vault agree.
    await sleepUntil(e0 - 4000);
    const inside = expectSuccess(await touch(), 'a command inside the renewal window');
    expect(inside.stderr, 'a renewal with room left is silent').toBe('');
    const e1 = await tokenExpiry();
    expect(e1 - e0).toBeGreaterThan(3000);
    expect(Math.abs((await vaultSideExpiry()) - e1)).toBeLessThan(2000);

    // Inside the window again, but a full TTL would pass the max: Vault caps it, keyfob says so.
    await sleepUntil(e1 - 4000);
    const capped = expectSuccess(await touch(), 'a command when the renewal is capped');
    expect(capped.stderr).toMatch(/^keyfob: your Vault sign-in reached its maximum lifetime and ends at \d\d:\d\d; run keyfob login before then\n$/);
    const e2 = await tokenExpiry();
    const loginAt = e0 - TOKEN_TTL_S * 1000;
    expect(Math.abs(e2 - (loginAt + TOKEN_MAX_TTL_S * 1000))).toBeLessThan(2000);
    expect(e2 - Date.now()).toBeLessThan(TOKEN_TTL_S * 1000); // less than a full TTL was granted
    expect(Math.abs((await vaultSideExpiry()) - e2)).toBeLessThan(2000);

    // Past the max: the next command says to sign in, and status says signed out.
    await sleepUntil(e2 + 1000);
    const after = await touch();
    expect(after.code).toBe(1);
    expect(after.stderr).toBe('keyfob: you are not signed in to Vault (or your sign-in expired); run keyfob login\n');
    expect((await readStatus(user)).identity.signedIn).toBe(false);
  });
});
