// Vault wire conformance (vault-api.md §0, §2, §3, §7, §8, §9, §11) spoken only over HTTP to a
// base address, so the same checks run against the stack's Vault-compatible server and — when
// KEYFOB_TEST_VAULT_ADDR (+ KEYFOB_TEST_VAULT_TOKEN) is set or a `vault`/`bao` binary is on
// PATH — against a real server too. Lease checks need an engine that leases without outside
// services; on the emulator that is a tiny fake engine defined below, on a real server they are
// skipped (the engine suites cover real leasing engines).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendRequest, BackendResponse } from '../stack/vault/backend.ts';
import { startVaultServer } from '../stack/vault/server.ts';

const INVALID_TOKEN = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n';
const ENVELOPE_KEYS = ['auth', 'data', 'lease_duration', 'lease_id', 'mount_type', 'renewable', 'request_id', 'warnings', 'wrap_info'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Target {
  addr: string;
  token: string;
  /** A path whose read returns a lease: `<leasePath>?ttl=..&max_ttl=..&renewable=..` (emulator only). */
  leasing: boolean;
  stop(): Promise<void>;
}

// ---------- the fake leasing engine (emulator only) ----------

/** Issues leased "credentials"; records revocations; can be told to fail revoking. */
function fakeLeasingEngine(): Backend {
  const revoked: string[] = [];
  const failing = new Set<string>();
  let n = 0;
  return {
    type: 'fake-lease',
    async handle(req: BackendRequest): Promise<BackendResponse | null> {
      if (req.path === 'revoked' && req.operation === 'read') return { data: { usernames: [...revoked] } };
      if (req.path === 'fail' && req.operation === 'update') {
        const user = String(req.data.username);
        if (req.data.fail === true) failing.add(user);
        else failing.delete(user);
        return null;
      }
      const m = /^creds\/([\w-]+)$/.exec(req.path);
      if (m && req.operation === 'read') {
        n += 1;
        const username = `${req.data.user ?? `u${n}`}`;
        const ttl = Number(req.data.ttl ?? 60);
        const maxTtl = Number(req.data.max_ttl ?? 120);
        return {
          data: { username, password: randomBytes(8).toString('hex') },
          secret: { ttl, maxTtl, renewable: req.data.renewable !== 'false', internal: { username, ttl, maxTtl } },
        };
      }
      return null;
    },
    async renew(r) {
      return { ttl: Number(r.internal.ttl), maxTtl: Number(r.internal.maxTtl) };
    },
    async revoke(internal) {
      const user = String(internal.username);
      if (failing.has(user)) throw new Error(`database unreachable while dropping ${user}`);
      revoked.push(user);
    },
  };
}

async function emulatorTarget(): Promise<Target> {
  const server = await startVaultServer({ backends: { 'fake-lease': () => fakeLeasingEngine() } });
  return { addr: server.addr, token: server.rootToken, leasing: true, stop: () => server.stop() };
}

// ---------- a real Vault / OpenBao, when there is one ----------

function binaryOnPath(): string | undefined {
  for (const name of ['vault', 'bao']) {
    if (spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0) return name;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function realTarget(): Promise<Target> {
  const givenAddr = process.env.KEYFOB_TEST_VAULT_ADDR;
  if (givenAddr) {
    return { addr: givenAddr.replace(/\/+$/, ''), token: process.env.KEYFOB_TEST_VAULT_TOKEN ?? '', leasing: false, stop: async () => undefined };
  }
  const binary = binaryOnPath()!;
  const port = await freePort();
  const token = `root-${randomBytes(12).toString('hex')}`;
  const child: ChildProcess = spawn(binary, ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const addr = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${addr}/v1/sys/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`${binary} dev server did not become healthy`);
    }
    await sleep(200);
  }
  return {
    addr,
    token,
    leasing: false,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

const realReason = process.env.KEYFOB_TEST_VAULT_ADDR ? undefined : binaryOnPath() ? undefined : 'no KEYFOB_TEST_VAULT_ADDR and no vault/bao binary on PATH';

// ---------- HTTP helpers ----------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function call(
  t: Target,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? t.token : opts.token;
  if (token !== null) headers['X-Vault-Token'] = token;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${t.addr}/v1/${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const rand = () => randomBytes(4).toString('hex');

async function mountKv2(t: Target): Promise<string> {
  const path = `kvc-${rand()}`;
  expect((await call(t, 'POST', `sys/mounts/${path}`, { body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
  // A real Vault upgrades a fresh KV v2 mount for a moment; wait until it takes writes.
  for (let i = 0; i < 50; i += 1) {
    const r = await call(t, 'POST', `${path}/data/probe`, { body: { data: { ok: true } } });
    if (r.status === 200) return path;
    await sleep(100);
  }
  throw new Error('kv mount never became writable');
}

async function tokenWith(t: Target, body: Record<string, unknown>): Promise<string> {
  const r = await call(t, 'POST', 'auth/token/create', { body });
  expect(r.status).toBe(200);
  return r.json.auth.client_token as string;
}

async function putPolicy(t: Target, name: string, policy: string): Promise<void> {
  expect((await call(t, 'PUT', `sys/policies/acl/${name}`, { body: { policy } })).status).toBe(204);
}

async function poll<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(150);
  }
}

// ---------- the suite ----------

function conformance(start: () => Promise<Target>): void {
  let t: Target;
  let kv: string;
  beforeAll(async () => {
    t = await start();
    kv = await mountKv2(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('envelope and status codes (§0.1, §0.2)', () => {
    it('wraps every JSON success in the 8 keys plus mount_type, with a fresh request_id', async () => {
      const w = await call(t, 'POST', `${kv}/data/app/db`, { body: { data: { user: 'alice' } } });
      expect(w.status).toBe(200);
      expect(Object.keys(w.json).sort()).toEqual(ENVELOPE_KEYS);
      expect(w.json.data).toMatchObject({ version: 1, deletion_time: '', destroyed: false, custom_metadata: null });
      const r1 = await call(t, 'GET', `${kv}/data/app/db`);
      const r2 = await call(t, 'GET', `${kv}/data/app/db`);
      for (const r of [r1, r2]) {
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toContain('application/json');
        expect(r.headers.get('cache-control')).toBe('no-store');
        expect(Object.keys(r.json).sort()).toEqual(ENVELOPE_KEYS);
        expect(r.json.request_id).toMatch(UUID);
        expect(r.json).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, wrap_info: null, warnings: null, auth: null, mount_type: 'kv' });
        expect(r.json.data.data).toEqual({ user: 'alice' });
        expect(r.json.data.metadata).toMatchObject({ version: 1, deletion_time: '', destroyed: false, custom_metadata: null });
        expect(typeof r.json.data.metadata.created_time).toBe('string');
      }
      expect(r1.json.request_id).not.toBe(r2.json.request_id);
    });

    it('answers a read of nothing with 404 {"errors":[]}', async () => {
      const r = await call(t, 'GET', `${kv}/data/app/nothing-here`);
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ errors: [] });
      expect(r.headers.get('content-type')).toContain('application/json');
    });

    it('KV v2: a deleted version is a 404 that still carries its metadata; undelete brings it back', async () => {
      expect((await call(t, 'POST', `${kv}/data/app/gone`, { body: { data: { v: 1 } } })).status).toBe(200);
      expect((await call(t, 'DELETE', `${kv}/data/app/gone`)).status).toBe(204);
      const r = await call(t, 'GET', `${kv}/data/app/gone`);
      expect(r.status).toBe(404);
      expect(r.json.data.data).toBeNull();
      expect(r.json.data.metadata.version).toBe(1);
      expect(r.json.data.metadata.deletion_time).not.toBe('');
      expect((await call(t, 'POST', `${kv}/undelete/app/gone`, { body: { versions: [1] } })).status).toBe(204);
      expect((await call(t, 'GET', `${kv}/data/app/gone?version=1`)).json.data.data).toEqual({ v: 1 });
    });

    it('lists with LIST and with GET ?list=true; an empty list is a 404', async () => {
      const viaList = await call(t, 'LIST', `${kv}/metadata/app`);
      const viaGet = await call(t, 'GET', `${kv}/metadata/app/?list=true`);
      expect(viaList.status).toBe(200);
      expect(viaList.json.data.keys).toEqual(expect.arrayContaining(['db']));
      expect(viaGet.json.data.keys).toEqual(viaList.json.data.keys);
      const empty = await call(t, 'LIST', `${kv}/metadata/nowhere/`);
      expect(empty.status).toBe(404);
      expect(empty.json).toEqual({ errors: [] });
    });

    it('returns 204 with no body for writes without data', async () => {
      const r = await call(t, 'PUT', `sys/policies/acl/p-${rand()}`, { body: { policy: 'path "x/*" { capabilities = ["read"] }' } });
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
    });

    it('accepts form bodies as well as JSON', async () => {
      const name = `form-${rand()}`;
      const r = await call(t, 'PUT', `sys/policies/acl/${name}`, {
        raw: new URLSearchParams({ policy: 'path "f/*" { capabilities = ["list"] }' }).toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect(r.status).toBe(204);
      expect((await call(t, 'GET', `sys/policies/acl/${name}`)).json.data.policy).toContain('"f/*"');
    });
  });

  describe('errors (§0.3, §0.4, §0.5)', () => {
    it('rejects an unknown token with the exact 2-error multierror', async () => {
      const r = await call(t, 'GET', `${kv}/data/app/db`, { token: 'hvs.not-a-real-token' });
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ errors: [INVALID_TOKEN] });
      expect(r.headers.get('content-type')).toContain('application/json');
    });

    it('rejects a request without a token with 403 permission denied', async () => {
      const r = await call(t, 'GET', `${kv}/data/app/db`, { token: null });
      expect(r.status).toBe(403);
      expect(r.json.errors).toHaveLength(1);
      expect(r.json.errors[0]).toContain('permission denied');
    });

    it('takes the token from Authorization: Bearer and accepts X-Vault-Request', async () => {
      const r = await call(t, 'GET', 'auth/token/lookup-self', { token: null, headers: { Authorization: `Bearer ${t.token}`, 'X-Vault-Request': 'true' } });
      expect(r.status).toBe(200);
      expect(r.json.data.id).toBe(t.token);
    });

    it('refuses a non-root namespace with 403', async () => {
      const r = await call(t, 'GET', 'auth/token/lookup-self', { headers: { 'X-Vault-Namespace': 'team-a/' } });
      expect(r.status).toBe(403);
      expect(r.json.errors.join(' ')).toContain('namespaces feature not enabled');
    });

    it('answers bad JSON with 400 "error parsing JSON"', async () => {
      const r = await call(t, 'PUT', `sys/policies/acl/bad-${rand()}`, { raw: '{"policy": ', headers: { 'Content-Type': 'application/json' } });
      expect(r.status).toBe(400);
      expect(r.json.errors[0]).toContain('error parsing JSON');
    });

    it("refuses writes to a path ending in '/'", async () => {
      const r = await call(t, 'POST', `${kv}/data/dir/`, { body: { data: { a: 1 } } });
      expect(r.status).toBe(400);
      expect(r.json.errors).toEqual(["cannot write to a path ending in '/'"]);
    });

    it('answers an unrouted path with 404 and an unsupported method with 405', async () => {
      const r = await call(t, 'GET', `nowhere-${rand()}/thing`);
      expect(r.status).toBe(404);
      expect(Array.isArray(r.json.errors)).toBe(true);
      const m = await call(t, 'PROPFIND', `${kv}/data/app/db`);
      expect(m.status).toBe(405);
    });
  });

  describe('mounts and policies', () => {
    it('enables, lists and disables a secrets engine; a second enable at the same path is a 400', async () => {
      const path = `m-${rand()}`;
      expect((await call(t, 'POST', `sys/mounts/${path}`, { body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
      const list = await call(t, 'GET', 'sys/mounts');
      expect(list.json.data[`${path}/`]).toMatchObject({ type: 'kv', options: { version: '2' } });
      const again = await call(t, 'POST', `sys/mounts/${path}`, { body: { type: 'kv', options: { version: '2' } } });
      expect(again.status).toBe(400);
      expect(again.json.errors[0]).toContain('path is already in use');
      expect((await call(t, 'DELETE', `sys/mounts/${path}`)).status).toBe(204);
      expect((await call(t, 'GET', 'sys/mounts')).json.data[`${path}/`]).toBeUndefined();
    });

    it('stores, lists and deletes ACL policies; refuses policy text it cannot parse', async () => {
      const name = `pol-${rand()}`;
      await putPolicy(t, name, 'path "secret/data/*" {\n  capabilities = ["read", "list"]\n}\n');
      const got = await call(t, 'GET', `sys/policies/acl/${name}`);
      expect(got.json.data).toMatchObject({ name });
      expect(got.json.data.policy).toContain('secret/data/*');
      const list = await call(t, 'LIST', 'sys/policies/acl');
      expect(list.json.data.keys).toEqual(expect.arrayContaining(['default', 'root', name]));
      const bad = await call(t, 'PUT', `sys/policies/acl/${name}`, { body: { policy: 'path "x" { capabilities = ["fly"] }' } });
      expect(bad.status).toBe(400);
      expect((await call(t, 'DELETE', `sys/policies/acl/${name}`)).status).toBe(204);
      expect((await call(t, 'GET', `sys/policies/acl/${name}`)).status).toBe(404);
    });
  });

  describe('ACL enforcement', () => {
    let narrow: string;
    beforeAll(async () => {
      const name = `narrow-${rand()}`;
      await putPolicy(
        t,
        name,
        `path "${kv}/data/team/+/config" { capabilities = ["read"] }
         path "${kv}/data/shared/*" { capabilities = ["read", "create", "update"] }
         path "${kv}/data/shared/locked" { capabilities = ["deny"] }
         path "${kv}/metadata/shared/" { capabilities = ["list"] }`,
      );
      for (const p of ['team/a/config', 'team/a/secret', 'shared/one', 'shared/locked', 'other']) {
        await call(t, 'POST', `${kv}/data/${p}`, { body: { data: { p } } });
      }
      narrow = await tokenWith(t, { policies: [name], ttl: '10m' });
    });

    it('allows what the policy grants: + matches one segment, * a prefix, exact list paths', async () => {
      expect((await call(t, 'GET', `${kv}/data/team/a/config`, { token: narrow })).status).toBe(200);
      expect((await call(t, 'GET', `${kv}/data/shared/one`, { token: narrow })).status).toBe(200);
      expect((await call(t, 'LIST', `${kv}/metadata/shared`, { token: narrow })).status).toBe(200);
      expect((await call(t, 'POST', `${kv}/data/shared/two`, { token: narrow, body: { data: { x: 1 } } })).status).toBe(200);
    });

    it('denies everything else with 403 permission denied', async () => {
      for (const [method, path] of [
        ['GET', `${kv}/data/team/a/secret`],
        ['GET', `${kv}/data/team/a/b/config`],
        ['GET', `${kv}/data/other`],
        ['GET', `${kv}/data/shared/locked`],
        ['DELETE', `${kv}/data/shared/one`],
        ['GET', 'sys/mounts'],
      ] as const) {
        const r = await call(t, method, path, { token: narrow });
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.json.errors[0]).toContain('permission denied');
      }
    });

    it('the default policy grants lookup-self and capabilities-self but not sys/leases/revoke', async () => {
      expect((await call(t, 'GET', 'auth/token/lookup-self', { token: narrow })).status).toBe(200);
      const caps = await call(t, 'POST', 'sys/capabilities-self', { token: narrow, body: { paths: [`${kv}/data/shared/x`] } });
      expect(caps.status).toBe(200);
      expect([...caps.json.data.capabilities].sort()).toEqual(['create', 'read', 'update']);
      const revoke = await call(t, 'PUT', 'sys/leases/revoke', { token: narrow, body: { lease_id: 'x/y/z' } });
      expect(revoke.status).toBe(403);
    });
  });

  describe('tokens (§2, §11.5)', () => {
    it('lookup-self returns every documented field', async () => {
      const token = await tokenWith(t, { policies: ['default'], ttl: '1h', display_name: 'conformance', meta: { who: 'test' } });
      const r = await call(t, 'GET', 'auth/token/lookup-self', { token });
      expect(r.status).toBe(200);
      for (const key of [
        'accessor',
        'creation_time',
        'creation_ttl',
        'display_name',
        'entity_id',
        'expire_time',
        'explicit_max_ttl',
        'id',
        'issue_time',
        'meta',
        'num_uses',
        'orphan',
        'path',
        'policies',
        'renewable',
        'ttl',
        'type',
      ]) {
        expect(r.json.data, key).toHaveProperty(key);
      }
      expect(r.json.data).toMatchObject({
        id: token,
        display_name: 'token-conformance',
        creation_ttl: 3600,
        policies: ['default'],
        renewable: true,
        type: 'service',
        meta: { who: 'test' },
        path: 'auth/token/create',
      });
      expect(r.json.data.ttl).toBeGreaterThan(3590);
      expect(Date.parse(r.json.data.expire_time)).toBeGreaterThan(Date.now());
    });

    it('token create answers with an auth block', async () => {
      const r = await call(t, 'POST', 'auth/token/create', { body: { policies: ['default'], ttl: '30m' } });
      expect(r.status).toBe(200);
      expect(r.json.auth).toMatchObject({
        policies: ['default'],
        token_policies: ['default'],
        lease_duration: 1800,
        renewable: true,
        token_type: 'service',
        orphan: false,
      });
      expect(typeof r.json.auth.client_token).toBe('string');
      expect(typeof r.json.auth.accessor).toBe('string');
    });

    it('renew-self past the max TTL is a 200 with a capped lease_duration and the warning', async () => {
      const token = await tokenWith(t, { policies: ['default'], ttl: '1h', explicit_max_ttl: '2h' });
      const r = await call(t, 'POST', 'auth/token/renew-self', { token, body: { increment: '3h' } });
      expect(r.status).toBe(200);
      expect(r.json.auth.client_token).toBe(token);
      expect(r.json.auth.lease_duration).toBeLessThanOrEqual(7200);
      expect(r.json.auth.lease_duration).toBeGreaterThan(7180);
      expect(r.json.warnings).toHaveLength(1);
      expect(r.json.warnings[0]).toMatch(/^TTL of "3h" exceeded the effective max_ttl of "(2h|1h59m[0-9]+s)"; TTL value is capped accordingly$/);
    });

    it('revoke-self is a 204, then the token is invalid', async () => {
      const token = await tokenWith(t, { policies: ['default'], ttl: '1h' });
      const r = await call(t, 'POST', 'auth/token/revoke-self', { token });
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
      const after = await call(t, 'GET', 'auth/token/lookup-self', { token });
      expect(after.status).toBe(403);
      expect(after.json).toEqual({ errors: [INVALID_TOKEN] });
    });

    it('an expired token gets the 403 permission denied + invalid token multierror', async () => {
      const token = await tokenWith(t, { policies: ['default'], ttl: '2s' });
      expect((await call(t, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
      const r = await poll(async () => {
        const x = await call(t, 'GET', 'auth/token/lookup-self', { token });
        return x.status === 403 ? x : undefined;
      }, 10_000);
      expect(r.json).toEqual({ errors: [INVALID_TOKEN] });
    });
  });

  describe('health (§8, §11.7)', () => {
    it('is unauthenticated, JSON, 200 when active', async () => {
      const r = await call(t, 'GET', 'sys/health', { token: 'hvs.garbage' });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        initialized: true,
        sealed: false,
        standby: false,
        performance_standby: false,
        replication_dr_mode: 'disabled',
        replication_performance_mode: 'disabled',
      });
      for (const key of ['server_time_utc', 'version', 'cluster_name', 'cluster_id']) expect(r.json).toHaveProperty(key);
    });

    it('lets the query pick the status code and keeps the JSON body', async () => {
      const r = await call(t, 'GET', 'sys/health?activecode=218&standbyok=true', { token: null });
      expect(r.status).toBe(218);
      expect(r.json.initialized).toBe(true);
      expect((await call(t, 'GET', 'sys/health?activecode=abc', { token: null })).status).toBe(400);
    });

    it('HEAD returns only the status', async () => {
      const r = await call(t, 'HEAD', 'sys/health', { token: null });
      expect(r.status).toBe(200);
      expect(r.text).toBe('');
    });
  });

  describe('response wrapping (§7)', () => {
    it('wraps a read: only wrap_info, then lookup, unwrap once, and a second unwrap is a 400', async () => {
      const w = await call(t, 'GET', `${kv}/data/app/db`, { headers: { 'X-Vault-Wrap-TTL': '60s' } });
      expect(w.status).toBe(200);
      expect(w.json.request_id).toBe('');
      expect(w.json.data).toBeNull();
      expect(w.json.wrap_info).toMatchObject({ ttl: 60, creation_path: `${kv}/data/app/db` });
      expect(typeof w.json.wrap_info.token).toBe('string');
      expect(typeof w.json.wrap_info.accessor).toBe('string');
      expect(Number.isNaN(Date.parse(w.json.wrap_info.creation_time))).toBe(false);
      const wrapToken = w.json.wrap_info.token as string;

      const look = await call(t, 'POST', 'sys/wrapping/lookup', { token: null, body: { token: wrapToken } });
      expect(look.status).toBe(200);
      expect(look.json.data).toMatchObject({ creation_path: `${kv}/data/app/db`, creation_ttl: 60 });

      const u = await call(t, 'POST', 'sys/wrapping/unwrap', { token: wrapToken });
      expect(u.status).toBe(200);
      expect(u.json.data.data).toEqual({ user: 'alice' });
      const again = await call(t, 'POST', 'sys/wrapping/unwrap', { body: { token: wrapToken } });
      expect(again.status).toBe(400);
      expect(again.json).toEqual({ errors: ['wrapping token is not valid or does not exist'] });
    });

    it('sys/wrapping/wrap wraps arbitrary data for a default-policy token', async () => {
      const token = await tokenWith(t, { policies: ['default'], ttl: '10m' });
      const w = await call(t, 'POST', 'sys/wrapping/wrap', { token, body: { zip: 'zap' }, headers: { 'X-Vault-Wrap-TTL': '300' } });
      expect(w.status).toBe(200);
      expect(w.json.wrap_info.creation_path).toBe('sys/wrapping/wrap');
      const u = await call(t, 'POST', 'sys/wrapping/unwrap', { token, body: { token: w.json.wrap_info.token } });
      expect(u.json.data).toEqual({ zip: 'zap' });
    });

    it('refuses a bad X-Vault-Wrap-TTL with 400', async () => {
      const r = await call(t, 'GET', `${kv}/data/app/db`, { headers: { 'X-Vault-Wrap-TTL': 'soon' } });
      expect(r.status).toBe(400);
      expect(r.json.errors[0]).toContain('X-Vault-Wrap-TTL');
    });
  });

  describe('rate-limit quota (§9, §11.8)', () => {
    it('answers over-quota requests with 429, the exact message and Retry-After', async () => {
      const quota = `q-${rand()}`;
      expect((await call(t, 'POST', 'sys/quotas/config', { body: { enable_rate_limit_response_headers: true } })).status).toBe(204);
      expect((await call(t, 'POST', `sys/quotas/rate-limit/${quota}`, { body: { path: `${kv}/`, rate: 2, interval: '30s' } })).status).toBe(204);
      try {
        const path = `${kv}/data/app/db`;
        const replies: Reply[] = [];
        for (let i = 0; i < 4; i += 1) replies.push(await call(t, 'GET', path));
        const limited = replies.find((r) => r.status === 429);
        expect(limited, 'one request over the quota').toBeDefined();
        expect(limited!.json).toEqual({ errors: [`request path "${path}": rate limit quota exceeded`] });
        expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(limited!.headers.get('x-ratelimit-limit')).toBe('2');
        expect((await call(t, 'GET', 'sys/health')).status).toBe(200);
      } finally {
        await call(t, 'DELETE', `sys/quotas/rate-limit/${quota}`);
        await call(t, 'POST', 'sys/quotas/config', { body: { enable_rate_limit_response_headers: false } });
      }
    });
  });

  describe('leases (§3, §11.4)', () => {
    let fake: string;
    const skip = () => !t.leasing;
    beforeAll(async () => {
      if (skip()) return;
      fake = `fake-${rand()}`;
      expect((await call(t, 'POST', `sys/mounts/${fake}`, { body: { type: 'fake-lease' } })).status).toBe(204);
    });
    const issue = async (q: Record<string, string>, token?: string) => {
      const r = await call(t, 'GET', `${fake}/creds/app?${new URLSearchParams(q)}`, token ? { token } : {});
      expect(r.status).toBe(200);
      return r.json;
    };
    const revokedUsers = async (): Promise<string[]> => (await call(t, 'GET', `${fake}/revoked`)).json.data.usernames;

    it('issues leases as <path>/<24 base62> with the lease fields filled in', async (ctx) => {
      if (skip()) return ctx.skip();
      const body = await issue({ ttl: '60', max_ttl: '120' });
      expect(body.lease_id).toMatch(new RegExp(`^${fake}/creds/app/[0-9A-Za-z]{24}$`));
      expect(body).toMatchObject({ renewable: true, lease_duration: 60, mount_type: 'fake-lease' });
      expect(Object.keys(body).sort()).toEqual(ENVELOPE_KEYS);
    });

    it('looks a lease up; unknown and empty ids are 400s', async (ctx) => {
      if (skip()) return ctx.skip();
      const lease = await issue({ ttl: '60' });
      const r = await call(t, 'PUT', 'sys/leases/lookup', { body: { lease_id: lease.lease_id } });
      expect(r.status).toBe(200);
      expect(Object.keys(r.json.data).sort()).toEqual(['expire_time', 'id', 'issue_time', 'last_renewal', 'renewable', 'ttl']);
      expect(r.json.data).toMatchObject({ id: lease.lease_id, renewable: true, last_renewal: null });
      expect(r.json.data.ttl).toBeGreaterThan(55);
      const unknown = await call(t, 'PUT', 'sys/leases/lookup', { body: { lease_id: `${fake}/creds/app/nope` } });
      expect(unknown.status).toBe(400);
      expect(unknown.json).toEqual({ errors: ['invalid lease'] });
      const empty = await call(t, 'PUT', 'sys/leases/lookup', { body: {} });
      expect(empty.status).toBe(400);
      expect(empty.json).toEqual({ errors: ['lease_id must be specified'] });
    });

    it('renews within max TTL, caps past it with a warning, and refuses unknown or non-renewable leases', async (ctx) => {
      if (skip()) return ctx.skip();
      const lease = await issue({ ttl: '60', max_ttl: '90' });
      const ok = await call(t, 'PUT', 'sys/leases/renew', { body: { lease_id: lease.lease_id, increment: 30 } });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ lease_id: lease.lease_id, renewable: true, lease_duration: 30, warnings: null });
      const capped = await call(t, 'PUT', `sys/renew/${lease.lease_id}`, { body: { increment: '1h' } });
      expect(capped.status).toBe(200);
      expect(capped.json.lease_duration).toBeLessThanOrEqual(90);
      expect(capped.json.lease_duration).toBeGreaterThan(80);
      expect(capped.json.warnings[0]).toMatch(/^TTL of "1h" exceeded the effective max_ttl of "1m[0-9]+s"; TTL value is capped accordingly$/);
      const looked = await call(t, 'PUT', 'sys/leases/lookup', { body: { lease_id: lease.lease_id } });
      expect(looked.json.data.last_renewal).not.toBeNull();

      const unknown = await call(t, 'PUT', 'sys/leases/renew', { body: { lease_id: `${fake}/creds/app/gone` } });
      expect(unknown.status).toBe(400);
      expect(unknown.json).toEqual({ errors: ['lease not found'] });
      const sts = await issue({ ttl: '60', renewable: 'false' });
      const refused = await call(t, 'PUT', 'sys/leases/renew', { body: { lease_id: sts.lease_id } });
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ errors: ['lease is not renewable'] });
    });

    it('revokes: 204 (also for unknown ids), 202 for sync=false, URL and legacy forms', async (ctx) => {
      if (skip()) return ctx.skip();
      const a = await issue({ user: `a-${rand()}` });
      const r = await call(t, 'PUT', 'sys/leases/revoke', { body: { lease_id: a.lease_id } });
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
      expect(await revokedUsers()).toContain(a.data.username);
      expect((await call(t, 'PUT', 'sys/leases/lookup', { body: { lease_id: a.lease_id } })).status).toBe(400);
      expect((await call(t, 'PUT', 'sys/leases/revoke', { body: { lease_id: `${fake}/creds/app/unknown` } })).status).toBe(204);

      const b = await issue({ user: `b-${rand()}` });
      const lazy = await call(t, 'PUT', 'sys/leases/revoke', { body: { lease_id: b.lease_id, sync: false } });
      expect(lazy.status).toBe(202);
      expect(lazy.text).toBe('');
      await poll(async () => ((await revokedUsers()).includes(b.data.username) ? true : undefined), 5000);

      const c = await issue({ user: `c-${rand()}` });
      expect((await call(t, 'PUT', `sys/revoke/${c.lease_id}`)).status).toBe(204);
      expect(await revokedUsers()).toContain(c.data.username);
    });

    it('a failing backend revoke is a 400 with its message and keeps the lease', async (ctx) => {
      if (skip()) return ctx.skip();
      const user = `f-${rand()}`;
      const lease = await issue({ user });
      await call(t, 'PUT', `${fake}/fail`, { body: { username: user, fail: true } });
      const r = await call(t, 'PUT', 'sys/leases/revoke', { body: { lease_id: lease.lease_id } });
      expect(r.status).toBe(400);
      expect(r.json.errors[0]).toContain('database unreachable');
      expect((await call(t, 'PUT', 'sys/leases/lookup', { body: { lease_id: lease.lease_id } })).status).toBe(200);
      await call(t, 'PUT', `${fake}/fail`, { body: { username: user, fail: false } });
      expect((await call(t, 'PUT', 'sys/leases/revoke', { body: { lease_id: lease.lease_id } })).status).toBe(204);
    });

    it('revoke-prefix needs sudo and revokes everything under the prefix', async (ctx) => {
      if (skip()) return ctx.skip();
      const users = [`p1-${rand()}`, `p2-${rand()}`];
      for (const user of users) await issue({ user });
      const plain = await tokenWith(t, { policies: ['default'], ttl: '10m' });
      expect((await call(t, 'PUT', `sys/leases/revoke-prefix/${fake}/creds/`, { token: plain })).status).toBe(403);
      expect((await call(t, 'PUT', `sys/leases/revoke-prefix/${fake}/creds/`)).status).toBe(204);
      expect(await revokedUsers()).toEqual(expect.arrayContaining(users));
      const list = await call(t, 'LIST', `sys/leases/lookup/${fake}/creds/app/`);
      expect(list.status).toBe(404);
    });

    it('leases expire on their own, and a failed expiry revoke is retried', async (ctx) => {
      if (skip()) return ctx.skip();
      const quick = await issue({ user: `e-${rand()}`, ttl: '1' });
      await poll(async () => ((await revokedUsers()).includes(quick.data.username) ? true : undefined), 6000);
      const stubborn = `s-${rand()}`;
      await call(t, 'PUT', `${fake}/fail`, { body: { username: stubborn, fail: true } });
      const lease = await issue({ user: stubborn, ttl: '1' });
      await sleep(1500);
      expect(await revokedUsers()).not.toContain(stubborn);
      await call(t, 'PUT', `${fake}/fail`, { body: { username: stubborn, fail: false } });
      await poll(async () => ((await revokedUsers()).includes(stubborn) ? true : undefined), 8000);
      expect((await call(t, 'PUT', 'sys/leases/lookup', { body: { lease_id: lease.lease_id } })).status).toBe(400);
    });

    it('revoking a token revokes the leases it read', async (ctx) => {
      if (skip()) return ctx.skip();
      const policy = `reader-${rand()}`;
      await putPolicy(t, policy, `path "${fake}/creds/*" { capabilities = ["read"] }`);
      const token = await tokenWith(t, { policies: [policy], ttl: '10m' });
      const user = `t-${rand()}`;
      await issue({ user }, token);
      expect((await call(t, 'POST', 'auth/token/revoke-self', { token })).status).toBe(204);
      expect(await revokedUsers()).toContain(user);

      // An expiring token takes its leases with it, even long ones.
      const shortLived = await tokenWith(t, { policies: [policy], ttl: '2s' });
      const longUser = `l-${rand()}`;
      const long = await issue({ user: longUser, ttl: '3600', max_ttl: '7200' }, shortLived);
      const listed = await call(t, 'LIST', `sys/leases/lookup/${fake}/creds/app/`);
      expect(listed.json.data.keys).toContain(long.lease_id.split('/').pop());
      await poll(async () => ((await revokedUsers()).includes(longUser) ? true : undefined), 8000);
    });
  });
}

describe('Vault conformance: the stack emulator', () => {
  conformance(emulatorTarget);
});

if (realReason) console.info(`[conformance] real Vault run skipped: ${realReason}`);
describe.skipIf(realReason !== undefined)(`Vault conformance: a real server (${realReason ?? 'available'})`, () => {
  conformance(realTarget);
});
