// The Vault client against a small loopback server that answers the way Vault does
// (envelopes, {"errors":[...]} bodies, status codes, Retry-After). The real-stack integration
// runs elsewhere; this file pins the wrapper's own behaviour.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVaultClient, createVaultClientFromConfig, VaultClient, VaultError, type VaultClientOptions } from '../../main/core/vault/index.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}
interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (for timeouts). */
  hang?: boolean;
}
type Route = (req: Seen) => Reply;

const TOKEN = `hvs.${'S3cr3tT0k3n'.repeat(3)}`;

const envelope = (fields: Record<string, unknown> = {}) => ({
  request_id: 'a2b3c4d5-0000-4000-8000-000000000000',
  lease_id: '',
  renewable: false,
  lease_duration: 0,
  data: null,
  wrap_info: null,
  warnings: null,
  auth: null,
  mount_type: '',
  ...fields,
});
const errors = (status: number, ...messages: string[]): Reply => ({ status, body: { errors: messages } });
const ok = (fields: Record<string, unknown> = {}): Reply => ({ status: 200, body: envelope(fields) });

class FakeVault {
  readonly seen: Seen[] = [];
  #routes = new Map<string, Route[]>();
  #server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const seen: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined };
      this.seen.push(seen);
      const key = `${req.method} ${req.url!.split('?')[0]}`;
      const queue = this.#routes.get(key);
      const route = queue && (queue.length > 1 ? queue.shift()! : queue[0]!);
      const reply = route ? route(seen) : errors(404);
      if (reply.hang) return;
      const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'Content-Type': typeof reply.body === 'string' ? 'text/plain' : 'application/json', ...reply.headers });
      res.end(body);
    });
  });
  address = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.address = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  /** Answers in order; the last answer repeats. */
  on(method: string, path: string, ...replies: (Reply | Route)[]): void {
    this.#routes.set(
      `${method} /v1/${path}`,
      replies.map((r) => (typeof r === 'function' ? r : () => r)),
    );
  }
  requests(path: string): Seen[] {
    return this.seen.filter((s) => s.url.split('?')[0] === `/v1/${path}`);
  }
  reset(): void {
    this.seen.length = 0;
    this.#routes.clear();
  }
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

