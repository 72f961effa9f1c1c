// Keyfob's Vault client: node-vault underneath (commands, paths, token and namespace headers,
// status handling), VaultTransport on the wire (X-Vault-Request, CA, timeout, retries), and a
// schema for every answer. Errors come out as VaultError: one sentence, a code, never a token.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { VaultSettings } from '../config/schema.ts';
import { insecureUrlReason } from '../config/secureUrl.ts';
import { describeHttpError, isVaultError, VaultError } from './errors.ts';
import { kvMetadataDataSchema, toKvMetadata, type KvMetadata } from './kvMetadata.ts';
import { lazyNodeVault as nodeVault } from './lazyNodeVault.ts';
import type { LeaseApi, LeaseRenewal } from './leaseApi.ts';
import type { RetryPolicy } from './retry.ts';
import {
  awsCredsDataSchema,
  databaseCredsDataSchema,
  envelopeSchema,
  healthSchema,
  kvReadDataSchema,
  kvWriteDataSchema,
  leaseLookupDataSchema,
  lookupSelfDataSchema,
  oidcAuthUrlDataSchema,
  sshSignDataSchema,
  type Envelope,
} from './schemas.ts';
import { VaultTransport, type RetryMode } from './transport.ts';
import type {
  VaultHealth,
  VaultAuth,
  TokenInfo,
  Lease,
  DatabaseCredentials,
  AwsCredentials,
  SshSignature,
  SshSignRequest,
  LeaseInfo,
  KvSecret,
  OidcCallbackParams,
} from './types.ts';

export type {
  VaultHealth,
  VaultAuth,
  TokenInfo,
  Lease,
  DatabaseCredentials,
  AwsCredentials,
  SshSignature,
  SshSignRequest,
  LeaseInfo,
  KvSecret,
  OidcCallbackParams,
} from './types.ts';

export interface VaultClientOptions {
  /** https, or http on loopback only. */
  address: string;
  namespace?: string;
  /** PEM CA bundle (the text); see createVaultClient for a file path. */
  ca?: string;
  /** Per-request timeout in seconds (default 10). */
  timeoutSeconds?: number;
  token?: string;
  retry?: Partial<RetryPolicy>;
  /** For tests: how to wait between retries. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ChildTokenRequest {
  ttlSeconds: number;
  /** The most the child can ever be renewed to, from its creation. */
  explicitMaxTtlSeconds: number;
  /** Shown in Vault's audit and token lookups (Vault prefixes "token-"). */
  displayName: string;
}

/** The node-vault surface Keyfob uses (its bundled typings omit most commands). */
interface NodeVaultClient {
  token: string | undefined;
  namespace: string | undefined;
  pathPrefix: string;
  read(path: string, requestOptions?: object): Promise<unknown>;
  write(path: string, data: unknown, requestOptions?: object): Promise<unknown>;
  health(args: object): Promise<unknown>;
  tokenLookupSelf(args?: object): Promise<unknown>;
  tokenRenewSelf(args?: object): Promise<unknown>;
  jwtLogin(args: object): Promise<unknown>;
  generateDatabaseCredentials(args: object): Promise<unknown>;
  renew(args: object): Promise<unknown>;
  revoke(args: object): Promise<unknown>;
}

interface CallOptions {
  retryMode?: RetryMode;
  anonymous?: boolean;
  /** Values that must never appear in an error message (JWTs, codes) besides the token. */
  secrets?: string[];
}

/** The client for the org config's `vault` section. */
export function createVaultClientFromConfig(vault: VaultSettings, token?: string): Promise<VaultClient> {
  return createVaultClient({
    address: vault.address,
    timeoutSeconds: vault.timeout,
    ...(vault.namespace ? { namespace: vault.namespace } : {}),
    ...(vault.caFile ? { caFile: vault.caFile } : {}),
    ...(token ? { token } : {}),
  });
}

