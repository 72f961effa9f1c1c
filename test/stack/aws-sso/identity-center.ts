// The state of one fake IAM Identity Center instance: registered clients, device authorizations,
// SSO sessions (access/refresh tokens) and account assignments. HTTP lives elsewhere; this module
// answers the operations and throws OidcError/PortalError exactly where the service would.
import { OidcError, PortalError, sessionInvalid } from './errors.ts';
import { fakeSecretAccessKey, fakeSessionToken, fakeTemporaryAccessKeyId, opaqueToken, userCode as newUserCode } from './fake-credentials.ts';

export interface SsoUser {
  name: string;
  password: string;
}

/**
 * An AWS account and the permission sets (roles) in it; `users` limits who is assigned (everyone if
 * absent). Several entries for one accountId add up, so users can hold different roles in it.
 */
export interface AccountAssignment {
  accountId: string;
  accountName: string;
  emailAddress: string;
  roles: string[];
  users?: string[];
}

export interface IdentityCenterOptions {
  users: SsoUser[];
  accounts: AccountAssignment[];
  startUrl: string;
  /** Lifetime of a device code (StartDeviceAuthorization `expiresIn`); fractional for fast tests. */
  deviceCodeTtlSeconds: number;
  /** Minimum time between CreateToken polls (`interval`); faster polls get slow_down. */
  pollIntervalSeconds: number;
  accessTokenTtlSeconds: number;
  roleCredentialsTtlSeconds: number;
  now: () => number;
}

/** Both spellings: the model's own example uses a hyphen (aws-sso-api.md §3.3). */
const DEVICE_GRANT_TYPES = new Set(['urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:device-code']);
const CLIENT_SECRET_TTL_MS = 90 * 24 * 3600 * 1000;
/** Network jitter must not turn a well-behaved poll into slow_down. */
const POLL_JITTER_MS = 50;

interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  clientName: string;
  scopes: string[];
  secretExpiresAt: number;
}

type Decision = { kind: 'pending' } | { kind: 'approved'; user: string } | { kind: 'denied'; user: string };

interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  clientId: string;
  expiresAt: number;
  intervalMs: number;
  lastPollAt: number | undefined;
  decision: Decision;
  redeemed: boolean;
}

interface SsoSession {
  user: string;
  clientId: string;
  expiresAt: number;
}

/** What the verification pages need to know about a user code. */
export type UserCodeState =
  { kind: 'unknown' } | { kind: 'expired' } | { kind: 'decided'; approved: boolean } | { kind: 'pending'; userCode: string; clientName: string };

function wireSeconds(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}

/** Accept "abcdefgh", "ABCD-EFGH" and " abcd-efgh ". */
function normalizeUserCode(code: string): string {
  const letters = code.toUpperCase().replace(/[^A-Z]/g, '');
  return letters.length === 8 ? `${letters.slice(0, 4)}-${letters.slice(4)}` : letters;
}

export class IdentityCenter {
  readonly #opts: IdentityCenterOptions;
  readonly #clients = new Map<string, RegisteredClient>();
  readonly #devices = new Map<string, DeviceAuthorization>();
  readonly #deviceByUserCode = new Map<string, string>();
  readonly #sessions = new Map<string, SsoSession>();
  readonly #refreshTokens = new Map<string, { user: string; clientId: string }>();

  constructor(opts: IdentityCenterOptions) {
    this.#opts = opts;
  }

  get startUrl(): string {
    return this.#opts.startUrl;
  }

  registerClient(input: { clientName: string; clientType: string; scopes?: string[] | undefined }) {
    if (input.clientType !== 'public') {
      throw new OidcError('InvalidClientMetadataException', `Invalid client type: ${input.clientType}`);
    }
    for (const scope of input.scopes ?? []) {
      if (!/^[\w-]+:[\w:*-]+$/.test(scope)) throw new OidcError('InvalidScopeException', `Invalid scope: ${scope}`);
    }
    const now = this.#opts.now();
    const client: RegisteredClient = {
      clientId: opaqueToken('cid-'),
      clientSecret: opaqueToken('csecret-'),
      clientName: input.clientName,
      scopes: input.scopes ?? [],
      secretExpiresAt: now + CLIENT_SECRET_TTL_MS,
    };
    this.#clients.set(client.clientId, client);
    return {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      clientIdIssuedAt: Math.floor(now / 1000),
      clientSecretExpiresAt: Math.floor(client.secretExpiresAt / 1000),
    };
  }

