// The three ways to sign in (design.md journey 1). Each ends with what the keychain keeps: the
// Vault token (with accessor and expiry) and, for SSO, the refresh material. Nothing else.
import { randomBytes } from 'node:crypto';
import type { OnAuthUrl, OpenUrl } from '../auth/browser.ts';
import { stateFromAuthUrl } from '../auth/callbackState.ts';
import { listenForCallback } from '../auth/loopback.ts';
import { SignInError } from '../auth/signInError.ts';
import type { KeyfobConfig, LoginMethod } from '../config/index.ts';
import { errorMessage } from '../base/keyfobError.ts';
import {
  forgetSsoMaterial,
  loadSsoMaterial,
  saveAwsSsoMaterial,
  saveSsoMaterial,
  saveVaultToken,
  type SecretStore,
  type StoredVaultToken,
} from '../keychain/index.ts';
import type { AuthApi, VaultAuth } from '../vault/index.ts';

export { SignInError };

export interface LoginDeps {
  config: KeyfobConfig;
  vault: AuthApi;
  store: SecretStore;
  openUrl: OpenUrl;
  onAuthUrl: OnAuthUrl;
  now: () => number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A sign-in that ends with a Vault token (vault-oidc, oidc). */
export type VaultLoginResult = { method: 'vault-oidc' | 'oidc'; token: StoredVaultToken; identity: string };
export type LoginResult = VaultLoginResult | { method: 'aws-sso'; identity: string; expiresAt: number };
type OidcAuthSettings = NonNullable<KeyfobConfig['auth']['oidc']>;

const LOGIN_TIMEOUT_MS = 120_000; // the Vault CLI's overall OIDC timeout

export async function login(method: LoginMethod | undefined, deps: LoginDeps): Promise<LoginResult> {
  const chosen = method ?? deps.config.auth.default;
  switch (chosen) {
    case 'vault-oidc':
      return vaultOidcLogin(deps);
    case 'oidc':
      return oidcLogin(deps);
    case 'aws-sso':
      return awsSsoLogin(deps);
  }
}

async function keepVaultToken(
  deps: Pick<LoginDeps, 'config' | 'store' | 'now'>,
  auth: VaultAuth,
  method: 'vault-oidc' | 'oidc',
  identity: string,
): Promise<VaultLoginResult> {
  const token: StoredVaultToken = {
    token: auth.clientToken,
    accessor: auth.accessor,
    expiresAt: auth.leaseDuration > 0 ? new Date(deps.now() + auth.leaseDuration * 1000).toISOString() : null,
    renewable: auth.renewable,
    displayName: identity,
    method,
  };
  await saveVaultToken(deps.store, deps.config.vault.address, token);
  return { method, token, identity };
}

/** The flow of `vault login -method=oidc` (vault-api.md §1.4). */
async function vaultOidcLogin(deps: LoginDeps): Promise<LoginResult> {
  const settings = deps.config.auth.vaultOidc;
  if (!settings) throw new SignInError('the config has no auth.vaultOidc section', 'config-invalid');
  const listener = await listenForCallback({ host: 'localhost', port: settings.callbackPort, path: '/oidc/callback' });
  try {
    const clientNonce = randomBytes(15).toString('base64url');
    const authUrl = await deps.vault.oidcAuthUrl(settings.mount, settings.role, listener.redirectUri, clientNonce);
    if (!authUrl) {
      throw new SignInError(`Vault would not authorize role "${settings.role}" with redirect_uri ${listener.redirectUri}; ask your Vault admin to allow it`);
    }
    listener.expectState(stateFromAuthUrl(authUrl));
    deps.onAuthUrl(authUrl);
    await deps.openUrl(authUrl);
    const params = await listener.wait(deps.timeoutMs ?? LOGIN_TIMEOUT_MS, deps.signal);
    const error = params.get('error');
    if (error)
      throw new SignInError(
        `sign-in was refused: ${error === 'access_denied' ? 'you (or the provider) denied the request' : (params.get('error_description') ?? error)}`,
      );
    const state = params.get('state');
    const code = params.get('code');
    if (!state || !code) throw new SignInError('the browser came back without a code; try again');
    const auth = await deps.vault.oidcCallback(settings.mount, { state, code, clientNonce, idToken: params.get('id_token') ?? '' });
    deps.vault.setToken(auth.clientToken);
    const info = await deps.vault.lookupSelf();
    // A refresh token from an earlier `oidc` sign-in must not bring that sign-in back later.
    await retireOidcRefreshToken(deps.config, deps.store);
    return keepVaultToken(deps, auth, 'vault-oidc', info.displayName);
  } finally {
    await listener.close();
  }
}

/** Direct OIDC: code + PKCE at the IdP, then Vault's JWT method with the ID token. */
async function oidcLogin(deps: LoginDeps): Promise<LoginResult> {
  const settings = deps.config.auth.oidc;
  if (!settings) throw new SignInError('the config has no auth.oidc section', 'config-invalid');
  // The IdP and AWS clients load only for the method in use (CLI start-up time).
  const { signInWithOidc } = await import('../auth/oidcPkce.ts');
  const signIn = await signInWithOidc(
    { issuer: settings.issuer, clientId: settings.clientId, scopes: settings.scopes, redirectPort: settings.redirectPort },
    deps.openUrl,
    { timeoutMs: deps.timeoutMs ?? LOGIN_TIMEOUT_MS, onAuthUrl: deps.onAuthUrl, ...(deps.signal ? { signal: deps.signal } : {}) },
  );
  // The new sign-in replaces the last one's refresh token, which the IdP can forget now.
  await retireOidcRefreshToken(deps.config, deps.store);
  if (signIn.refreshToken) await saveSsoMaterial(deps.store, 'oidc', settings.issuer, { refreshToken: signIn.refreshToken });
  return vaultJwtLogin(deps, settings, signIn.idToken);
}

async function vaultJwtLogin(
  deps: Pick<LoginDeps, 'config' | 'vault' | 'store' | 'now'>,
  settings: OidcAuthSettings,
  idToken: string,
): Promise<VaultLoginResult> {
  const auth = await deps.vault.jwtLogin(settings.vaultMount, settings.vaultRole, idToken);
  deps.vault.setToken(auth.clientToken);
  const info = await deps.vault.lookupSelf();
  return keepVaultToken(deps, auth, 'oidc', info.displayName);
}

async function storedRefreshToken(settings: OidcAuthSettings, store: SecretStore): Promise<string | null> {
  const material = await loadSsoMaterial(store, 'oidc', settings.issuer);
  return typeof material?.refreshToken === 'string' ? material.refreshToken : null;
}

/**
 * The `oidc` sign-in again without a browser: the stored IdP refresh token buys a fresh ID token,
 * and Vault's JWT method a new token for it. Null when there is no refresh token, or when the IdP
 * refuses it (then it is forgotten); throws when the IdP or Vault cannot be asked.
 */
export async function refreshOidcLogin(deps: Pick<LoginDeps, 'config' | 'vault' | 'store' | 'now'>): Promise<VaultLoginResult | null> {
  const settings = deps.config.auth.oidc;
  if (!settings) return null;
  const refreshToken = await storedRefreshToken(settings, deps.store);
  if (refreshToken === null) return null;
  const { refreshOidc, RefreshRefused } = await import('../auth/oidcPkce.ts');
  let signIn;
  try {
    signIn = await refreshOidc(settings, refreshToken);
  } catch (error) {
    if (!(error instanceof RefreshRefused)) throw error;
    await forgetSsoMaterial(deps.store, 'oidc', settings.issuer);
    return null;
  }
  // Providers that rotate refresh tokens invalidate the old one as they hand out the new one.
  if (signIn.refreshToken && signIn.refreshToken !== refreshToken)
    await saveSsoMaterial(deps.store, 'oidc', settings.issuer, { refreshToken: signIn.refreshToken });
  return vaultJwtLogin(deps, settings, signIn.idToken);
}

/**
 * Forgets the stored IdP refresh token and revokes it at the IdP where the provider allows
 * (logout, or a new sign-in replacing it). The keychain entry goes whatever the IdP says; the
 * answer is a problem to report, or null.
 */
export async function retireOidcRefreshToken(config: KeyfobConfig, store: SecretStore): Promise<string | null> {
  const settings = config.auth.oidc;
  if (!settings) return null;
  const refreshToken = await storedRefreshToken(settings, store);
  await forgetSsoMaterial(store, 'oidc', settings.issuer);
  if (refreshToken === null) return null;
  try {
    const { revokeOidcRefreshToken } = await import('../auth/oidcPkce.ts');
    await revokeOidcRefreshToken(settings, refreshToken);
    return null;
  } catch (error) {
    return `the identity provider's refresh token was forgotten here but not revoked there (it expires on its own): ${errorMessage(error)}`;
  }
}

async function awsSsoLogin(deps: LoginDeps): Promise<LoginResult> {
  const settings = deps.config.auth.awsSso;
  if (!settings) throw new SignInError('the config has no auth.awsSso section', 'config-invalid');
  // Without an explicit timeout the device code's own lifetime bounds the wait: approving on
  // another device may take longer than the loopback flows' two minutes.
  const { signInWithAwsSso } = await import('../auth/awsSso.ts');
  const token = await signInWithAwsSso(settings, deps.openUrl, {
    onAuthUrl: deps.onAuthUrl,
    now: deps.now,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
  });
  await saveAwsSsoMaterial(deps.store, settings, {
    accessToken: token.accessToken,
    expiresAt: token.expiresAt,
    refreshToken: token.refreshToken ?? null,
    clientId: token.clientId,
    clientSecret: token.clientSecret,
  });
  return { method: 'aws-sso', identity: settings.startUrl, expiresAt: token.expiresAt };
}