/** Reads the CA file, then builds the client. */
export async function createVaultClient(options: Omit<VaultClientOptions, 'ca'> & { caFile?: string }): Promise<VaultClient> {
  const { caFile, ...rest } = options;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = await readFile(caFile, 'utf8');
    } catch (error) {
      throw new VaultError(
        'VAULT_UNREACHABLE',
        `Cannot read Vault's CA file ${caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        '',
      );
    }
  }
  return new VaultClient({ ...rest, ...(ca ? { ca } : {}) });
}

export class VaultClient implements LeaseApi {
  readonly address: string;
  readonly #transport: VaultTransport;
  readonly #nv: NodeVaultClient;
  readonly #options: VaultClientOptions;
  #token: string | undefined;

  /** Whether close() releases the transport: a client made by withToken() shares its maker's. */
  readonly #ownsTransport: boolean;

  /** `shared`: the transport of the client this one acts beside (withToken), reused as it is. */
  constructor(options: VaultClientOptions, shared?: VaultTransport) {
    this.#options = options;
    // A client made by withToken() shares its maker's transport, and with it an address already checked.
    const insecure = shared === undefined ? insecureUrlReason(options.address) : undefined;
    if (insecure) throw new VaultError('VAULT_UNREACHABLE', `Vault address ${options.address} ${insecure}`, '');
    this.address = options.address.replace(/\/+$/, '');
    this.#ownsTransport = shared === undefined;
    this.#transport =
      shared ??
      new VaultTransport({
        address: this.address,
        timeoutMs: (options.timeoutSeconds ?? 10) * 1000,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
    this.#nv = nodeVault({
      endpoint: this.address,
      apiVersion: 'v1',
      noCustomHTTPVerbs: true,
      'request-promise': this.#transport.asRequestPromise(),
    }) as unknown as NodeVaultClient;
    // node-vault falls back to VAULT_TOKEN / VAULT_NAMESPACE / VAULT_PREFIX from the environment;
    // Keyfob's config and keychain decide these, not whatever the shell happens to export.
    this.#nv.namespace = options.namespace;
    this.#nv.pathPrefix = '';
    this.setToken(options.token);
  }

  /** Replaces the token used for every authenticated call (undefined to forget it). */
  setToken(token: string | undefined): void {
    this.#token = token || undefined;
    this.#nv.token = this.#token;
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** Releases pooled connections (those of its maker stay: a withToken() client shares them). */
  close(): void {
    if (this.#ownsTransport) this.#transport.close();
  }

  async health(): Promise<VaultHealth> {
    const body = await this.#call('sys/health', () => this.#nv.health({ standbyok: true, requestOptions: { retryMode: 'never' } }));
    const health = this.#parse(healthSchema, body, 'sys/health');
    return { initialized: health.initialized, sealed: health.sealed, standby: health.standby, version: health.version, clusterName: health.cluster_name };
  }

  async lookupSelf(): Promise<TokenInfo> {
    const envelope = await this.#envelope('auth/token/lookup-self', () => this.#nv.tokenLookupSelf());
    const d = this.#parse(lookupSelfDataSchema, envelope.data, 'auth/token/lookup-self', 'data');
    return {
      accessor: d.accessor,
      displayName: d.display_name,
      policies: d.policies,
      ttl: d.ttl,
      expireTime: d.expire_time ? new Date(d.expire_time) : null,
      renewable: d.renewable ?? false,
      entityId: d.entity_id ?? undefined,
      meta: d.meta ?? {},
      path: d.path,
      type: d.type ?? undefined,
      explicitMaxTtl: d.explicit_max_ttl,
    };
  }

  /** Renews the current token; Vault may grant less than asked (see warnings). */
  async renewSelf(incrementSeconds?: number): Promise<VaultAuth> {
    const args = incrementSeconds === undefined ? {} : { increment: Math.floor(incrementSeconds) };
    const envelope = await this.#envelope('auth/token/renew-self', () => this.#nv.tokenRenewSelf(args));
    return this.#auth(envelope, 'auth/token/renew-self');
  }

  /**
   * A child of the current token (auth/token/create): it ends when its TTL runs out, when it is
   * revoked, or when its parent is, and Vault revokes every lease read with it then. It has the
   * parent's policies: the body holds only the four fields the reference policy allows.
   */
  async createChildToken(request: ChildTokenRequest): Promise<VaultAuth> {
    const path = 'auth/token/create';
    const body = {
      ttl: `${Math.max(1, Math.floor(request.ttlSeconds))}s`,
      explicit_max_ttl: `${Math.max(1, Math.floor(request.explicitMaxTtlSeconds))}s`,
      display_name: request.displayName,
      renewable: true,
    };
    const envelope = await this.#envelope(path, () => this.#nv.write(path, body, { retryMode: 'issues-credential' }));
    return this.#auth(envelope, path);
  }

  /**
   * A client for the same Vault that acts as `token` (a session's child token). It shares this
   * client's connections and rate-limit gate: a session's calls reuse warm (TLS) connections, and
   * a 429 seen by one session's revoke holds back every other's, as one process should.
   */
  withToken(token: string): VaultClient {
    return new VaultClient({ ...this.#options, token }, this.#transport);
  }

  /** Revokes the current token (and with it every lease it created), then forgets it. */
  async revokeSelf(): Promise<void> {
    // Straight to the transport, not through node-vault: each session's revoke-self is made by a
    // client of its own (withToken), and node-vault built a whole client for it (a function per
    // command) and checked the call with tv4. For a revoke-all of 100 that was most of the work
    // before the requests went out (--cpu-prof). The request is the one node-vault sends.
    await this.#call('auth/token/revoke-self', () => this.#direct('POST', 'auth/token/revoke-self', {}));
    this.setToken(undefined);
  }

  /** JWT login with an IdP's ID token; on success the client uses the new token. */
  async jwtLogin(mount: string, role: string, jwt: string): Promise<VaultAuth> {
    const path = `auth/${mount}/login`;
    const envelope = await this.#envelope(
      path,
      () => this.#nv.jwtLogin({ mount_point: mount, role, jwt, requestOptions: { anonymous: true, retryMode: 'issues-credential' } }),
      { secrets: [jwt] },
    );
    const auth = this.#auth(envelope, path);
    this.setToken(auth.clientToken);
    return auth;
  }

  /** Step one of Vault's OIDC flow: the IdP URL to open. Vault answers "" when it will not allow the redirect. */
  async oidcAuthUrl(mount: string, role: string, redirectUri: string, clientNonce: string): Promise<string> {
    const path = `auth/${mount}/oidc/auth_url`;
    const envelope = await this.#envelope(
      path,
      () => this.#nv.write(path, { role, redirect_uri: redirectUri, client_nonce: clientNonce }, { anonymous: true }),
      { secrets: [clientNonce] },
    );
    const { auth_url: url } = this.#parse(oidcAuthUrlDataSchema, envelope.data, path, 'data');
    if (!url) {
      throw new VaultError(
        'LOGIN_REFUSED',
        `Vault would not start an OIDC login for role "${role}" with redirect_uri ${redirectUri}; check the role's allowed_redirect_uris`,
        path,
      );
    }
    return url;
  }

  /** Step two: exchange the IdP's answer; on success the client uses the new token. */
  async oidcCallback(mount: string, params: OidcCallbackParams): Promise<VaultAuth> {
    const path = `auth/${mount}/oidc/callback`;
    // Like the Vault CLI: everything in the query string, id_token possibly empty.
    const query = new URLSearchParams({ state: params.state, code: params.code, id_token: params.idToken ?? '', client_nonce: params.clientNonce });
    const envelope = await this.#envelope(path, () => this.#nv.read(`${path}?${query.toString()}`, { anonymous: true, retryMode: 'issues-credential' }), {
      secrets: [params.state, params.code, params.clientNonce, ...(params.idToken ? [params.idToken] : [])],
    });
    const auth = this.#auth(envelope, path);
    this.setToken(auth.clientToken);
    return auth;
  }

  async databaseCreds(mount: string, role: string): Promise<DatabaseCredentials> {
    const path = `${mount}/creds/${role}`;
    const envelope = await this.#envelope(path, () =>
      this.#nv.generateDatabaseCredentials({ databasePath: mount, name: role, requestOptions: { retryMode: 'issues-credential' } }),
    );
    const data = await this.#issued(envelope, () => this.#parse(databaseCredsDataSchema, envelope.data, path, 'data'));
    return { ...this.#lease(envelope, path), username: data.username, password: data.password };
  }

  async sshSign(mount: string, role: string, request: SshSignRequest): Promise<SshSignature> {
    const path = `${mount}/sign/${role}`;
    const body = {
      public_key: request.publicKey,
      valid_principals: request.validPrincipals.join(','),
      ttl: `${Math.floor(request.ttl)}s`,
      cert_type: 'user',
      ...(request.extensions ? { extensions: request.extensions } : {}),
    };
    // Replay-safe: a second certificate is useless without our private key, which never leaves memory.
    const envelope = await this.#envelope(path, () => this.#nv.write(path, body));
    const data = this.#parse(sshSignDataSchema, envelope.data, path, 'data');
    return { serialNumber: data.serial_number, signedKey: data.signed_key.trimEnd(), warnings: envelope.warnings ?? [] };
  }

  async awsCreds(mount: string, role: string, request: { type: 'sts' | 'creds'; ttl: number }): Promise<AwsCredentials> {
    const ttl = `${Math.floor(request.ttl)}s`;
    const path = `${mount}/${request.type}/${role}`;
    const options = { retryMode: 'issues-credential' };
    const envelope = await this.#envelope(path, () =>
      request.type === 'sts' ? this.#nv.write(path, { ttl }, options) : this.#nv.read(`${path}?${new URLSearchParams({ ttl }).toString()}`, options),
    );
    const data = await this.#issued(envelope, () => this.#parse(awsCredsDataSchema, envelope.data, path, 'data'));
    return { ...this.#lease(envelope, path), ...data };
  }

  async renewLease(leaseId: string, incrementSeconds: number): Promise<LeaseRenewal> {
    const path = 'sys/leases/renew';
    const envelope = await this.#envelope(path, () => this.#nv.renew({ lease_id: leaseId, increment: Math.floor(incrementSeconds) }));
    return { leaseDuration: envelope.lease_duration, renewable: envelope.renewable, warnings: envelope.warnings ?? [] };
  }

  /** Synchronous revoke (Vault's default); an unknown or expired lease is not an error. */
  async revokeLease(leaseId: string): Promise<void> {
    await this.#call('sys/leases/revoke', () => this.#nv.revoke({ lease_id: leaseId }));
  }

  async lookupLease(leaseId: string): Promise<LeaseInfo> {
    const path = 'sys/leases/lookup';
    const envelope = await this.#envelope(path, () => this.#nv.write(path, { lease_id: leaseId }));
    const d = this.#parse(leaseLookupDataSchema, envelope.data, path, 'data');
    const date = (s: string | null) => (s ? new Date(s) : null);
    return {
      id: d.id,
      issueTime: new Date(d.issue_time),
      expireTime: date(d.expire_time),
      lastRenewal: date(d.last_renewal),
      renewable: d.renewable,
      ttl: d.ttl,
    };
  }

  /** KV v2 read; null when there is nothing at the path (or it was deleted). */
  async kvRead(mount: string, secretPath: string, version?: number): Promise<KvSecret | null> {
    const path = `${mount}/data/${secretPath}`;
    const query = version === undefined ? '' : `?version=${Math.floor(version)}`;
    let envelope: Envelope;
    try {
      envelope = await this.#envelope(path, () => this.#nv.read(`${path}${query}`));
    } catch (error) {
      if (isVaultError(error) && error.code === 'NOT_FOUND') return null;
      throw error;
    }
    const d = this.#parse(kvReadDataSchema, envelope.data, path, 'data');
    if (d.data === null) return null;
    return { data: d.data, version: d.metadata.version, createdTime: d.metadata.created_time };
  }

  /** KV v2 write; `cas` makes it fail unless the current version matches (0 = must not exist). */
  async kvWrite(
    mount: string,
    secretPath: string,
    data: Record<string, unknown>,
    options: { cas?: number } = {},
  ): Promise<{ version: number; createdTime: string }> {
    const path = `${mount}/data/${secretPath}`;
    const body = { data, ...(options.cas === undefined ? {} : { options: { cas: options.cas } }) };
    const envelope = await this.#envelope(path, () => this.#nv.write(path, body));
    const d = this.#parse(kvWriteDataSchema, envelope.data, path, 'data');
    return { version: d.version, createdTime: d.created_time };
  }

  /** KV v2 metadata (versions and their times, not the secret); null when nothing is at the path. */
  async kvMetadata(mount: string, secretPath: string): Promise<KvMetadata | null> {
    const path = `${mount}/metadata/${secretPath}`;
    let envelope: Envelope;
    try {
      envelope = await this.#envelope(path, () => this.#nv.read(path));
    } catch (error) {
      if (isVaultError(error) && error.code === 'NOT_FOUND') return null;
      throw error;
    }
    return toKvMetadata(this.#parse(kvMetadataDataSchema, envelope.data, path, 'data'));
  }

  /** Revokes every lease under `prefix` (a sudo path, for leak response: a role's whole issue). */
  async revokeLeasePrefix(prefix: string): Promise<void> {
    await this.#call('sys/leases/revoke-prefix', () => this.#nv.write(`sys/leases/revoke-prefix/${prefix}`, {}));
  }

  /**
   * One request as node-vault makes it (its token and namespace headers; 200 and 204 are answers,
   * any other status an error carrying the response, which #translate describes).
   */
  async #direct(method: 'GET' | 'POST', path: string, body?: object): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (this.#token) headers['X-Vault-Token'] = this.#token;
    if (this.#options.namespace) headers['X-Vault-Namespace'] = this.#options.namespace;
    const response = await this.#transport.send({ method, uri: `${this.address}/v1/${path}`, headers, ...(body ? { json: body } : {}) });
    if (response.statusCode === 200 || response.statusCode === 204) return response.body;
    throw Object.assign(new Error(`Status ${response.statusCode}`), { response: { statusCode: response.statusCode, body: response.body } });
  }

  async #envelope(path: string, request: () => Promise<unknown>, options: CallOptions = {}): Promise<Envelope> {
    const body = await this.#call(path, request, options);
    return this.#parse(envelopeSchema, body, path);
  }

  async #call(path: string, request: () => Promise<unknown>, options: CallOptions = {}): Promise<unknown> {
    const secrets = [this.#token, ...(options.secrets ?? [])].filter((s): s is string => !!s && s.length >= 4);
    try {
      return await request();
    } catch (error) {
      throw redact(this.#translate(error, path), secrets);
    }
  }

  #translate(error: unknown, path: string): VaultError {
    if (isVaultError(error)) return error;
    const response = (error as { response?: { statusCode?: unknown; body?: unknown } }).response;
    if (response && typeof response.statusCode === 'number') {
      return describeHttpError({ status: response.statusCode, body: response.body, path, address: this.address, hasToken: this.hasToken });
    }
    // tv4 validation inside node-vault (a programming error here) or something unforeseen.
    const detail = error instanceof Error ? error.message : String(error);
    return new VaultError('BAD_RESPONSE', `Keyfob could not make the request to ${path}: ${detail}`, path);
  }

  #parse<S extends z.ZodType>(schema: S, value: unknown, path: string, field?: string): z.output<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const where = [field, ...issue.path.map(String)].filter(Boolean).join('.');
    const what = value === undefined ? 'an empty body' : typeof value === 'string' ? 'a body that is not JSON' : `${where || 'the body'}: ${issue.message}`;
    return this.#throw(new VaultError('BAD_RESPONSE', `Vault sent an unexpected answer for ${path}: ${what}`, path));
  }

  /** If a leased answer cannot be used, revoke its lease before failing: nothing is left half-issued. */
  async #issued<T>(envelope: Envelope, use: () => T): Promise<T> {
    try {
      return use();
    } catch (error) {
      if (envelope.lease_id) await this.revokeLease(envelope.lease_id).catch(() => undefined);
      throw error;
    }
  }

  #auth(envelope: Envelope, path: string): VaultAuth {
    const auth = envelope.auth;
    if (!auth) this.#throw(new VaultError('BAD_RESPONSE', `Vault sent an unexpected answer for ${path}: no auth block`, path));
    return {
      clientToken: auth.client_token,
      accessor: auth.accessor,
      policies: auth.policies ?? [],
      metadata: auth.metadata ?? {},
      leaseDuration: auth.lease_duration,
      renewable: auth.renewable,
      entityId: auth.entity_id ?? undefined,
      tokenType: auth.token_type ?? undefined,
      warnings: envelope.warnings ?? [],
    };
  }

  #lease(envelope: Envelope, path: string): Lease {
    // A credential without a lease could never be revoked: refuse it rather than hand it out.
    if (!envelope.lease_id) this.#throw(new VaultError('BAD_RESPONSE', `Vault sent an unexpected answer for ${path}: the credential has no lease`, path));
    return { leaseId: envelope.lease_id, leaseDuration: envelope.lease_duration, renewable: envelope.renewable, warnings: envelope.warnings ?? [] };
  }

  #throw(error: VaultError): never {
    throw error;
  }
}

function redact(error: VaultError, secrets: string[]): VaultError {
  let message = error.message;
  for (const secret of secrets) message = message.split(secret).join('[redacted]');
  return message === error.message ? error : new VaultError(error.code, message, error.path, error.status);
}
