// Unit checks of the emulator core's rules that need exact time or exact inputs: CalculateTTL,
// Vault's duration printing, ACL parsing and priority matching, and token/lease TTL math driven
// by an injected clock.
import { afterEach, describe, expect, it } from 'vitest';
import { Acl, comparePatterns, parsePolicy } from '../stack/vault/acl.ts';
import type { Backend } from '../stack/vault/backend.ts';
import { startVaultServer } from '../stack/vault/server.ts';
import { sanitizePolicies } from '../stack/vault/tokens.ts';
import { calculateTtl, humanDuration, systemTtls } from '../stack/vault/ttl.ts';

describe('CalculateTTL (vault-api.md §0.6)', () => {
  const issued = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('uses increment, then the backend TTL, then the mount default', () => {
    const base = { mount: systemTtls, backendMaxTtl: 0, explicitMaxTtl: 0, startMs: issued, nowMs: issued };
    expect(calculateTtl({ ...base, increment: 600, backendTtl: 300 }).ttl).toBe(600);
    expect(calculateTtl({ ...base, increment: 0, backendTtl: 300 }).ttl).toBe(300);
    expect(calculateTtl({ ...base, increment: 0, backendTtl: 0 }).ttl).toBe(768 * 3600);
  });

  it('caps at the smallest max and warns with the remaining time', () => {
    const r = calculateTtl({
      mount: systemTtls,
      increment: 3600,
      backendTtl: 0,
      backendMaxTtl: 1800,
      explicitMaxTtl: 0,
      startMs: issued,
      nowMs: issued + 902_000,
    });
    expect(r.ttl).toBe(898);
    expect(r.warnings).toEqual(['TTL of "1h" exceeded the effective max_ttl of "14m58s"; TTL value is capped accordingly']);
    const explicit = calculateTtl({
      mount: { defaultTtl: 60, maxTtl: 7200 },
      increment: 0,
      backendTtl: 0,
      backendMaxTtl: 0,
      explicitMaxTtl: 30,
      nowMs: issued,
    });
    expect(explicit.ttl).toBe(30);
  });

  it('truncates instants to the second before subtracting', () => {
    const r = calculateTtl({
      mount: systemTtls,
      increment: 100,
      backendTtl: 0,
      backendMaxTtl: 60,
      explicitMaxTtl: 0,
      startMs: issued + 999,
      nowMs: issued + 1_998,
    });
    expect(r.ttl).toBe(59);
  });

  it('refuses once past the max TTL', () => {
    expect(() =>
      calculateTtl({ mount: systemTtls, increment: 10, backendTtl: 0, backendMaxTtl: 60, explicitMaxTtl: 0, startMs: issued, nowMs: issued + 60_000 }),
    ).toThrow('past the max TTL, cannot renew');
  });

  it('prints durations as Vault humanDuration does', () => {
    expect(humanDuration(3600)).toBe('1h');
    expect(humanDuration(330)).toBe('5m30s');
    expect(humanDuration(300)).toBe('5m');
    expect(humanDuration(7260)).toBe('2h1m');
    expect(humanDuration(3605)).toBe('1h0m5s');
    expect(humanDuration(7)).toBe('7s');
    expect(humanDuration(0)).toBe('0s');
  });
});

