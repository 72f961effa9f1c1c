// The stack's OpenID Provider driven by a real relying party (openid-client) and the headless
// browser (completeLogin): what a person signing in to Keyfob would see succeed or fail.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startOidcProvider } from '../stack/oidc/provider.ts';
import type { OidcProviderHandle, TestUser } from '../stack/oidc/provider.ts';
import { completeLogin, LoginStepError } from '../stack/oidc/formAgent.ts';

/** A desktop app's loopback redirect listener: resolves with the first callback URL it receives. */
async function startLoopbackListener(path = '/callback'): Promise<{ redirectUri: string; callback: Promise<URL>; close(): void }> {
  let deliver!: (url: URL) => void;
  const callback = new Promise<URL>((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (url.pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Signed in. You can close this tab.</p>');
    deliver(url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { redirectUri: `http://127.0.0.1:${port}${path}`, callback, close: () => server.close() };
}

let idp: OidcProviderHandle;
let config: client.Configuration;
let alice: TestUser;

beforeAll(async () => {
  idp = await startOidcProvider();
  alice = idp.users.find((u) => u.name === 'alice')!;
  config = await client.discovery(new URL(idp.issuer), idp.keyfobClientId, { token_endpoint_auth_method: 'none' }, client.None(), {
    execute: [client.allowInsecureRequests],
  });
});

afterAll(async () => {
  await idp?.stop();
});

async function startCodeFlow(opts: { prompt?: string; scope?: string } = {}) {
  const listener = await startLoopbackListener();
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: listener.redirectUri,
    scope: opts.scope ?? 'openid email profile groups offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(opts.prompt ? { prompt: opts.prompt } : {}),
  });
  return { listener, url, codeVerifier, state, nonce };
}

describe('OIDC provider', () => {
  it('issues generated passwords and users with email and groups', () => {
    expect(idp.users.map((u) => u.name)).toEqual(['alice', 'bob', 'carol']);
    expect(alice.email).toBe('alice@example.com');
    expect(alice.groups).toEqual(['engineers', 'oncall']);
    expect(alice.password.length).toBeGreaterThanOrEqual(12);
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('signs alice in with PKCE and puts email, name and groups in the ID token', async () => {
    const flow = await startCodeFlow({ prompt: 'consent' });
    try {
      await completeLogin(flow.url.href, { user: 'alice', password: alice.password });
      const callbackUrl = await flow.listener.callback;
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      expect(tokens.claims()).toMatchObject({
        sub: 'alice',
        email: 'alice@example.com',
        name: 'Alice Example',
        groups: ['engineers', 'oncall'],
        iss: idp.issuer,
        aud: idp.keyfobClientId,
      });
      const info = await client.fetchUserInfo(config, tokens.access_token, 'alice');
      expect(info.groups).toEqual(['engineers', 'oncall']);

      // offline_access + consent gave a refresh token; refreshing yields a fresh ID token.
      expect(tokens.refresh_token).toBeTruthy();
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).not.toBe(tokens.access_token);
      expect(refreshed.claims()?.email).toBe('alice@example.com');
    } finally {
      flow.listener.close();
    }
  });

  it('accepts the native client on any loopback port and rejects another path', async () => {
    const authorize = (redirectUri: string) =>
      fetch(
        `${idp.issuer}/auth?${new URLSearchParams({
          client_id: idp.keyfobClientId,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: redirectUri,
          code_challenge: 'x'.repeat(43),
          code_challenge_method: 'S256',
        })}`,
        { redirect: 'manual' },
      );
    expect((await authorize('http://localhost:61234/oidc/callback')).status).toBe(303);
    expect((await authorize('http://127.0.0.1:61234/elsewhere')).status).toBe(400);
  });

  it('refuses the public client without PKCE', async () => {
    const listener = await startLoopbackListener();
    try {
      const url = client.buildAuthorizationUrl(config, { redirect_uri: listener.redirectUri, scope: 'openid', state: 's' });
      await expect(completeLogin(url.href, { user: 'alice', password: alice.password })).rejects.toThrow(/error=invalid_request/);
      expect((await listener.callback).searchParams.get('error_description')).toMatch(/PKCE/);
    } finally {
      listener.close();
    }
  });

  it('completes the device flow on the verification URL', async () => {
    const bob = idp.users.find((u) => u.name === 'bob')!;
    const da = await client.initiateDeviceAuthorization(config, { scope: 'openid email groups offline_access' });
    expect(da.verification_uri_complete).toContain(`user_code=`);
    const polled = client.pollDeviceAuthorizationGrant(config, { ...da, interval: 1 }); // the provider sends no interval; 5 s default
    const outcome = await completeLogin(da.verification_uri_complete!, { user: 'bob', password: bob.password });
    expect(outcome.finalStatus).toBe(200);
    const tokens = await polled;
    expect(tokens.claims()).toMatchObject({ sub: 'bob', email: 'bob@example.com', groups: ['engineers'] });
    expect(tokens.refresh_token).toBeTruthy();
  }, 30_000);

  it('takes the user code typed on the plain verification page', async () => {
    const da = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const polled = client.pollDeviceAuthorizationGrant(config, { ...da, interval: 1 }); // the provider sends no interval; 5 s default
    await completeLogin(da.verification_uri, { user: 'alice', password: alice.password, userCode: da.user_code });
    expect((await polled).claims()?.sub).toBe('alice');
  }, 30_000);

  it('reports access_denied to the device when the user denies', async () => {
    const da = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const polled = client.pollDeviceAuthorizationGrant(config, { ...da, interval: 1 }); // the provider sends no interval; 5 s default
    await completeLogin(da.verification_uri_complete!, { user: 'alice', password: alice.password, consent: 'deny' });
    await expect(polled).rejects.toMatchObject({ error: 'access_denied' });
  }, 30_000);

  it('sends access_denied to the app when consent is denied', async () => {
    const flow = await startCodeFlow();
    try {
      const outcome = await completeLogin(flow.url.href, { user: 'alice', password: alice.password, consent: 'deny' });
      expect(outcome.redirectError).toBe('access_denied');
      const callbackUrl = await flow.listener.callback;
      expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
      expect(callbackUrl.searchParams.get('state')).toBe(flow.state);
    } finally {
      flow.listener.close();
    }
  });

  it('fails clearly on a wrong password and on an unknown user', async () => {
    const flow = await startCodeFlow();
    try {
      const wrong = completeLogin(flow.url.href, { user: 'alice', password: 'not-her-password' });
      await expect(wrong).rejects.toBeInstanceOf(LoginStepError);
      await expect(wrong).rejects.toThrow(/answered 401 after submitting the signin form: Invalid username or password/);
      await expect(completeLogin(flow.url.href, { user: 'mallory', password: 'x' })).rejects.toThrow(/Invalid username or password/);
    } finally {
      flow.listener.close();
    }
  });
});