const vault = new FakeVault();
let sleeps: number[] = [];
const clients: VaultClient[] = [];
const client = (options: Partial<VaultClientOptions> = {}) => {
  const c = new VaultClient({
    address: vault.address,
    token: TOKEN,
    retry: { minWaitMs: 1, maxWaitMs: 2 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  clients.push(c);
  return c;
};
const failure = async (promise: Promise<unknown>): Promise<VaultError> => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    const e = error as VaultError;
    expect(e.message).not.toContain(TOKEN);
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error('expected a VaultError');
};

beforeAll(() => vault.start());
afterAll(() => vault.stop());
beforeEach(() => {
  vault.reset();
  sleeps = [];
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

describe('requests', () => {
  it('carry X-Vault-Request, the token and the namespace, and ignore VAULT_* from the shell', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { VAULT_TOKEN: 'hvs.from-the-shell', VAULT_NAMESPACE: 'shell-ns', VAULT_PREFIX: '/nope' });
    try {
      vault.on(
        'GET',
        'database/creds/orders-ro',
        ok({ lease_id: 'database/creds/orders-ro/AbC', renewable: true, lease_duration: 3600, data: { username: 'v-oidc-orders-r-x1', password: 'pw-1' } }),
      );
      const creds = await client({ namespace: 'team-a' }).databaseCreds('database', 'orders-ro');
      expect(creds).toEqual({
        leaseId: 'database/creds/orders-ro/AbC',
        leaseDuration: 3600,
        renewable: true,
        warnings: [],
        username: 'v-oidc-orders-r-x1',
        password: 'pw-1',
      });
      const [seen] = vault.requests('database/creds/orders-ro');
      expect(seen!.headers['x-vault-request']).toBe('true');
      expect(seen!.headers['x-vault-token']).toBe(TOKEN);
      expect(seen!.headers['x-vault-namespace']).toBe('team-a');
      vault.on('GET', 'auth/token/lookup-self', errors(403, 'permission denied'));
      await failure(client().lookupSelf());
      const last = vault.seen.at(-1)!;
      expect(last.headers['x-vault-token']).toBe(TOKEN);
      expect(last.headers['x-vault-namespace']).toBeUndefined();
    } finally {
      process.env = saved;
    }
  });

  it('refuse a plain-http Vault that is not on loopback', () => {
    expect(() => new VaultClient({ address: 'http://vault.corp:8200' })).toThrow(/must use https/);
  });
});

describe('errors', () => {
  it('name the refused path when policies do not allow it, without retrying', async () => {
    vault.on('GET', 'database/creds/orders-rw', errors(403, '1 error occurred:\n\t* permission denied\n\n'));
    const error = await failure(client().databaseCreds('database', 'orders-rw'));
    expect(error.message).toBe("Vault refused database/creds/orders-rw: your token's policies do not allow it");
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', status: 403, path: 'database/creds/orders-rw' });
    expect(vault.requests('database/creds/orders-rw')).toHaveLength(1);
  });

  it('tell an expired or revoked sign-in apart from a policy refusal', async () => {
    vault.on('GET', 'auth/token/lookup-self', errors(403, '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'));
    const error = await failure(client().lookupSelf());
    expect(error.message).toBe('Vault says your sign-in has expired or was revoked; run keyfob login');
    expect(error.code).toBe('AUTH_EXPIRED');
  });

  it('say when there is no sign-in at all', async () => {
    vault.on('GET', 'auth/token/lookup-self', errors(403, 'permission denied'));
    const error = await failure(client({ token: undefined }).lookupSelf());
    expect(error).toMatchObject({ code: 'AUTH_REQUIRED', message: 'Vault refused auth/token/lookup-self: you are not signed in; run keyfob login' });
  });

  it('quote the first error of a 400 and do not retry 400, 404 or 501', async () => {
    vault.on('GET', 'database/creds/nope', errors(400, 'unknown role: nope'));
    expect((await failure(client().databaseCreds('database', 'nope'))).message).toBe('Vault rejected database/creds/nope: unknown role: nope');
    vault.on('GET', 'secret/data/missing', { status: 404, body: { errors: [] } });
    expect(await client().kvRead('secret', 'missing')).toBeNull();
    vault.on('POST', 'sys/leases/lookup', errors(501));
    const error = await failure(client().lookupLease('x'));
    expect(error).toMatchObject({ code: 'NOT_INITIALIZED', message: `Vault at ${vault.address} is not initialized` });
    expect(vault.seen).toHaveLength(3);
    expect(sleeps).toEqual([]);
  });

  it('say Vault could not be reached, naming the address', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(client({ address }).lookupSelf());
    expect(error.message).toBe(`Vault could not be reached at ${address}: connection refused`);
    expect(error.code).toBe('VAULT_UNREACHABLE');
    expect(sleeps).toHaveLength(2);
  });

  it('give up on a Vault that does not answer within the timeout', async () => {
    vault.on('GET', 'auth/token/lookup-self', { status: 200, hang: true });
    const error = await failure(client({ timeoutSeconds: 0.2, retry: { retries: 0 } }).lookupSelf());
    expect(error).toMatchObject({ code: 'VAULT_TIMEOUT', message: `Vault at ${vault.address} did not answer auth/token/lookup-self within 0.2s` });
  });

  it('say Vault is sealed after retrying', async () => {
    vault.on('PUT', 'sys/leases/renew', errors(503, 'Vault is sealed'));
    const error = await failure(client().renewLease('database/creds/orders-ro/AbC', 600));
    expect(error).toMatchObject({ code: 'SEALED', message: 'Vault is sealed' });
    expect(vault.requests('sys/leases/renew')).toHaveLength(3);
  });

  it('never carry the token or login secrets, even when Vault echoes them', async () => {
    vault.on('PUT', 'sys/leases/revoke', errors(400, `token ${TOKEN} may not revoke this`));
    const error = await failure(client().revokeLease('x'));
    expect(error.message).toBe('Vault rejected sys/leases/revoke: token [redacted] may not revoke this');
    vault.on('POST', 'auth/jwt/login', (req) => errors(400, `error validating token: ${(req.body as { jwt: string }).jwt} is expired`));
    const login = await failure(client().jwtLogin('jwt', 'engineer', 'eyJhbGciOi.secret-jwt.sig'));
    expect(login.message).toBe('Vault refused the sign-in at auth/jwt/login: error validating token: [redacted] is expired');
    vault.on('GET', 'auth/oidc/oidc/callback', errors(400, 'Vault login failed. Expired or missing OAuth state.'));
    const callback = await failure(client().oidcCallback('oidc', { state: 'st-123456', code: 'code-123456', clientNonce: 'nonce-123456' }));
    expect(callback.message).toBe('Vault refused the sign-in at auth/oidc/oidc/callback: Vault login failed. Expired or missing OAuth state.');
  });
});

describe('retries', () => {
  it('retry a 503 and succeed', async () => {
    vault.on('PUT', 'sys/leases/renew', errors(503, 'overloaded, try again later'), ok({ lease_id: 'l1', renewable: true, lease_duration: 600 }));
    expect(await client().renewLease('l1', 600)).toEqual({ leaseDuration: 600, renewable: true, warnings: [] });
    expect(vault.requests('sys/leases/renew')).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('wait as long as Retry-After says on a 429', async () => {
    vault.on(
      'GET',
      'database/creds/orders-ro',
      { ...errors(429, 'request path "database/creds/orders-ro": rate limit quota exceeded'), headers: { 'Retry-After': '3' } },
      ok({ lease_id: 'database/creds/orders-ro/x', renewable: true, lease_duration: 60, data: { username: 'u', password: 'p' } }),
    );
    await client().databaseCreds('database', 'orders-ro');
    // The whole Retry-After (less the instant since the 429), plus at most 250 ms of spread.
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(2990);
    expect(sleeps[0]).toBeLessThanOrEqual(3250);
  });

  it('do not sit out a long Retry-After: the user hears about it at once', async () => {
    vault.on('GET', 'database/creds/orders-ro', { ...errors(429, 'rate limit quota exceeded'), headers: { 'Retry-After': '120' } });
    const error = await failure(client().databaseCreds('database', 'orders-ro'));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: 'Vault is rate limiting requests to database/creds/orders-ro; try again in a moment' });
    expect(vault.seen).toHaveLength(1);
  });

  it('retry a 412 and other 5xx on replay-safe calls', async () => {
    vault.on(
      'POST',
      'sys/leases/lookup',
      errors(412, 'required index state not present'),
      errors(502, 'upstream'),
      ok({ data: { id: 'l1', issue_time: '2026-01-01T00:00:00Z', expire_time: '2026-01-01T01:00:00Z', last_renewal: null, renewable: true, ttl: 3599 } }),
    );
    const lease = await client().lookupLease('l1');
    expect(lease).toMatchObject({ id: 'l1', ttl: 3599, renewable: true, lastRenewal: null });
    expect(lease.expireTime?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(vault.seen).toHaveLength(3);
  });

  it('do not repeat a credential request after an error that may have issued one', async () => {
    vault.on('GET', 'database/creds/orders-ro', errors(500, 'internal error'));
    const error = await failure(client().databaseCreds('database', 'orders-ro'));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: 'Vault failed on database/creds/orders-ro (HTTP 500): internal error' });
    expect(vault.seen).toHaveLength(1);
  });
});

