// The IdP refresh token (issue 6, low list): an `oidc` sign-in whose Vault token ran out is
// renewed without a browser at the next use; logout revokes the refresh token at the IdP, and a
// refresh token the IdP refuses is forgotten. In process, against the stack's oidc-provider and
// Vault-compatible server, with the engine's FakeClock standing in for a night's sleep.
import { describe, expect, it } from 'vitest';
import type { SignInView } from '../../common/views.ts';
import { RefreshRefused, refreshOidc, revokeOidcRefreshToken } from '../../main/core/auth/oidcPkce.ts';
import { loadSsoMaterial, loadVaultToken, saveVaultToken, type SecretStore } from '../../main/core/keychain/index.ts';
import { useStack } from '../integration/support/stack.ts';
import { engineMachines } from './support/machine.ts';

const fixture = useStack();
const machine = engineMachines(fixture);

const oidcSettings = () => ({ issuer: fixture.stack.info.oidc.issuer, clientId: fixture.stack.info.oidc.keyfobClientId });
const vaultAddress = () => fixture.stack.info.vault.addr;

/** The stored refresh token of the stack's `oidc` settings, or null. */
async function refreshTokenIn(store: SecretStore): Promise<string | null> {
  const material = await loadSsoMaterial(store, 'oidc', oidcSettings().issuer);
  return typeof material?.refreshToken === 'string' ? material.refreshToken : null;
}

/** Overnight: the stored Vault token's expiry is behind the machine's clock. */
async function letSignInExpire(m: ReturnType<typeof machine>): Promise<void> {
  const token = await loadVaultToken(m.store, vaultAddress());
  expect(token).not.toBeNull();
  await saveVaultToken(m.store, vaultAddress(), { ...token!, expiresAt: new Date(m.clock.now() - 60_000).toISOString() });
}

describe('the IdP refresh token', () => {
  it('signs an expired oidc sign-in in again at the next use, without a browser', async () => {
    const m = machine();
    const first = await m.open();
    await first.login('oidc');
    expect(m.browserOpened).toHaveLength(1);
    const refreshToken = await refreshTokenIn(m.store);
    expect(refreshToken).toEqual(expect.any(String));
    await first.dispose();

    await letSignInExpire(m);
    const engine = await m.open();
    expect(engine.signIn().signedIn).toBe(false);
    const signedIn = new Promise<SignInView>((resolve) => engine.onDidSignIn(resolve));

    const issued = await engine.issue('orders-ro');
    expect(issued.session.target).toBe('orders-ro');
    expect(m.browserOpened).toHaveLength(1);
    expect(await signedIn).toMatchObject({ signedIn: true, method: 'oidc', name: expect.stringContaining('alice') });
    expect((await engine.status()).identity).toMatchObject({ signedIn: true, method: 'oidc' });
    // The provider rotates refresh tokens: the new one is stored, and it still works.
    const rotated = await refreshTokenIn(m.store);
    expect(rotated).not.toBe(refreshToken);
    await expect(refreshOidc(oidcSettings(), rotated!)).resolves.toMatchObject({ subject: expect.any(String) });
  });

  it('logout revokes the refresh token at the IdP and forgets it here', async () => {
    const m = machine();
    const engine = await m.open();
    await engine.login('oidc');
    const refreshToken = await refreshTokenIn(m.store);
    expect(refreshToken).not.toBeNull();

    const problems: string[] = [];
    engine.onDidReportProblem((p) => problems.push(p.message));
    await engine.logout();
    expect(problems).toEqual([]);
    expect(await refreshTokenIn(m.store)).toBeNull();
    await expect(refreshOidc(oidcSettings(), refreshToken!)).rejects.toBeInstanceOf(RefreshRefused);
    await expect(engine.issue('orders-ro')).rejects.toMatchObject({ code: 'not-signed-in' });
    expect(m.browserOpened).toHaveLength(1);
  });

  it('a refresh token the IdP refuses is forgotten, and the person is asked to sign in', async () => {
    const m = machine();
    const first = await m.open();
    await first.login('oidc');
    await first.dispose();
    const refreshToken = await refreshTokenIn(m.store);
    expect(await revokeOidcRefreshToken(oidcSettings(), refreshToken!)).toBe(true);

    await letSignInExpire(m);
    const engine = await m.open();
    await expect(engine.issue('orders-ro')).rejects.toMatchObject({ code: 'not-signed-in', message: expect.stringContaining('keyfob login') });
    expect(await refreshTokenIn(m.store)).toBeNull();
    expect(m.browserOpened).toHaveLength(1);
  });

  it('a vault-oidc sign-in retires the refresh token of an earlier oidc one', async () => {
    const m = machine();
    const engine = await m.open();
    await engine.login('oidc');
    const refreshToken = await refreshTokenIn(m.store);
    await engine.login('vault-oidc');
    expect(await refreshTokenIn(m.store)).toBeNull();
    await expect(refreshOidc(oidcSettings(), refreshToken!)).rejects.toBeInstanceOf(RefreshRefused);
  });
});
