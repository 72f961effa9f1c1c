// Vault's OIDC and JWT auth methods on the stack's Vault-compatible server, against the stack's
// OpenID Provider, over HTTP: the `vault login -method=oidc` flow (auth_url, browser, loopback
// callback, callback exchange) and JWT login with an ID token Keyfob got itself.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startOidcProvider } from '../stack/oidc/provider.ts';
import type { OidcProviderHandle } from '../stack/oidc/provider.ts';
import { completeLogin } from '../stack/oidc/formAgent.ts';
import { startVaultServer } from '../stack/vault/server.ts';
import type { VaultServer } from '../stack/vault/server.ts';
import { JwtAuthBackend, OIDC_STATE_TTL_MS } from '../stack/vault/auth/index.ts';

let idp: OidcProviderHandle;
let vault: VaultServer;
let clockOffset = 0; // lets a test jump past the 10-minute OIDC state expiry
const now = () => Date.now() + clockOffset;

interface VaultReply {
  status: number;
  body: { errors?: string[]; data?: Record<string, unknown> | null; auth?: Record<string, unknown> | null } & Record<string, unknown>;
}

async function call(method: string, path: string, opts: { body?: unknown; token?: string; query?: Record<string, string> } = {}): Promise<VaultReply> {
  const url = new URL(`${vault.addr}/v1/${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = opts.token === undefined ? vault.rootToken : opts.token;
  if (token) headers['x-vault-token'] = token;
  const res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

function password(name: string): string {
  return idp.users.find((u) => u.name === name)!.password;
}

/** The CLI's local listener (cli.go): receives the browser's redirect on /oidc/callback. */
async function cliListener(): Promise<{ redirectUri: string; callback: Promise<URL>; close(): void }> {
  let deliver!: (u: URL) => void;
  const callback = new Promise<URL>((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.writeHead(url.pathname === '/oidc/callback' ? 200 : 404, { 'content-type': 'text/html' }).end('<p>Vault login: return to your terminal.</p>');
    if (url.pathname === '/oidc/callback') deliver(url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc/callback`, callback, close: () => server.close() };
}

