// Where keyfob keeps its sign-in. With a Secret Service (gnome-keyring under `npm test`'s private
// D-Bus session) the Vault token (with accessor and expiry) and SSO material go there and nothing
// else; `logout` deletes them and revokes the token. Without one, keyfob says it keeps tokens in
// memory only. Entries are looked at with `secret-tool`, as a user would.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useStack } from '../integration/support/stack.ts';
import { vaultRequest } from '../integration/support/vault.ts';
import { makeKeyfobUser, noSecretServiceReason, type KeyfobUser } from './support/keyfob.ts';
import { expectSuccess, readStatus } from './support/state.ts';

const run = promisify(execFile);
const fixture = useStack();
let user: KeyfobUser;

beforeAll(() => {
  user = makeKeyfobUser(fixture.stack);
});
afterAll(() => user?.dispose());

const secretToolMissing = async () =>
  run('sh', ['-c', 'command -v secret-tool']).then(
    () => undefined,
    () => 'secret-tool (libsecret-tools) is not installed',
  );
const skipReason = noSecretServiceReason ?? (await secretToolMissing());

/** The secret keyfob keeps under `username` (service "keyfob"), or null when there is none. */
async function keychainValue(username: string): Promise<string | null> {
  try {
    const { stdout } = await run('secret-tool', ['lookup', 'service', 'keyfob', 'username', username]);
    return stdout;
  } catch {
    return null; // secret-tool exits 1 when nothing matches
  }
}

/** The usernames of keyfob's entries that belong to this file's stack (other files run their own). */
async function ourEntries(): Promise<string[]> {
  // secret-tool prints the secrets on stdout and the attributes on stderr.
  const { stderr } = await run('secret-tool', ['search', '--all', 'service', 'keyfob']).catch(() => ({ stderr: '' }));
  const info = fixture.stack.info;
  const ours = [info.vault.addr, info.oidc.issuer, `${info.awsSso.startUrl}@${info.awsSso.region}`];
  return [...stderr.matchAll(/^attribute\.username = (.*)$/gm)]
    .map((m) => m[1]!)
    .filter((name) => ours.some((url) => name.endsWith(url)))
    .sort();
}

const storedToken = z.object({
  token: z.string(),
  accessor: z.string(),
  expiresAt: z.string(),
  renewable: z.boolean(),
  displayName: z.string(),
  method: z.string(),
});