describe('responses', () => {
  it('are refused with a clear sentence when they do not match the schema', async () => {
    vault.on('GET', 'auth/token/lookup-self', { status: 200, body: { hello: 'world' } });
    expect((await failure(client().lookupSelf())).message).toBe(
      'Vault sent an unexpected answer for auth/token/lookup-self: request_id: Invalid input: expected string, received undefined',
    );
    vault.on('GET', 'auth/token/lookup-self', { status: 200, body: '<html>proxy error</html>' });
    expect((await failure(client().lookupSelf())).message).toBe('Vault sent an unexpected answer for auth/token/lookup-self: a body that is not JSON');
  });

  it('revoke the lease of a credential that cannot be used, so nothing is left behind', async () => {
    vault.on(
      'GET',
      'database/creds/orders-ro',
      ok({ lease_id: 'database/creds/orders-ro/Half', renewable: true, lease_duration: 60, data: { username: 'u' } }),
    );
    vault.on('PUT', 'sys/leases/revoke', { status: 204 });
    const error = await failure(client().databaseCreds('database', 'orders-ro'));
    expect(error).toMatchObject({
      code: 'BAD_RESPONSE',
      message: 'Vault sent an unexpected answer for database/creds/orders-ro: data.password: Invalid input: expected string, received undefined',
    });
    expect(vault.requests('sys/leases/revoke').map((r) => r.body)).toEqual([{ lease_id: 'database/creds/orders-ro/Half' }]);
  });

  it('lookup-self never hands out the token it describes', async () => {
    vault.on(
      'GET',
      'auth/token/lookup-self',
      ok({
        data: {
          accessor: 'acc-1',
          creation_time: 1,
          creation_ttl: 3600,
          display_name: 'oidc-alice',
          entity_id: 'e1',
          expire_time: '2026-01-01T01:00:00Z',
          explicit_max_ttl: 0,
          id: TOKEN,
          issue_time: '2026-01-01T00:00:00Z',
          meta: { role: 'engineer' },
          num_uses: 0,
          orphan: true,
          path: 'auth/oidc/oidc/callback',
          policies: ['default', 'engineer'],
          renewable: true,
          ttl: 3500,
          type: 'service',
        },
      }),
    );
    const info = await client().lookupSelf();
    expect(info).toMatchObject({
      accessor: 'acc-1',
      displayName: 'oidc-alice',
      ttl: 3500,
      renewable: true,
      policies: ['default', 'engineer'],
      meta: { role: 'engineer' },
    });
    expect(JSON.stringify(info)).not.toContain(TOKEN);
  });

  it('health reports a sealed Vault without retrying', async () => {
    vault.on('GET', 'sys/health', { status: 503, body: { initialized: true, sealed: true, standby: true, version: '1.16.0' } });
    expect(await client().health()).toMatchObject({ initialized: true, sealed: true, version: '1.16.0' });
    expect(vault.seen).toHaveLength(1);
    expect(vault.seen[0]!.url).toBe('/v1/sys/health?standbyok=true');
  });
});