/** Steps 1–7 of the CLI flow; returns what the listener received plus the client nonce. */
async function browserLogin(opts: { user?: string; role?: string; consent?: 'approve' | 'deny' } = {}) {
  const listener = await cliListener();
  try {
    const clientNonce = randomBytes(15).toString('base64url');
    const started = await call('POST', 'auth/oidc/oidc/auth_url', {
      token: '',
      body: { role: opts.role ?? 'engineer', redirect_uri: listener.redirectUri, client_nonce: clientNonce },
    });
    expect(started.status).toBe(200);
    const authUrl = String(started.body.data?.['auth_url']);
    expect(authUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    const user = opts.user ?? 'alice';
    await completeLogin(authUrl, { user, password: password(user), consent: opts.consent ?? 'approve' });
    const received = await listener.callback;
    return { clientNonce, received, authUrl: new URL(authUrl) };
  } finally {
    listener.close();
  }
}

function finishLogin(received: URL, clientNonce: string, overrides: Record<string, string> = {}) {
  return call('GET', 'auth/oidc/oidc/callback', {
    token: '',
    query: {
      state: received.searchParams.get('state') ?? '',
      code: received.searchParams.get('code') ?? '',
      id_token: '',
      client_nonce: clientNonce,
      ...overrides,
    },
  });
}

beforeAll(async () => {
  idp = await startOidcProvider();
  vault = await startVaultServer({
    backends: {
      jwt: () => new JwtAuthBackend({ type: 'jwt', now }),
      oidc: () => new JwtAuthBackend({ type: 'oidc', now }),
    },
  });
  for (const type of ['oidc', 'jwt']) expect((await call('POST', `sys/auth/${type}`, { body: { type } })).status).toBe(204);
  await call('PUT', 'sys/policies/acl/engineer', { body: { policy: 'path "secret/*" { capabilities = ["read"] }' } });

  const oidcConfig = await call('POST', 'auth/oidc/config', {
    body: { oidc_discovery_url: idp.issuer, oidc_client_id: idp.vaultClientId, oidc_client_secret: idp.vaultClientSecret, default_role: 'engineer' },
  });
  expect(oidcConfig.status).toBe(204);
  const role = {
    role_type: 'oidc',
    user_claim: 'email',
    groups_claim: 'groups',
    oidc_scopes: 'email,profile,groups',
    allowed_redirect_uris: ['http://localhost:8250/oidc/callback', 'http://127.0.0.1:8250/oidc/callback'],
    claim_mappings: { name: 'full_name' },
    token_policies: ['engineer'],
    token_ttl: '1h',
    token_max_ttl: '8h',
  };
  expect((await call('POST', 'auth/oidc/role/engineer', { body: role })).status).toBe(204);
  expect((await call('POST', 'auth/oidc/role/oncall', { body: { ...role, bound_claims: { groups: ['oncall'] }, token_policies: ['oncall'] } })).status).toBe(
    204,
  );

  expect((await call('POST', 'auth/jwt/config', { body: { oidc_discovery_url: idp.issuer, default_role: 'engineer' } })).status).toBe(204);
  const jwtRole = { role_type: 'jwt', bound_audiences: [idp.keyfobClientId], user_claim: 'email', groups_claim: 'groups', token_policies: 'engineer' };
  expect((await call('POST', 'auth/jwt/role/engineer', { body: jwtRole })).status).toBe(204);
});

afterAll(async () => {
  await vault?.stop();
  await idp?.stop();
});

describe('Vault OIDC auth method (vault login -method=oidc)', () => {
  it('logs alice in through the browser and issues a token with the engineer policy', async () => {
    const { clientNonce, received, authUrl } = await browserLogin();
    expect(authUrl.searchParams.get('client_id')).toBe(idp.vaultClientId);
    expect(authUrl.searchParams.get('scope')).toBe('openid email profile groups');
    expect(authUrl.searchParams.get('nonce')).toBeTruthy();

    const done = await finishLogin(received, clientNonce);
    expect(done.status).toBe(200);
    const auth = done.body.auth!;
    expect(auth['policies']).toEqual(['default', 'engineer']);
    expect(auth['metadata']).toEqual({ role: 'engineer', full_name: 'Alice Example' });
    expect(auth['renewable']).toBe(true);
    expect(auth['lease_duration']).toBe(3600);

    const self = await call('GET', 'auth/token/lookup-self', { token: String(auth['client_token']) });
    expect(self.status).toBe(200);
    expect(self.body.data).toMatchObject({ display_name: 'oidc-alice@example.com', policies: ['default', 'engineer'], meta: { role: 'engineer' } });

    // The state is single-use: replaying the same callback fails.
    const replay = await finishLogin(received, clientNonce);
    expect(replay.status).toBe(400);
    expect(replay.body.errors).toEqual(['Vault login failed. Expired or missing OAuth state.']);
  });

  it('refuses a tampered state, and a wrong client_nonce (which still uses up the state)', async () => {
    const { clientNonce, received } = await browserLogin();
    const tampered = await finishLogin(received, clientNonce, { state: `${received.searchParams.get('state')}x` });
    expect(tampered.status).toBe(400);
    expect(tampered.body.errors).toEqual(['Vault login failed. Expired or missing OAuth state.']);

    const wrongNonce = await finishLogin(received, 'not-the-nonce');
    expect(wrongNonce.body.errors).toEqual(['invalid client_nonce']);
    expect((await finishLogin(received, clientNonce)).body.errors).toEqual(['Vault login failed. Expired or missing OAuth state.']);
  });

  it('expires pending logins after ten minutes', async () => {
    const { clientNonce, received } = await browserLogin();
    clockOffset = OIDC_STATE_TTL_MS + 1000;
    try {
      const late = await finishLogin(received, clientNonce);
      expect(late.body.errors).toEqual(['Vault login failed. Expired or missing OAuth state.']);
    } finally {
      clockOffset = 0;
    }
  });

  it('reports a denied consent as a login without a code', async () => {
    const { clientNonce, received } = await browserLogin({ consent: 'deny' });
    expect(received.searchParams.get('error')).toBe('access_denied');
    const done = await finishLogin(received, clientNonce);
    expect(done.status).toBe(400);
    expect(done.body.errors).toEqual(['Vault login failed. No code or id_token received.']);
  });

  it('reports a reused authorization code as an exchange error', async () => {
    const { clientNonce, received } = await browserLogin();
    expect((await finishLogin(received, clientNonce)).status).toBe(200);
    // A new state, but the code was already redeemed at the provider.
    const second = await browserLogin();
    const reused = await finishLogin(second.received, second.clientNonce, { code: received.searchParams.get('code')! });
    expect(reused.status).toBe(400);
    expect(reused.body.errors?.[0]).toMatch(/^Vault login failed\. Error exchanging oidc code: ".*invalid_grant.*"\.$/);
  });

  it('enforces bound_claims: bob is not on call', async () => {
    const alice = await browserLogin({ role: 'oncall' });
    expect((await finishLogin(alice.received, alice.clientNonce)).body.auth?.['policies']).toEqual(['default', 'oncall']);
    const bob = await browserLogin({ role: 'oncall', user: 'bob' });
    const refused = await finishLogin(bob.received, bob.clientNonce);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual(['error validating claims: claim "groups" does not match any associated bound claim values']);
  });

  it('returns an empty auth_url for a redirect_uri the role does not allow, and 400 for hard errors', async () => {
    const ask = (body: Record<string, unknown>) => call('POST', 'auth/oidc/oidc/auth_url', { token: '', body });
    for (const redirect of ['http://127.0.0.1:9999/elsewhere', 'https://evil.example/oidc/callback', 'http://localhost.evil.example:8250/oidc/callback']) {
      const r = await ask({ role: 'engineer', redirect_uri: redirect });
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual({ auth_url: '' });
    }
    // Loopback redirects match on any port, and on localhost as well (RFC 8252 §7.3).
    expect(String((await ask({ redirect_uri: 'http://localhost:54321/oidc/callback' })).body.data?.['auth_url'])).toContain('/auth?');
    expect((await ask({ role: 'engineer' })).body.errors).toEqual(['missing redirect_uri']);
    expect((await ask({ role: 'nope', redirect_uri: 'http://localhost:8250/oidc/callback' })).body.errors).toEqual(['role "nope" could not be found']);
    // The POST callback exists only for response_mode=form_post.
    expect((await call('POST', 'auth/oidc/oidc/callback', { token: '', body: { state: 'x', code: 'y' } })).status).toBe(405);
    const jwtMount = await call('POST', 'auth/jwt/oidc/auth_url', { token: '', body: { redirect_uri: 'http://localhost:8250/oidc/callback' } });
    expect(jwtMount.body.errors).toEqual(['OIDC login is not configured for this mount']);
  });

  it('checks the config on write and never returns the client secret', async () => {
    const read = await call('GET', 'auth/oidc/config');
    expect(read.body.data).toMatchObject({ oidc_discovery_url: idp.issuer, oidc_client_id: idp.vaultClientId, default_role: 'engineer' });
    expect(JSON.stringify(read.body)).not.toContain(idp.vaultClientSecret);

    // Like go-oidc, Vault wants the issuer, not the .well-known URL.
    const wellKnown = await call('POST', 'auth/jwt/config', { body: { oidc_discovery_url: `${idp.issuer}/.well-known/openid-configuration` } });
    expect(wellKnown.status).toBe(400);
    expect(wellKnown.body.errors?.[0]).toMatch(/^error checking oidc discovery URL: /);
    const halfClient = await call('POST', 'auth/jwt/config', { body: { oidc_discovery_url: idp.issuer, oidc_client_id: 'x' } });
    expect(halfClient.body.errors).toEqual(["both 'oidc_client_id' and 'oidc_client_secret' must be set for OIDC"]);
    const noRedirects = await call('POST', 'auth/oidc/role/broken', { body: { user_claim: 'sub' } });
    expect(noRedirects.body.errors).toEqual(["'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified."]);
  });
});

describe('Vault JWT auth method with an ID token from the provider', () => {
  async function keyfobIdToken(user = 'alice'): Promise<string> {
    const config = await client.discovery(new URL(idp.issuer), idp.keyfobClientId, { token_endpoint_auth_method: 'none' }, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    let deliver!: (u: URL) => void;
    const received = new Promise<URL>((resolve) => (deliver = resolve));
    const server = http.createServer((req, res) => {
      res.end('ok');
      deliver(new URL(req.url ?? '/', 'http://127.0.0.1'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email groups',
        state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      await completeLogin(url.href, { user, password: password(user) });
      const callbackUrl = new URL(`${redirectUri}${(await received).search}`);
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state });
      return tokens.id_token!;
    } finally {
      server.close();
    }
  }

  it('logs in with the ID token and names the token after the email', async () => {
    const jwt = await keyfobIdToken('bob');
    const login = await call('POST', 'auth/jwt/login', { token: '', body: { role: 'engineer', jwt } });
    expect(login.status).toBe(200);
    expect(login.body.auth).toMatchObject({ policies: ['default', 'engineer'], metadata: { role: 'engineer' }, renewable: true });
    const self = await call('GET', 'auth/token/lookup-self', { token: String(login.body.auth!['client_token']) });
    expect(self.body.data).toMatchObject({ display_name: 'jwt-bob@example.com' });
  });

  it('refuses tokens it cannot trust, with Vault’s messages', async () => {
    const jwt = await keyfobIdToken();
    const login = (body: Record<string, unknown>) => call('POST', 'auth/jwt/login', { token: '', body });

    expect((await login({ role: 'engineer' })).body.errors).toEqual(['missing token']);
    expect((await login({ role: 'ghost', jwt })).body.errors).toEqual(['role "ghost" could not be found']);
    const [header, payload, signature] = jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), email: 'mallory@example.com' })).toString(
      'base64url',
    );
    const tampered = await login({ jwt: `${header}.${forged}.${signature}` });
    expect(tampered.status).toBe(400);
    expect(tampered.body.errors?.[0]).toMatch(/^error validating token: /);

    // An ID token minted for Vault's client has the wrong audience for this role.
    expect((await call('POST', 'auth/jwt/role/vault-aud', { body: { role_type: 'jwt', bound_audiences: 'someone-else', user_claim: 'email' } })).status).toBe(
      204,
    );
    const wrongAud = await login({ role: 'vault-aud', jwt });
    expect(wrongAud.body.errors?.[0]).toMatch(/^error validating token: .*aud/);

    expect(
      (
        await call('POST', 'auth/jwt/role/browser', {
          body: { role_type: 'oidc', user_claim: 'email', allowed_redirect_uris: 'http://localhost:8250/oidc/callback' },
        })
      ).status,
    ).toBe(204);
    expect((await login({ role: 'browser', jwt })).body.errors).toEqual(['role with oidc role_type is not allowed']);
  });
});