const lookupSelf = (token: string) => vaultRequest(fixture.stack.info.vault.addr, token, 'GET', 'auth/token/lookup-self');

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe.skipIf(skipReason)(`with a Secret Service${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('login keeps the Vault token, with its accessor and expiry, in the Secret Service; status says OS keychain', async () => {
    expectSuccess(await user.run(['login', '--method', 'vault-oidc']), 'login');
    const raw = await keychainValue(fixture.stack.info.vault.addr);
    expect(raw, 'a keychain entry for this Vault').not.toBeNull();
    const stored = storedToken.parse(JSON.parse(raw!));
    expect(stored).toMatchObject({ renewable: true, displayName: 'oidc-alice@example.com', method: 'vault-oidc' });

    // It is the live token Vault issued, and the accessor and expiry are Vault's.
    const self = await lookupSelf(stored.token);
    expect(self.status, self.text).toBe(200);
    const data = z.object({ data: z.object({ accessor: z.string(), expire_time: z.string(), display_name: z.string() }) }).parse(self.body).data;
    expect(stored.accessor).toBe(data.accessor);
    expect(Math.abs(Date.parse(stored.expiresAt) - Date.parse(data.expire_time))).toBeLessThan(2000);

    const status = await readStatus(user);
    expect(status.keychain).toEqual({ kind: 'os-keychain', note: null });
    expect((await user.run(['status'])).stdout).toContain('Keychain: OS keychain');

    // The keychain is the only place it is kept.
    for (const file of filesUnder(user.home)) expect(readFileSync(file, 'utf8'), file).not.toContain(stored.token);
  });

  it('holds only the Vault token and SSO material: no issued credential goes there', async () => {
    expectSuccess(await user.run(['login', '--method', 'oidc']), 'login --method oidc');
    expectSuccess(await user.run(['login', '--method', 'aws-sso']), 'login --method aws-sso');
    const info = fixture.stack.info;
    expect(await ourEntries()).toEqual([`sso:aws-sso:${info.awsSso.startUrl}@${info.awsSso.region}`, `sso:oidc:${info.oidc.issuer}`, info.vault.addr].sort());

    const exec = expectSuccess(await user.run(['exec', 'aws-sso-dev', '--', 'env']), 'exec aws-sso-dev -- env');
    const secret = /^AWS_SECRET_ACCESS_KEY=(.+)$/m.exec(exec.stdout)?.[1];
    expect(secret).toBeTruthy();
    expect(await ourEntries()).toHaveLength(3);
    for (const name of await ourEntries()) expect(await keychainValue(name)).not.toContain(secret!);
  });

  it('an oidc sign-in whose Vault token is unusable: the next command signs in again with the IdP refresh token, no browser', async () => {
    const addr = fixture.stack.info.vault.addr;
    expect(await keychainValue(`sso:oidc:${fixture.stack.info.oidc.issuer}`)).toMatch(/\S/); // from the oidc login above
    await run('sh', ['-c', 'printf %s "not json" | secret-tool store --label=garbage service keyfob username "$1"', 'sh', addr]);
    expect((await readStatus(user)).identity.signedIn).toBe(false);
    // A browser that fails: the sign-in must not need one.
    expectSuccess(await user.run(['exec', 'orders-ro', '--', 'true'], { env: { BROWSER: 'false' } }), 'exec after the Vault token broke');
    expect((await readStatus(user)).identity).toMatchObject({ signedIn: true, method: 'oidc' });
    expect(storedToken.safeParse(JSON.parse((await keychainValue(addr))!)).success).toBe(true);
  });

  it('a keychain entry that is not keyfob JSON counts as signed out (no refresh token), and login replaces it', async () => {
    const addr = fixture.stack.info.vault.addr;
    await run('secret-tool', ['clear', 'service', 'keyfob', 'username', `sso:oidc:${fixture.stack.info.oidc.issuer}`]);
    await run('sh', ['-c', 'printf %s "not json" | secret-tool store --label=garbage service keyfob username "$1"', 'sh', addr]);
    expect((await readStatus(user)).identity.signedIn).toBe(false);
    const refused = await user.run(['revoke', '--all']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('run keyfob login');

    expectSuccess(await user.run(['login']), 'login');
    expect((await readStatus(user)).identity.signedIn).toBe(true);
    expect(storedToken.safeParse(JSON.parse((await keychainValue(addr))!)).success).toBe(true);
  });

  it('a stored token Vault has revoked: the next command says to sign in again', async () => {
    const stored = storedToken.parse(JSON.parse((await keychainValue(fixture.stack.info.vault.addr))!));
    const revoke = await vaultRequest(fixture.stack.info.vault.addr, fixture.stack.info.vault.rootToken, 'POST', 'auth/token/revoke-accessor', {
      accessor: stored.accessor,
    });
    expect(revoke.status, revoke.text).toBe(204);
    const result = await user.run(['exec', 'orders-ro', '--', 'true']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('keyfob: Vault says your sign-in has expired or was revoked; run keyfob login\n');
    expectSuccess(await user.run(['login']), 'login again');
  });

  it('logout deletes the keychain entries and revokes the token (Vault answers 403 to it)', async () => {
    expectSuccess(await user.run(['login', '--method', 'aws-sso']), 'login --method aws-sso');
    const before = storedToken.parse(JSON.parse((await keychainValue(fixture.stack.info.vault.addr))!));
    expect((await lookupSelf(before.token)).status).toBe(200);

    const out = expectSuccess(await user.run(['logout']), 'logout');
    expect(out.stdout).toContain('Signed out; tokens forgotten.');
    expect(await ourEntries()).toEqual([]);
    expect(await keychainValue(fixture.stack.info.vault.addr)).toBeNull();
    const after = await lookupSelf(before.token);
    expect(after.status).toBe(403);

    const status = await readStatus(user);
    expect(status.identity.signedIn).toBe(false);
    expect(status.awsSso?.signedIn).toBe(false);
  });

  it('a sign-in made without the Secret Service never reaches it', async () => {
    const result = expectSuccess(await user.run(['login'], { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' } }), 'login without a bus');
    expect(result.stderr).toContain('tokens are kept in memory only');
    expect(await keychainValue(fixture.stack.info.vault.addr)).toBeNull();
    expect((await readStatus(user)).identity.signedIn).toBe(false);
  });
});

describe('without a Secret Service', () => {
  const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };

  it('status says tokens are kept in memory only, and why', async () => {
    const text = expectSuccess(await user.run(['status'], { env: noBus }), 'status');
    expect(text.stdout).toMatch(/^Keychain: tokens are kept in memory only: no Secret Service \(D-Bus is not reachable: .+\)$/m);
    const json = expectSuccess(await user.run(['status', '--json'], { env: noBus }), 'status --json');
    const view = z.object({ keychain: z.object({ kind: z.string(), note: z.string().nullable() }) }).parse(JSON.parse(json.stdout));
    expect(view.keychain.kind).toBe('memory');
    expect(view.keychain.note).toMatch(/^tokens are kept in memory only: no Secret Service/);
  });

  it('with no session bus at all, the reason says so', async () => {
    const text = expectSuccess(await user.run(['status'], { env: { DBUS_SESSION_BUS_ADDRESS: undefined } }), 'status');
    expect(text.stdout).toContain('Keychain: tokens are kept in memory only: no Secret Service (no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set)');
  });

  it('KEYFOB_SECRET_STORE=memory says it was asked for', async () => {
    const text = expectSuccess(await user.run(['status'], { env: { KEYFOB_SECRET_STORE: 'memory' } }), 'status');
    expect(text.stdout).toContain('Keychain: tokens are kept in memory only: KEYFOB_SECRET_STORE=memory is set');
  });

  it('login works, says the sign-in ends with the command, and the next command is not signed in', async () => {
    const login = expectSuccess(await user.run(['login', '--method', 'oidc'], { env: noBus }), 'login');
    expect(login.stdout).toMatch(/^Signed in as jwt-alice@example\.com/m);
    expect(login.stderr).toMatch(/^keyfob: tokens are kept in memory only: no Secret Service \(.+\); this sign-in ends with this command$/m);
    const next = await user.run(['revoke', '--all'], { env: noBus });
    expect(next.code).toBe(1);
    expect(next.stderr).toBe('keyfob: you are not signed in to Vault (or your sign-in expired); run keyfob login\n');
  });
});
