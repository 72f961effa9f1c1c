// The JWT/OIDC auth method (vault-plugin-auth-jwt), mounted as type "jwt" or "oidc": in Vault both
// are the same plugin. Paths: config, role/<name>, login (JWT), oidc/auth_url, oidc/callback.
// Facts and exact error texts: shared/vault-api.md §1 and the plugin's path_login.go/path_oidc.go.
import { createHash, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { VaultError } from '../backend.ts';
import type { AuthSpec, Backend, BackendFactory, BackendRequest, BackendResponse } from '../backend.ts';
import { createIdentity, validateBoundClaims, validRedirect } from './claims.ts';
import type { Claims } from './claims.ts';
import { authTypeOf, configReadData, parseConfigWrite, parseStaticKeys } from './jwtConfig.ts';
import type { JwtConfig } from './jwtConfig.ts';
import { normalizeRoleName, parseRoleWrite, roleReadData } from './jwtRole.ts';
import type { JwtRole } from './jwtRole.ts';
import { checkJwks, discover, exchangeCode, fetchUserInfo, remoteKeys, verifyJwt } from './oidcRp.ts';
import type { DiscoveryDocument } from './oidcRp.ts';

/** Pending browser logins expire after oidcRequestTimeout (path_oidc.go). */
export const OIDC_STATE_TTL_MS = 10 * 60 * 1000;

// Prefixes Vault's UI matches on: keep them exact (vault-api.md §1.3).
const LOGIN_FAILED = 'Vault login failed.';
const TOKEN_VERIFICATION = 'Token verification failed.';
const NO_CODE = 'no_code';

interface OidcState {
  roleName: string;
  nonce: string;
  redirectUri: string;
  clientNonce: string;
  codeVerifier: string;
  createdAt: number;
  /** Filled by a form_post callback. */
  code: string;
  idToken: string;
}

/** How tokens are verified for the current config, resolved once per config write. */
interface Verifier {
  keys: JWTVerifyGetKey | KeyObject[];
  discovery: DiscoveryDocument | undefined;
}

const bad = (message: string) => new VaultError(400, message);
const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');
const asString = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

function errorHtml(message: string): string {
  return `<!DOCTYPE html><html><head><title>Vault Authentication Failed</title></head><body><h1>Vault Authentication Failed</h1><p role="alert">${message}</p></body></html>`;
}

export interface JwtAuthOptions {
  type: 'jwt' | 'oidc';
  /** Injected clock (ms), so tests can expire OIDC state without waiting ten minutes. */
  now?: () => number;
}

export class JwtAuthBackend implements Backend {
  readonly type: string;
  readonly unauthenticatedPaths = ['login', 'oidc/auth_url', 'oidc/callback'] as const;
  #config: JwtConfig | undefined;
  #verifier: Verifier | undefined;
  readonly #roles = new Map<string, JwtRole>();
  readonly #states = new Map<string, OidcState>();
  readonly #now: () => number;

  constructor(opts: JwtAuthOptions) {
    this.type = opts.type;
    this.#now = opts.now ?? Date.now;
  }

  /** Like the plugin's role ExistenceCheck: a write to a new role is an ACL "create". */
  async existenceCheck(req: BackendRequest): Promise<boolean> {
    if (req.path.startsWith('role/')) return this.#roles.has(normalizeRoleName(req.path.slice('role/'.length)));
    return false;
  }

  async handle(req: BackendRequest): Promise<BackendResponse | null> {
    const { operation, path } = req;
    const write = operation === 'create' || operation === 'update';
    if (path === 'config') {
      if (operation === 'read') return this.#config ? { data: configReadData(this.#config) } : null;
      if (write) return this.#writeConfig(req.data);
    } else if ((path === 'role' || path === 'role/') && operation === 'list') {
      return this.#roles.size ? { data: { keys: [...this.#roles.keys()].sort() } } : null;
    } else if (path.startsWith('role/')) {
      const name = normalizeRoleName(path.slice('role/'.length));
      if (operation === 'read') {
        const role = this.#roles.get(name);
        return role ? { data: roleReadData(role) } : null;
      }
      if (write) {
        this.#roles.set(name, parseRoleWrite(req.data, this.#roles.get(name)));
        return null;
      }
      if (operation === 'delete') {
        this.#roles.delete(name);
        return null;
      }
    } else if (path === 'login') {
      if (write) return this.#login(req.data);
    } else if (path === 'oidc/auth_url') {
      if (write) return this.#authUrl(req.data);
    } else if (path === 'oidc/callback') {
      if (operation === 'read') return this.#callback(req.data);
      if (write) return this.#callbackFormPost(req.data);
    } else {
      throw new VaultError(404, 'unsupported path');
    }
    throw new VaultError(405, 'unsupported operation');
  }

  async #writeConfig(data: Record<string, unknown>): Promise<null> {
    const config = parseConfigWrite(data);
    let verifier: Verifier;
    switch (authTypeOf(config)) {
      case 'static-keys':
        verifier = { keys: parseStaticKeys(config.jwtValidationPubkeys), discovery: undefined };
        break;
      case 'jwks':
        try {
          await checkJwks(config.jwksUrl);
        } catch (err) {
          throw bad(`error checking jwks URL: ${(err as Error).message}`);
        }
        verifier = { keys: remoteKeys(config.jwksUrl), discovery: undefined };
        break;
      default: {
        let discovery: DiscoveryDocument;
        try {
          discovery = await discover(config.oidcDiscoveryUrl);
        } catch (err) {
          throw bad(`error checking oidc discovery URL: ${(err as Error).message}`);
        }
        verifier = { keys: remoteKeys(discovery.jwks_uri), discovery };
      }
    }
    this.#config = config;
    this.#verifier = verifier;
    return null;
  }

  #role(data: Record<string, unknown>, config: JwtConfig): { roleName: string; role: JwtRole } {
    const roleName = normalizeRoleName(asString(data['role']) || config.defaultRole);
    if (!roleName) throw bad('missing role');
    const role = this.#roles.get(roleName);
    if (!role) throw bad(`role ${JSON.stringify(roleName)} could not be found`);
    return { roleName, role };
  }

  #auth(roleName: string, role: JwtRole, claims: Claims): AuthSpec {
    let identity;
    try {
      identity = createIdentity(role, claims);
    } catch (err) {
      throw bad((err as Error).message);
    }
    return {
      alias: identity.alias,
      policies: [...role.tokenPolicies],
      metadata: { role: roleName, ...identity.metadata },
      ttl: role.tokenTtl,
      maxTtl: role.tokenMaxTtl,
      renewable: true,
    };
  }

  /** POST login {role, jwt}: a JWT from the IdP (or any issuer the config trusts) for a token. */
  async #login(data: Record<string, unknown>): Promise<BackendResponse> {
    const config = this.#config;
    const verifier = this.#verifier;
    if (!config || !verifier) throw bad('could not load configuration');
    const { roleName, role } = this.#role(data, config);
    if (role.roleType === 'oidc') throw bad('role with oidc role_type is not allowed');
    const token = asString(data['jwt']);
    if (!token) throw bad('missing token');

    let claims: Claims;
    try {
      claims = await verifyJwt(token, verifier.keys, {
        issuer: config.boundIssuer || verifier.discovery?.issuer,
        audiences: role.boundAudiences,
        subject: role.boundSubject || undefined,
        algorithms: config.jwtSupportedAlgs.length ? config.jwtSupportedAlgs : ['RS256'],
        leeway: role.clockSkewLeeway + role.expirationLeeway,
      });
    } catch (err) {
      throw bad(`error validating token: ${(err as Error).message}`);
    }
    // Vault reads aud as a list here, so only an array audience trips this (path_login.go).
    const aud = claims['aud'];
    if (Array.isArray(aud) && aud.length > 0 && role.boundAudiences.length === 0) {
      throw bad('audience claim found in JWT but no audiences bound to the role');
    }
    const auth = this.#auth(roleName, role, claims);
    try {
      validateBoundClaims(role, claims);
    } catch (err) {
      throw bad(`error validating claims: ${(err as Error).message}`);
    }
    return { auth };
  }

  /** POST oidc/auth_url {role, redirect_uri, client_nonce}: start a browser login. */
  async #authUrl(data: Record<string, unknown>): Promise<BackendResponse> {
    const empty: BackendResponse = { data: { auth_url: '' } };
    const config = this.#config;
    if (!config) throw bad('could not load configuration');
    if (authTypeOf(config) !== 'oidc-flow') throw bad('OIDC login is not configured for this mount');
    const roleName = normalizeRoleName(asString(data['role']) || config.defaultRole);
    if (!roleName) throw bad('missing role');
    let redirectUri = asString(data['redirect_uri']);
    if (!redirectUri) throw bad('missing redirect_uri');
    const clientNonce = asString(data['client_nonce']);
    const role = this.#roles.get(roleName);
    if (!role) throw bad(`role ${JSON.stringify(roleName)} could not be found`);
    // Deliberately uninformative: this endpoint is unauthenticated (vault-api.md §1.2).
    if (!validRedirect(redirectUri, role.allowedRedirectUris)) return empty;
    if (config.oidcResponseMode === 'form_post') redirectUri = redirectUri.replace('ui/vault', 'v1');
    const discovery = this.#verifier?.discovery;
    if (!discovery) return empty;

    this.#sweepStates();
    const state = randomHex(20);
    const nonce = randomHex(20);
    const codeVerifier = randomBytes(32).toString('base64url');
    this.#states.set(state, { roleName, nonce, redirectUri, clientNonce, codeVerifier, createdAt: this.#now(), code: '', idToken: '' });

    const responseTypes = config.oidcResponseTypes.length ? config.oidcResponseTypes : ['code'];
    const url = new URL(discovery.authorization_endpoint);
    const params: Record<string, string> = {
      client_id: config.oidcClientId,
      redirect_uri: redirectUri,
      response_type: responseTypes.join(' '),
      scope: ['openid', ...role.oidcScopes.filter((s) => s !== 'openid')].join(' '),
      state,
      nonce,
    };
    if (responseTypes.includes('code')) {
      params['code_challenge'] = createHash('sha256').update(codeVerifier).digest('base64url');
      params['code_challenge_method'] = 'S256';
    }
    if (config.oidcResponseMode === 'form_post') params['response_mode'] = 'form_post';
    if (role.maxAge > 0) params['max_age'] = String(role.maxAge);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { data: { auth_url: url.href } };
  }

  #sweepStates(): void {
    const now = this.#now();
    for (const [id, s] of this.#states) if (now - s.createdAt >= OIDC_STATE_TTL_MS) this.#states.delete(id);
  }

  /** Single use: the state is gone after this, even if the callback then fails. */
  #takeState(stateId: string): OidcState | undefined {
    const state = this.#states.get(stateId);
    this.#states.delete(stateId);
    if (!state || this.#now() - state.createdAt >= OIDC_STATE_TTL_MS) return undefined;
    return state;
  }

  /** GET oidc/callback?state&code&id_token&client_nonce: finish a browser login. */
  async #callback(data: Record<string, unknown>): Promise<BackendResponse> {
    const config = this.#config;
    const discovery = this.#verifier?.discovery;
    if (!config) throw bad(`${LOGIN_FAILED} Could not load configuration`);
    const state = this.#takeState(asString(data['state']));
    if (!state) throw bad(`${LOGIN_FAILED} Expired or missing OAuth state.`);
    if (state.clientNonce && asString(data['client_nonce']) !== state.clientNonce) throw bad('invalid client_nonce');
    const role = this.#roles.get(state.roleName);
    if (!role) throw bad(`${LOGIN_FAILED} Role could not be found`);
    if (!discovery || !this.#verifier) throw bad(`${LOGIN_FAILED} Could not load configuration`);

    let code = asString(data['code']);
    if (code === NO_CODE) code = state.code;
    let rawToken: string;
    let accessToken: string | undefined;
    if (!code) {
      if (!state.idToken) throw bad(`${LOGIN_FAILED} No code or id_token received.`);
      rawToken = state.idToken;
    } else {
      let tokens;
      try {
        tokens = await exchangeCode({
          tokenEndpoint: discovery.token_endpoint,
          clientId: config.oidcClientId,
          clientSecret: config.oidcClientSecret,
          code,
          redirectUri: state.redirectUri,
          codeVerifier: state.codeVerifier,
        });
      } catch (err) {
        throw bad(`${LOGIN_FAILED} Error exchanging oidc code: ${JSON.stringify((err as Error).message)}.`);
      }
      if (!tokens.id_token) throw bad(`${TOKEN_VERIFICATION} No id_token found in response.`);
      rawToken = tokens.id_token;
      accessToken = tokens.access_token;
    }

    let claims: Claims;
    try {
      claims = await verifyJwt(rawToken, this.#verifier.keys, {
        issuer: discovery.issuer,
        audiences: [config.oidcClientId],
        algorithms: config.jwtSupportedAlgs.length ? config.jwtSupportedAlgs : ['RS256'],
        leeway: role.clockSkewLeeway,
      });
    } catch (err) {
      throw bad(`${TOKEN_VERIFICATION} ${(err as Error).message}`);
    }
    if (role.boundAudiences.length && !role.boundAudiences.some((a) => [claims['aud']].flat().includes(a))) {
      throw bad(`${TOKEN_VERIFICATION} aud claim does not match any bound audience`);
    }
    if (claims['nonce'] !== state.nonce) throw bad(`${TOKEN_VERIFICATION} Invalid ID token nonce.`);
    delete claims['nonce'];

    // Userinfo claims are merged in; failing to fetch them does not fail the login.
    if (accessToken) Object.assign(claims, (await fetchUserInfo(discovery.userinfo_endpoint, accessToken)) ?? {});

    try {
      validateBoundClaims(role, claims);
    } catch (err) {
      throw bad(`error validating claims: ${(err as Error).message}`);
    }
    return { auth: this.#auth(state.roleName, role, claims) };
  }

  /** POST oidc/callback (response_mode=form_post): keep code/id_token in the state, answer HTML. */
  async #callbackFormPost(data: Record<string, unknown>): Promise<BackendResponse> {
    const config = this.#config;
    if (!config) throw bad(`${LOGIN_FAILED} Could not load configuration.`);
    if (config.oidcResponseMode !== 'form_post') return { raw: { status: 405, contentType: 'text/html', body: '' } };
    const stateId = asString(data['state']);
    const state = this.#states.get(stateId);
    if (!state || this.#now() - state.createdAt >= OIDC_STATE_TTL_MS) {
      return { raw: { status: 400, contentType: 'text/html', body: errorHtml(`${LOGIN_FAILED} Expired or missing OAuth state.`) } };
    }
    state.code = asString(data['code']);
    state.idToken = asString(data['id_token']);
    const mount = /\/auth\/(.+)\/oidc\/callback$/.exec(new URL(state.redirectUri).pathname)?.[1];
    if (!mount) return { raw: { status: 400, contentType: 'text/html', body: errorHtml(`${LOGIN_FAILED} Invalid redirect path.`) } };
    // Hand over to the UI's callback route with code=no_code: the code stays server-side.
    const next = `/ui/vault/auth/${mount}/oidc/callback?${new URLSearchParams({ state: stateId, code: NO_CODE })}`;
    return {
      raw: {
        status: 200,
        contentType: 'text/html',
        body: `<!DOCTYPE html><html><head><title>Vault</title><meta http-equiv="refresh" content="0;url=${next.replaceAll('&', '&amp;')}"></head><body></body></html>`,
      },
    };
  }
}

export function jwtAuthFactory(type: 'jwt' | 'oidc'): BackendFactory {
  return () => new JwtAuthBackend({ type });
}