describe('endpoints', () => {
  const auth = {
    client_token: 'hvs.new-token-abcdef',
    accessor: 'acc-2',
    policies: ['default', 'engineer'],
    token_policies: ['default', 'engineer'],
    metadata: { role: 'engineer' },
    lease_duration: 3600,
    renewable: true,
    entity_id: 'e1',
    token_type: 'service',
    orphan: true,
  };

  it('jwtLogin sends no stale token and switches to the new one', async () => {
    vault.on('POST', 'auth/jwt/login', ok({ auth }));
    vault.on('GET', 'auth/token/lookup-self', errors(403, 'permission denied'));
    const c = client();
    const result = await c.jwtLogin('jwt', 'engineer', 'eyJ.a.b');
    expect(result).toMatchObject({
      clientToken: 'hvs.new-token-abcdef',
      accessor: 'acc-2',
      leaseDuration: 3600,
      renewable: true,
      metadata: { role: 'engineer' },
    });
    const [login] = vault.requests('auth/jwt/login');
    expect(login!.headers['x-vault-token']).toBeUndefined();
    expect(login!.body).toEqual({ role: 'engineer', jwt: 'eyJ.a.b' });
    await c.lookupSelf().catch(() => undefined);
    expect(vault.requests('auth/token/lookup-self')[0]!.headers['x-vault-token']).toBe('hvs.new-token-abcdef');
  });

  it('oidcAuthUrl and oidcCallback follow the Vault CLI flow', async () => {
    vault.on('POST', 'auth/oidc/oidc/auth_url', ok({ data: { auth_url: 'http://127.0.0.1:9/auth?state=s' } }));
    vault.on('GET', 'auth/oidc/oidc/callback', ok({ auth }));
    const c = client({ token: undefined });
    expect(await c.oidcAuthUrl('oidc', 'engineer', 'http://localhost:8250/oidc/callback', 'n0nce')).toBe('http://127.0.0.1:9/auth?state=s');
    expect(vault.requests('auth/oidc/oidc/auth_url')[0]!.body).toEqual({
      role: 'engineer',
      redirect_uri: 'http://localhost:8250/oidc/callback',
      client_nonce: 'n0nce',
    });
    await c.oidcCallback('oidc', { state: 's', code: 'c', clientNonce: 'n0nce' });
    expect(vault.requests('auth/oidc/oidc/callback')[0]!.url).toBe('/v1/auth/oidc/oidc/callback?state=s&code=c&id_token=&client_nonce=n0nce');
    expect(c.hasToken).toBe(true);
    vault.on('POST', 'auth/oidc/oidc/auth_url', ok({ data: { auth_url: '' } }));
    const refused = await failure(c.oidcAuthUrl('oidc', 'engineer', 'http://localhost:1/cb', 'n'));
    expect(refused).toMatchObject({
      code: 'LOGIN_REFUSED',
      message: `Vault would not start an OIDC login for role "engineer" with redirect_uri http://localhost:1/cb; check the role's allowed_redirect_uris`,
    });
  });

  it('renewSelf passes the increment and reports the capping warning; revokeSelf forgets the token', async () => {
    const warning = 'TTL of "1h" exceeded the effective max_ttl of "14m58s"; TTL value is capped accordingly';
    vault.on('POST', 'auth/token/renew-self', ok({ auth: { ...auth, client_token: TOKEN, lease_duration: 898 }, warnings: [warning] }));
    vault.on('POST', 'auth/token/revoke-self', { status: 204 });
    const c = client();
    expect(await c.renewSelf(3600)).toMatchObject({ leaseDuration: 898, warnings: [warning] });
    expect(vault.requests('auth/token/renew-self')[0]!.body).toEqual({ increment: 3600 });
    await c.revokeSelf();
    expect(c.hasToken).toBe(false);
  });

  it('renewLease, revokeLease', async () => {
    const warning = 'TTL of "1h" exceeded the effective max_ttl of "10m"; TTL value is capped accordingly';
    vault.on('PUT', 'sys/leases/renew', ok({ lease_id: 'l1', renewable: true, lease_duration: 600, warnings: [warning] }));
    vault.on('PUT', 'sys/leases/revoke', { status: 204 });
    const c = client();
    expect(await c.renewLease('l1', 3600)).toEqual({ leaseDuration: 600, renewable: true, warnings: [warning] });
    await c.revokeLease('l1');
    expect(vault.seen.map((s) => s.body)).toEqual([{ lease_id: 'l1', increment: 3600 }, { lease_id: 'l1' }]);
  });

  it('sshSign sends the key, principals and ttl, and returns the certificate', async () => {
    vault.on(
      'POST',
      'ssh-client-signer/sign/engineer',
      ok({ data: { serial_number: 'c73f26d2340276aa', signed_key: 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQ=\n' } }),
    );
    const sig = await client().sshSign('ssh-client-signer', 'engineer', {
      publicKey: 'ssh-ed25519 AAAA',
      validPrincipals: ['alice', 'deploy'],
      ttl: 1800,
      extensions: { 'permit-pty': '' },
    });
    expect(sig).toEqual({ serialNumber: 'c73f26d2340276aa', signedKey: 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQ=', warnings: [] });
    expect(vault.seen[0]!.body).toEqual({
      public_key: 'ssh-ed25519 AAAA',
      valid_principals: 'alice,deploy',
      ttl: '1800s',
      cert_type: 'user',
      extensions: { 'permit-pty': '' },
    });
  });

  it('awsCreds reads session_token, or security_token from older servers', async () => {
    vault.on(
      'POST',
      'aws/sts/dev',
      ok({ lease_id: 'aws/sts/dev/x', renewable: false, lease_duration: 3599, data: { access_key: 'ASIA1', secret_key: 's1', security_token: 'old-style' } }),
    );
    vault.on(
      'GET',
      'aws/creds/dev',
      ok({ lease_id: 'aws/creds/dev/y', renewable: true, lease_duration: 3600, data: { access_key: 'AKIA2', secret_key: 's2', session_token: null } }),
    );
    const c = client();
    expect(await c.awsCreds('aws', 'dev', { type: 'sts', ttl: 3600 })).toMatchObject({
      leaseId: 'aws/sts/dev/x',
      renewable: false,
      accessKey: 'ASIA1',
      sessionToken: 'old-style',
    });
    expect(vault.seen[0]!.body).toEqual({ ttl: '3600s' });
    expect(await c.awsCreds('aws', 'dev', { type: 'creds', ttl: 900 })).toMatchObject({ accessKey: 'AKIA2', sessionToken: null });
    expect(vault.seen[1]!.url).toBe('/v1/aws/creds/dev?ttl=900s');
  });

  it('kvWrite and kvRead use KV v2 paths', async () => {
    const meta = { created_time: '2026-01-01T00:00:00Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 2 };
    vault.on('POST', 'secret/data/handoff/alice', ok({ data: meta }));
    vault.on('GET', 'secret/data/handoff/alice', ok({ data: { data: { note: 'db failover at 3am' }, metadata: meta } }));
    const c = client();
    expect(await c.kvWrite('secret', 'handoff/alice', { note: 'db failover at 3am' }, { cas: 1 })).toEqual({ version: 2, createdTime: '2026-01-01T00:00:00Z' });
    expect(vault.seen[0]!.body).toEqual({ data: { note: 'db failover at 3am' }, options: { cas: 1 } });
    expect(await c.kvRead('secret', 'handoff/alice')).toEqual({ data: { note: 'db failover at 3am' }, version: 2, createdTime: '2026-01-01T00:00:00Z' });
  });
});

describe('TLS', () => {
  let dir: string;
  let server: https.Server;
  let address: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyfob-vault-tls-'));
    // A throwaway CA-less self-signed certificate for 127.0.0.1, made for this run only.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    server = https.createServer({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ initialized: true, sealed: false, standby: false, version: '1.16.0' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('trusts the configured CA file', async () => {
    const c = await createVaultClient({ address, caFile: join(dir, 'cert.pem') });
    clients.push(c);
    expect(await c.health()).toMatchObject({ sealed: false });
    const fromConfig = await createVaultClientFromConfig({ address, timeout: 5, caFile: join(dir, 'cert.pem') });
    clients.push(fromConfig);
    expect(await fromConfig.health()).toMatchObject({ sealed: false });
    await expect(createVaultClient({ address, caFile: join(dir, 'missing.pem') })).rejects.toThrow(
      `Cannot read Vault's CA file ${join(dir, 'missing.pem')}: ENOENT`,
    );
  });

  it('refuses an untrusted certificate, even with VAULT_SKIP_VERIFY set', async () => {
    process.env.VAULT_SKIP_VERIFY = '1';
    try {
      const error = await failure(client({ address, retry: { retries: 0 } }).health());
      expect(error.message).toBe(
        `Vault could not be reached at ${address}: its TLS certificate is self-signed and not trusted (an admin can set vault.caFile)`,
      );
    } finally {
      delete process.env.VAULT_SKIP_VERIFY;
    }
  });
});
