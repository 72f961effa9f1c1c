// Vault's JWT auth method with keys other than OIDC discovery (static PEM keys, a JWKS URL) and
// the role rules a Vault admin relies on: bound claims, claim mappings, audiences, expiry.
import { generateKeyPairSync } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { startVaultServer } from '../stack/vault/server.ts';
import type { VaultServer } from '../stack/vault/server.ts';
import { authBackends } from '../stack/vault/auth/index.ts';

const ISSUER = 'https://ci.example.test';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

let vault: VaultServer;
/** Serves the CI issuer's public key as a JWKS, as an external issuer would. */
let jwksServer: http.Server;
let jwksUrl: string;

async function call(method: string, path: string, body?: unknown, token: string | undefined = vault.rootToken) {
  const res = await fetch(`${vault.addr}/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-vault-token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as { errors?: string[]; data?: Record<string, unknown>; auth?: Record<string, unknown> } };
}

function sign(claims: JWTPayload, opts: { key?: typeof privateKey; expiresIn?: string | number } = {}): Promise<string> {
  return new SignJWT({ iss: ISSUER, sub: 'repo:orders', ...claims })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '5m')
    .sign(opts.key ?? privateKey);
}

const login = (jwt: string, role?: string) => call('POST', 'auth/ci/login', { jwt, ...(role ? { role } : {}) }, undefined);

beforeAll(async () => {
  vault = await startVaultServer({ backends: authBackends });
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'ci-1', use: 'sig', alg: 'RS256' }] });
  jwksServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  expect((await call('POST', 'sys/auth/ci', { type: 'jwt' })).status).toBe(204);
  const config = await call('POST', 'auth/ci/config', {
    jwt_validation_pubkeys: [publicKey.export({ format: 'pem', type: 'spki' }).toString()],
    bound_issuer: ISSUER,
    default_role: 'deploy',
  });
  expect(config.status).toBe(204);
  expect(
    (
      await call('POST', 'auth/ci/role/deploy', {
        role_type: 'jwt',
        user_claim: 'sub',
        bound_audiences: 'vault',
        bound_claims_type: 'glob',
        bound_claims: { ref: ['refs/heads/main', 'refs/tags/v*'] },
        claim_mappings: { ref: 'git_ref', run: 'run_id' },
        groups_claim: 'teams',
        policies: 'deployer,reader',
        ttl: '15m',
      })
    ).status,
  ).toBe(204);
  expect((await call('POST', 'auth/ci/role/no-aud', { role_type: 'jwt', user_claim: 'sub', bound_subject: 'repo:orders' })).status).toBe(204);
});

afterAll(async () => {
  await vault?.stop();
  jwksServer?.close();
});

describe('JWT auth with static keys', () => {
  it('logs in a CI job and maps its claims into token metadata', async () => {
    const ok = await login(await sign({ aud: 'vault', ref: 'refs/tags/v1.2.0', run: 42, teams: ['platform'] }));
    expect(ok.status).toBe(200);
    expect(ok.body.auth).toMatchObject({
      policies: ['default', 'deployer', 'reader'],
      metadata: { role: 'deploy', git_ref: 'refs/tags/v1.2.0', run_id: '42' },
      lease_duration: 900,
    });
    const self = await call('GET', 'auth/token/lookup-self', undefined, String(ok.body.auth?.['client_token']));
    expect(self.body.data?.['display_name']).toBe('ci-repo:orders');
  });

  it('refuses tokens outside the role with Vault’s messages', async () => {
    const errorOf = async (jwt: Promise<string>, role?: string) => (await login(await jwt, role)).body.errors?.[0];
    expect(await errorOf(sign({ aud: 'vault', ref: 'refs/heads/feature', teams: [] }))).toBe(
      'error validating claims: claim "ref" does not match any associated bound claim values',
    );
    expect(await errorOf(sign({ aud: 'vault', teams: [] }))).toBe('error validating claims: claim "ref" is missing');
    expect(await errorOf(sign({ aud: 'vault', ref: 'refs/heads/main', teams: { a: 1 } }))).toBe('"teams" claim could not be converted to string list');
    expect(await errorOf(sign({ aud: 'vault', ref: 'refs/heads/main' }))).toBe('"teams" claim not found in token');
    expect(await errorOf(sign({ aud: 'elsewhere', ref: 'refs/heads/main', teams: [] }))).toMatch(/^error validating token: .*"aud"/);
    expect(await errorOf(sign({ aud: 'vault', ref: 'refs/heads/main', teams: [] }, { key: other.privateKey }))).toMatch(/^error validating token: /);
    expect(await errorOf(sign({ aud: 'vault', ref: 'refs/heads/main', teams: [] }, { expiresIn: Math.floor(Date.now() / 1000) - 600 }))).toMatch(
      /^error validating token: .*exp/,
    );
    // A list audience with no bound audiences on the role: Vault refuses rather than ignoring it.
    expect(await errorOf(sign({ aud: ['vault', 'other'] }), 'no-aud')).toBe('audience claim found in JWT but no audiences bound to the role');
    expect((await login(await sign({}), 'no-aud')).status).toBe(200);
    expect(await errorOf(sign({ sub: 'repo:payments' }), 'no-aud')).toMatch(/^error validating token: .*"sub"/);
  });

  it('reads, lists and deletes roles like Vault', async () => {
    const role = await call('GET', 'auth/ci/role/deploy');
    expect(role.body.data).toMatchObject({
      role_type: 'jwt',
      bound_audiences: ['vault'],
      token_policies: ['deployer', 'reader'],
      token_ttl: 900,
      user_claim: 'sub',
      bound_claims: { ref: ['refs/heads/main', 'refs/tags/v*'] },
      claim_mappings: { ref: 'git_ref', run: 'run_id' },
    });
    expect((await call('LIST', 'auth/ci/role')).body.data).toEqual({ keys: ['deploy', 'no-aud'] });
    expect((await call('POST', 'auth/ci/role/temp', { role_type: 'jwt', user_claim: 'sub' })).body.errors).toEqual([
      'must have at least one bound constraint when creating/updating a role',
    ]);
    expect(
      (await call('POST', 'auth/ci/role/temp', { role_type: 'jwt', user_claim: 'sub', bound_subject: 'x', claim_mappings: { a: 'role' } })).body.errors,
    ).toEqual(['metadata key "role" is reserved and may not be a mapping destination']);
    expect((await call('POST', 'auth/ci/role/temp', { role_type: 'jwt', user_claim: 'sub', bound_subject: 'x' })).status).toBe(204);
    expect((await call('DELETE', 'auth/ci/role/temp')).status).toBe(204);
    expect((await call('GET', 'auth/ci/role/temp')).status).toBe(404);
    expect((await call('POST', 'auth/ci/config', {})).body.errors).toEqual([
      "exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set",
    ]);
  });
});

describe('JWT auth with a JWKS URL', () => {
  it('verifies tokens against the keys the URL serves', async () => {
    expect((await call('POST', 'sys/auth/jwks', { type: 'jwt' })).status).toBe(204);
    expect((await call('POST', 'auth/jwks/config', { jwks_url: 'http://127.0.0.1:1/jwks' })).body.errors?.[0]).toMatch(/^error checking jwks URL: /);
    expect((await call('POST', 'auth/jwks/config', { jwks_url: jwksUrl, bound_issuer: ISSUER })).status).toBe(204);
    expect(
      (await call('POST', 'auth/jwks/role/any', { role_type: 'jwt', user_claim: 'sub', bound_subject: 'repo:orders', token_policies: 'reader' })).status,
    ).toBe(204);
    const ok = await call('POST', 'auth/jwks/login', { role: 'any', jwt: await sign({}) }, undefined);
    expect(ok.status).toBe(200);
    expect(ok.body.auth?.['policies']).toEqual(['default', 'reader']);
    // Signed by a key the JWKS does not have.
    const foreign = await call('POST', 'auth/jwks/login', { role: 'any', jwt: await sign({}, { key: other.privateKey }) }, undefined);
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors?.[0]).toMatch(/^error validating token: /);
    const wrongIssuer = await call('POST', 'auth/jwks/login', { role: 'any', jwt: await sign({ iss: 'https://elsewhere.test' }) }, undefined);
    expect(wrongIssuer.body.errors?.[0]).toMatch(/^error validating token: .*"iss"/);
  });
});