  startDeviceAuthorization(input: { clientId: string; clientSecret: string; startUrl: string }, verificationUri: string) {
    const client = this.#authenticateClient(input.clientId, input.clientSecret);
    // Catches a misconfigured start URL early, as pointing at the wrong Identity Center instance would.
    if (input.startUrl.replace(/\/+$/, '') !== this.#opts.startUrl) {
      throw new OidcError('InvalidRequestException', 'Invalid start url');
    }
    let userCode = newUserCode();
    while (this.#deviceByUserCode.has(userCode)) userCode = newUserCode();
    const device: DeviceAuthorization = {
      deviceCode: opaqueToken('dc-'),
      userCode,
      clientId: client.clientId,
      expiresAt: this.#opts.now() + this.#opts.deviceCodeTtlSeconds * 1000,
      intervalMs: this.#opts.pollIntervalSeconds * 1000,
      lastPollAt: undefined,
      decision: { kind: 'pending' },
      redeemed: false,
    };
    this.#devices.set(device.deviceCode, device);
    this.#deviceByUserCode.set(userCode, device.deviceCode);
    return {
      deviceCode: device.deviceCode,
      userCode,
      verificationUri,
      verificationUriComplete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
      expiresIn: wireSeconds(this.#opts.deviceCodeTtlSeconds),
      interval: wireSeconds(this.#opts.pollIntervalSeconds),
    };
  }

  createToken(input: { clientId: string; clientSecret: string; grantType: string; deviceCode?: string | undefined; refreshToken?: string | undefined }) {
    const client = this.#authenticateClient(input.clientId, input.clientSecret);
    if (DEVICE_GRANT_TYPES.has(input.grantType)) {
      if (!input.deviceCode) throw new OidcError('InvalidRequestException', 'deviceCode is required for the device code grant');
      return this.#redeemDeviceCode(client, input.deviceCode);
    }
    if (input.grantType === 'refresh_token') {
      if (!input.refreshToken) throw new OidcError('InvalidRequestException', 'refreshToken is required for the refresh token grant');
      return this.#redeemRefreshToken(client, input.refreshToken);
    }
    throw new OidcError('UnsupportedGrantTypeException', `Unsupported grant type: ${input.grantType}`);
  }

  /** What the verification page should show for a code the user typed or followed. */
  userCodeState(code: string): UserCodeState {
    const device = this.#deviceForUserCode(code);
    if (!device) return { kind: 'unknown' };
    if (device.decision.kind !== 'pending') return { kind: 'decided', approved: device.decision.kind === 'approved' };
    if (this.#opts.now() >= device.expiresAt) return { kind: 'expired' };
    const clientName = this.#clients.get(device.clientId)?.clientName ?? 'an application';
    return { kind: 'pending', userCode: device.userCode, clientName };
  }

  /** The user's answer on the approval page; false if the code is no longer pending. */
  decide(code: string, user: string, approve: boolean): boolean {
    const device = this.#deviceForUserCode(code);
    if (!device || device.decision.kind !== 'pending' || this.#opts.now() >= device.expiresAt) return false;
    device.decision = approve ? { kind: 'approved', user } : { kind: 'denied', user };
    return true;
  }

  checkPassword(login: string, password: string): boolean {
    const user = this.#opts.users.find((u) => u.name === login);
    // Length check first: timingSafeEqual would throw, and these are test passwords anyway.
    return user !== undefined && user.password.length === password.length && user.password === password;
  }

  listAccounts(accessToken: string | undefined) {
    const user = this.#userForAccessToken(accessToken);
    return this.#assignmentsFor(user).map(({ accountId, accountName, emailAddress }) => ({ accountId, accountName, emailAddress }));
  }

  listAccountRoles(accessToken: string | undefined, accountId: string) {
    const user = this.#userForAccessToken(accessToken);
    const account = this.#assignmentsFor(user).find((a) => a.accountId === accountId);
    if (!account) throw new PortalError('ForbiddenException', 'No access');
    return account.roles.map((roleName) => ({ roleName, accountId }));
  }

  getRoleCredentials(accessToken: string | undefined, accountId: string, roleName: string) {
    const user = this.#userForAccessToken(accessToken);
    const account = this.#assignmentsFor(user).find((a) => a.accountId === accountId);
    // The real portal says "No access" both for an unassigned account and an unassigned role.
    if (!account || !account.roles.includes(roleName)) throw new PortalError('ForbiddenException', 'No access');
    return {
      accessKeyId: fakeTemporaryAccessKeyId(),
      secretAccessKey: fakeSecretAccessKey(),
      sessionToken: fakeSessionToken(),
      expiration: this.#opts.now() + this.#opts.roleCredentialsTtlSeconds * 1000,
    };
  }

  /** Ends the SSO session of this access token; its refresh token goes with it. */
  logout(accessToken: string | undefined): void {
    this.#userForAccessToken(accessToken);
    this.#endSessions((token) => token === accessToken);
  }

  /** Ends every SSO session (of one user, if named), as an admin revoking sessions would. */
  revokeSessions(user?: string): number {
    return this.#endSessions((_token, session) => user === undefined || session.user === user);
  }

  #endSessions(match: (token: string, session: SsoSession) => boolean): number {
    let ended = 0;
    const endedUsersByClient = new Set<string>();
    for (const [token, session] of this.#sessions) {
      if (!match(token, session)) continue;
      this.#sessions.delete(token);
      endedUsersByClient.add(`${session.clientId}\n${session.user}`);
      ended++;
    }
    for (const [token, grant] of this.#refreshTokens) {
      if (endedUsersByClient.has(`${grant.clientId}\n${grant.user}`)) this.#refreshTokens.delete(token);
    }
    return ended;
  }

  #authenticateClient(clientId: string, clientSecret: string): RegisteredClient {
    const client = this.#clients.get(clientId);
    if (!client || client.clientSecret !== clientSecret) throw new OidcError('InvalidClientException', 'Invalid client provided');
    if (this.#opts.now() >= client.secretExpiresAt) throw new OidcError('InvalidClientException', 'Client secret has expired');
    return client;
  }

  #redeemDeviceCode(client: RegisteredClient, deviceCode: string) {
    const device = this.#devices.get(deviceCode);
    if (!device || device.clientId !== client.clientId || device.redeemed) {
      throw new OidcError('InvalidGrantException', 'Invalid device code provided');
    }
    const now = this.#opts.now();
    if (now >= device.expiresAt) throw new OidcError('ExpiredTokenException', 'Device code has expired');
    const decision = device.decision;
    if (decision.kind === 'denied') throw new OidcError('AccessDeniedException', 'The user denied the authorization request');
    if (decision.kind === 'approved') {
      device.redeemed = true;
      return this.#issueTokens(client, decision.user);
    }
    // slow_down is a variant of authorization_pending (RFC 8628 §3.5): only while still pending.
    const tooSoon = device.lastPollAt !== undefined && now - device.lastPollAt < device.intervalMs - POLL_JITTER_MS;
    device.lastPollAt = now;
    if (tooSoon) throw new OidcError('SlowDownException', 'Client is polling too quickly');
    throw new OidcError('AuthorizationPendingException', 'Authorization is still pending');
  }

  #redeemRefreshToken(client: RegisteredClient, refreshToken: string) {
    const grant = this.#refreshTokens.get(refreshToken);
    if (!grant || grant.clientId !== client.clientId) throw new OidcError('InvalidGrantException', 'Invalid refresh token provided');
    // Rotated on use, as the real service hands back a new refresh token.
    this.#refreshTokens.delete(refreshToken);
    return this.#issueTokens(client, grant.user);
  }

  #issueTokens(client: RegisteredClient, user: string) {
    const accessToken = opaqueToken('aoa');
    this.#sessions.set(accessToken, {
      user,
      clientId: client.clientId,
      expiresAt: this.#opts.now() + this.#opts.accessTokenTtlSeconds * 1000,
    });
    // A registration without scopes is the "legacy, non-refreshable" setup: no refresh token.
    let refreshToken: string | undefined;
    if (client.scopes.length > 0) {
      refreshToken = opaqueToken('aor');
      this.#refreshTokens.set(refreshToken, { user, clientId: client.clientId });
    }
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: wireSeconds(this.#opts.accessTokenTtlSeconds),
      ...(refreshToken ? { refreshToken } : {}),
    };
  }

  #deviceForUserCode(code: string): DeviceAuthorization | undefined {
    const deviceCode = this.#deviceByUserCode.get(normalizeUserCode(code));
    return deviceCode === undefined ? undefined : this.#devices.get(deviceCode);
  }

  #userForAccessToken(accessToken: string | undefined): string {
    const session = accessToken ? this.#sessions.get(accessToken) : undefined;
    if (!session || this.#opts.now() >= session.expiresAt) throw sessionInvalid();
    return session.user;
  }

  /** Entries for the same account merge, so one account can give different users different roles. */
  #assignmentsFor(user: string): AccountAssignment[] {
    const byAccount = new Map<string, AccountAssignment>();
    for (const entry of this.#opts.accounts) {
      if (entry.users !== undefined && !entry.users.includes(user)) continue;
      const seen = byAccount.get(entry.accountId);
      if (seen) seen.roles = [...new Set([...seen.roles, ...entry.roles])];
      else byAccount.set(entry.accountId, { ...entry, roles: [...entry.roles] });
    }
    return [...byAccount.values()];
  }
}
