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

/** The IdP refused the refresh token itself: it is worth nothing now. */
export class RefreshRefused extends SignInError {}

// The host as a parsed address: a name such as 127.0.0.1.evil.example is not loopback.
const isLoopback = (url: URL) => isLoopbackHost(url.hostname);

async function discover(settings: Pick<OidcSettings, 'issuer' | 'clientId'>, timeoutSeconds?: number): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  try {
    // Plain http is only ever allowed on loopback (the config refuses it elsewhere).
    return await oidc.discovery(issuer, settings.clientId, undefined, oidc.None(), {
      ...(isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
      ...(timeoutSeconds !== undefined ? { timeout: timeoutSeconds } : {}),
    });
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

/** How long a refresh or a revocation may wait for the IdP: a command must not hang on it. */
const QUIET_IDP_TIMEOUT_SECONDS = 10;

/**
 * A fresh ID token from a stored refresh token, for a Vault re-login without a browser. Throws
 * SignInError `refused` when the IdP no longer honours the token (expired, revoked, reused), so
 * the caller forgets it; any other failure (IdP unreachable) leaves the token worth keeping.
 */
export async function refreshOidc(settings: Pick<OidcSettings, 'issuer' | 'clientId'>, refreshToken: string): Promise<OidcSignIn> {
  const config = await discover(settings, QUIET_IDP_TIMEOUT_SECONDS);
  config.timeout = QUIET_IDP_TIMEOUT_SECONDS;
  let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
  try {
    tokens = await oidc.refreshTokenGrant(config, refreshToken);
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') {
      throw new RefreshRefused(`the identity provider no longer accepts the stored refresh token (${error.error})`);
    }
    throw new SignInError(`could not refresh the sign-in at the identity provider: ${(error as Error).message}`);
  }
  const claims = tokens.claims();
  if (!tokens.id_token || !claims) throw new SignInError('the identity provider returned no ID token on refresh');
  return {
    idToken: tokens.id_token,
    refreshToken: tokens.refresh_token ?? refreshToken,
    subject: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
  };
}

/**
 * Revokes a refresh token at the IdP (RFC 7009), so a copy of the keychain entry stops working
 * at logout. False when the provider publishes no revocation endpoint (nothing more to do).
 */
export async function revokeOidcRefreshToken(settings: Pick<OidcSettings, 'issuer' | 'clientId'>, refreshToken: string): Promise<boolean> {
  const config = await discover(settings, QUIET_IDP_TIMEOUT_SECONDS);
  if (!config.serverMetadata().revocation_endpoint) return false;
  config.timeout = QUIET_IDP_TIMEOUT_SECONDS;
  try {
    await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
  } catch (error) {
    throw new SignInError(`the identity provider did not revoke the refresh token: ${(error as Error).message}`);
  }
  return true;
}