describe('ACL policies', () => {
  it('parses HCL with comments, several blocks and the legacy policy form', () => {
    const rules = parsePolicy(`
      # database credentials
      path "database/creds/orders-ro" {
        capabilities = ["read"]   // just read
      }
      /* a block
         comment */
      path "secret/data/*" { capabilities = ["create", "read", "update", "list",] }
      path "legacy/*" { policy = "write" }
    `);
    expect(rules.map((r) => r.pattern)).toEqual(['database/creds/orders-ro', 'secret/data/*', 'legacy/*']);
    expect([...rules[2]!.capabilities].sort()).toEqual(['create', 'delete', 'list', 'read', 'update']);
  });

  it('parses the JSON policy form', () => {
    const rules = parsePolicy('{"path": {"kv/data/x": {"capabilities": ["read"]}}}');
    expect(rules).toHaveLength(1);
    expect([...rules[0]!.capabilities]).toEqual(['read']);
  });

  it('rejects unknown capabilities and broken text', () => {
    expect(() => parsePolicy('path "a" { capabilities = ["fly"] }')).toThrow(/invalid capability/);
    expect(() => parsePolicy('path "a" { capabilities = ["read"]')).toThrow();
    expect(() => parsePolicy('path "a*b" { capabilities = ["read"] }')).toThrow(/only allowed at the end/);
  });

  it("orders patterns by Vault's priority rules", () => {
    // 1. a later first wildcard wins
    expect(comparePatterns('secret/a/+', 'secret/+/b')).toBeGreaterThan(0);
    // 2. not ending in * beats ending in *
    expect(comparePatterns('secret/+', 'secret/*')).toBeGreaterThan(0);
    // 3. fewer + segments win
    expect(comparePatterns('a/+/c/d', 'a/+/+/d')).toBeGreaterThan(0);
    // 4. longer wins, 5. then lexicographically larger
    expect(comparePatterns('secret/ab*', 'secret/a*')).toBeGreaterThan(0);
    expect(comparePatterns('secret/b*', 'secret/a*')).toBeGreaterThan(0);
  });

  it('allowed_parameters lets through only listed fields and glob-matching values; merging restricts', () => {
    const scoped = parsePolicy(
      'path "sys/leases/revoke" { capabilities = ["update"] allowed_parameters = { "lease_id" = ["database/creds/ro/*"] "sync" = [] } }',
    );
    const acl = new Acl([scoped, parsePolicy('path "sys/leases/revoke" { capabilities = ["update"] }')], false);
    expect(acl.allows('update', 'sys/leases/revoke', false, { lease_id: 'database/creds/ro/abc' })).toBe(true);
    expect(acl.allows('update', 'sys/leases/revoke', false, { lease_id: 'database/creds/ro/abc', sync: false })).toBe(true);
    expect(acl.allows('update', 'sys/leases/revoke', false, { lease_id: 'database/creds/app/abc' })).toBe(false);
    expect(acl.allows('update', 'sys/leases/revoke', false, { lease_id: 'database/creds/ro/abc', other: 1 })).toBe(false);
  });

  it('applies the single most specific match; deny wins; root allows all', () => {
    const acl = new Acl(
      [
        parsePolicy(`
          path "secret/*" { capabilities = ["read", "list"] }
          path "secret/team/+/db" { capabilities = ["update"] }
          path "secret/team/x/db" { capabilities = ["deny"] }
          path "secret/admin" { capabilities = ["read", "sudo"] }
        `),
        parsePolicy('path "secret/*" { capabilities = ["create"] }'),
      ],
      false,
    );
    expect(acl.allows('read', 'secret/anything', false)).toBe(true);
    expect(acl.allows('create', 'secret/anything', false)).toBe(true); // merged across policies
    expect(acl.allows('update', 'secret/team/a/db', false)).toBe(true);
    expect(acl.allows('read', 'secret/team/a/db', false)).toBe(false); // + rule beats the glob
    expect(acl.allows('update', 'secret/team/x/db', false)).toBe(false);
    expect(acl.allows('read', 'secret/admin', true)).toBe(true);
    expect(acl.allows('read', 'secret/anything', true)).toBe(false);
    expect(acl.allows('read', 'other/path', false)).toBe(false);
    expect(acl.describe('other/path')).toEqual(['deny']);
    expect(new Acl([], true).allows('delete', 'sys/anything', true)).toBe(true);
  });

  it('sanitizes token policies: sorted, deduplicated, default added, root alone', () => {
    expect(sanitizePolicies(['prod', 'dev', 'dev'], true)).toEqual(['default', 'dev', 'prod']);
    expect(sanitizePolicies(['prod'], false)).toEqual(['prod']);
    expect(sanitizePolicies(['root', 'x'], true)).toEqual(['root']);
  });
});

