// Direct OIDC sign-in: authorization code + PKCE on a loopback redirect (RFC 8252), with state
// and nonce checked and the ID token's issuer and audience verified by openid-client.
import * as oidc from 'openid-client';
import type { OnAuthUrl, OpenUrl } from './browser.ts';
import { isLoopbackHost } from '../config/secureUrl.ts';
import { listenForCallback } from './loopback.ts';
import { SignInError } from './signInError.ts';

export interface OidcSignIn {
  idToken: string;
  refreshToken: string | undefined;
  subject: string;
  email: string | undefined;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes: readonly string[];
  redirectPort: number;
}

export { SignInError };

// The host as a parsed address: a name such as 127.0.0.1.evil.example is not loopback.
const isLoopback = (url: URL) => isLoopbackHost(url.hostname);

async function discover(settings: OidcSettings): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  try {
    // Plain http is only ever allowed on loopback (the config refuses it elsewhere).
    return await oidc.discovery(issuer, settings.clientId, undefined, oidc.None(), isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined);
  } catch (error) {
    throw new SignInError(`could not read the identity provider's configuration at ${settings.issuer}: ${(error as Error).message}`);
  }
}

export async function signInWithOidc(
  settings: OidcSettings,
  openUrl: OpenUrl,
  opts: { timeoutMs: number; onAuthUrl: OnAuthUrl; signal?: AbortSignal },
): Promise<OidcSignIn> {
  const config = await discover(settings);
  const listener = await listenForCallback({ host: '127.0.0.1', port: settings.redirectPort, path: '/callback' });
  try {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: listener.redirectUri,
      scope: settings.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(settings.scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
    });
    listener.expectState(state);
    opts.onAuthUrl(url.href);
    await openUrl(url.href);
    const params = await listener.wait(opts.timeoutMs, opts.signal);
    if (params.get('error')) {
      const reason =
        params.get('error') === 'access_denied' ? 'you (or the provider) denied the request' : (params.get('error_description') ?? params.get('error'));
      throw new SignInError(`sign-in was refused: ${reason}`);
    }
    if (params.get('state') !== state) throw new SignInError('sign-in failed: the state returned by the browser does not match (possible forgery); try again');
    const callbackUrl = new URL(listener.redirectUri);
    callbackUrl.search = params.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new SignInError(`sign-in failed while exchanging the code: ${(error as Error).message}`);
    }
    const claims = tokens.claims();
    if (!tokens.id_token || !claims) throw new SignInError('the identity provider returned no ID token');
    return {
      idToken: tokens.id_token,
      refreshToken: tokens.refresh_token,
      subject: claims.sub,
      email: typeof claims.email === 'string' ? claims.email : undefined,
    };
  } finally {
    await listener.close();
  }
}

/** A fresh ID token from a stored refresh token, for a Vault re-login without a browser. */
export async function refreshOidc(settings: OidcSettings, refreshToken: string): Promise<OidcSignIn> {
  const config = await discover(settings);
  const tokens = await oidc.refreshTokenGrant(config, refreshToken);
  const claims = tokens.claims();
  if (!tokens.id_token || !claims) throw new SignInError('the identity provider returned no ID token on refresh');
  return {
    idToken: tokens.id_token,
    refreshToken: tokens.refresh_token ?? refreshToken,
    subject: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
  };
}