describe('TTL math through the server with an injected clock', () => {
  let clock = Date.UTC(2026, 0, 1, 9, 0, 0);
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  async function start(backends: Record<string, () => Backend> = {}) {
    const server = await startVaultServer({ backends, rootToken: 'root-token', now: () => clock });
    stop = () => server.stop();
    return async (method: string, path: string, body?: unknown, token = 'root-token') => {
      const res = await fetch(`${server.addr}/v1/${path}`, {
        method,
        headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
  }

  it('caps renew-self at explicit_max_ttl with the exact warning and expires the token by the clock', async () => {
    const call = await start();
    const created = await call('POST', 'auth/token/create', { policies: ['default'], ttl: '1h', explicit_max_ttl: '2h' });
    const token = created.json.auth.client_token as string;
    clock += 50 * 60 * 1000;
    const renewed = await call('POST', 'auth/token/renew-self', { increment: '2h' }, token);
    expect(renewed.status).toBe(200);
    expect(renewed.json.auth.lease_duration).toBe(4200);
    expect(renewed.json.warnings).toEqual(['TTL of "2h" exceeded the effective max_ttl of "1h10m"; TTL value is capped accordingly']);
    const looked = await call('GET', 'auth/token/lookup-self', undefined, token);
    expect(looked.json.data.ttl).toBe(4200);
    clock += 70 * 60 * 1000;
    const expired = await call('GET', 'auth/token/lookup-self', undefined, token);
    expect(expired.status).toBe(403);
    expect(expired.json.errors).toEqual(['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n']);
  });

  it('login tokens get the mount-derived display name, default policy and a stable entity', async () => {
    const login: Backend = {
      type: 'fake-auth',
      unauthenticatedPaths: ['login'],
      async handle(req) {
        return { auth: { alias: String(req.data.user), policies: ['dev'], metadata: { role: 'dev-role' }, ttl: 0, maxTtl: 0, renewable: true } };
      },
    };
    const call = await start({ 'fake-auth': () => login });
    expect((await call('POST', 'sys/auth/team/oidc', { type: 'fake-auth' })).status).toBe(204);
    const first = await call('POST', 'auth/team/oidc/login', { user: 'alice' }, '');
    expect(first.status).toBe(200);
    expect(first.json.auth).toMatchObject({
      policies: ['default', 'dev'],
      token_policies: ['default', 'dev'],
      metadata: { role: 'dev-role' },
      lease_duration: 768 * 3600,
      renewable: true,
      token_type: 'service',
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    });
    expect(first.json.auth.client_token).toMatch(/^hvs\./);
    expect(first.json.mount_type).toBe('');
    const second = await call('POST', 'auth/team/oidc/login', { user: 'alice' }, '');
    expect(second.json.auth.entity_id).toBe(first.json.auth.entity_id);
    const self = await call('GET', 'auth/token/lookup-self', undefined, first.json.auth.client_token);
    expect(self.json.data).toMatchObject({ display_name: 'team-oidc-alice', path: 'auth/team/oidc/login', orphan: true, meta: { role: 'dev-role' } });
  });

  it('sets lease_duration from the backend TTL, capped by the mount max, and renews from issue time', async () => {
    const leasing: Backend = {
      type: 'fake-lease',
      async handle() {
        return { data: { username: 'u' }, secret: { ttl: 7200, maxTtl: 0, renewable: true, internal: {} } };
      },
    };
    const call = await start({ 'fake-lease': () => leasing });
    await call('POST', 'sys/mounts/db', { type: 'fake-lease', config: { max_lease_ttl: '1h' } });
    const issued = await call('GET', 'db/creds/x');
    expect(issued.json.lease_duration).toBe(3600);
    clock += 50 * 60 * 1000;
    const renewed = await call('PUT', 'sys/leases/renew', { lease_id: issued.json.lease_id, increment: 1200 });
    expect(renewed.json.lease_duration).toBe(600);
    expect(renewed.json.warnings).toEqual(['TTL of "20m" exceeded the effective max_ttl of "10m"; TTL value is capped accordingly']);
    clock += 11 * 60 * 1000;
    const late = await call('PUT', 'sys/leases/renew', { lease_id: issued.json.lease_id });
    expect(late.status).toBe(400);
    expect(late.json.errors).toEqual(['lease expired']);
  });
});
