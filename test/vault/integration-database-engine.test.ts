// The database engine against a REAL PostgreSQL: issued logins work with their password, can read
// but not write, carry VALID UNTIL, get pushed out on renew, and are gone after revoke.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, SecretSpec } from '../stack/vault/backend.ts';
import { databaseBackend } from '../stack/vault/engines/database.ts';
import { call } from './support-requests.ts';
import { startTestPostgres } from './support-pg.ts';
import type { TestPostgres } from './support-pg.ts';

let postgres: TestPostgres;
let db: Backend;

async function asSuperuser<T>(fn: (client: pg.Client) => Promise<T>, database = 'engine_test'): Promise<T> {
  const client = new pg.Client(postgres.url(database));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function roleRow(username: string): Promise<{ rolname: string; rolvaliduntil: Date | null } | undefined> {
  return asSuperuser(async (c) => (await c.query('SELECT rolname, rolvaliduntil FROM pg_roles WHERE rolname = $1', [username])).rows[0]);
}

async function issue(role: string): Promise<{ username: string; password: string; secret: SecretSpec }> {
  const response = await call(db, 'read', `creds/${role}`);
  const data = response?.data as { username: string; password: string };
  return { ...data, secret: response!.secret! };
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  await asSuperuser((c) => c.query('CREATE DATABASE engine_test'), 'postgres');
  await asSuperuser((c) => c.query('CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL); INSERT INTO orders (item) VALUES ($$widget$$);'));
  db = databaseBackend({ mountPath: 'database/', config: {} });
  expect(
    await call(db, 'update', 'config/orders', {
      plugin_name: 'postgresql-database-plugin',
      connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${postgres.port}/engine_test?sslmode=disable`,
      username: postgres.superuser,
      password: postgres.superuserPassword,
      allowed_roles: ['orders-ro', 'orders-custom'],
    }),
  ).toBeNull();
  await call(db, 'update', 'roles/orders-ro', {
    db_name: 'orders',
    creation_statements: [
      `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
    ],
    default_ttl: '10m',
    max_ttl: '1h',
  });
  await call(db, 'update', 'roles/orders-custom', {
    db_name: 'orders',
    creation_statements: `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
    revocation_statements: `DROP ROLE IF EXISTS "{{name}}";`,
    renew_statements: `ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';`,
    default_ttl: 60,
  });
});

afterAll(async () => {
  await db?.close?.();
  await postgres?.stop();
});

describe('database engine on a real PostgreSQL', () => {
  it('issues a login that can SELECT but not INSERT, valid until ttl + 5 s', async () => {
    const before = Date.now();
    const creds = await issue('orders-ro');
    expect(creds.username).toMatch(/^v-oidc-ali-orders-r-[0-9A-Za-z]{20}-\d+$/);
    expect(creds.secret).toMatchObject({ ttl: 600, maxTtl: 3600, renewable: true });
    expect(creds.secret.internal).toMatchObject({ username: creds.username, role: 'orders-ro', db_name: 'orders' });

    const validUntil = (await roleRow(creds.username))!.rolvaliduntil!.getTime();
    expect(validUntil).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 605_000 - 1000);
    expect(validUntil).toBeLessThanOrEqual(Date.now() + 605_000 + 1000);

    const user = new pg.Client(postgres.url('engine_test', creds.username, creds.password));
    await user.connect();
    try {
      expect((await user.query('SELECT item FROM orders')).rows).toEqual([{ item: 'widget' }]);
      await expect(user.query(`INSERT INTO orders (item) VALUES ('gadget')`)).rejects.toThrow(/permission denied/);
    } finally {
      await user.end();
    }
    const wrong = new pg.Client(postgres.url('engine_test', creds.username, 'A1a-wrongpassword00'));
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    await db.revoke!(creds.secret.internal);
  });

  it('renew pushes VALID UNTIL out, capped by max_ttl', async () => {
    const creds = await issue('orders-ro');
    const first = (await roleRow(creds.username))!.rolvaliduntil!.getTime();
    const renewed = await db.renew!({ internal: creds.secret.internal, increment: 1800, issueTime: new Date() });
    expect(renewed).toEqual({ ttl: 600, maxTtl: 3600 });
    const pushed = (await roleRow(creds.username))!.rolvaliduntil!.getTime();
    expect(pushed - first).toBeGreaterThan(1_000_000); // ~ +1200 s
    expect(pushed).toBeLessThanOrEqual(Date.now() + 1805_000 + 1000);

    // Issued 59 minutes ago: only ~60 s of max_ttl is left, so VALID UNTIL moves to ~now + 65 s.
    await db.renew!({ internal: creds.secret.internal, increment: 1800, issueTime: new Date(Date.now() - 3540_000) });
    const capped = (await roleRow(creds.username))!.rolvaliduntil!.getTime();
    expect(capped).toBeLessThanOrEqual(Date.now() + 66_000);
    await expect(db.renew!({ internal: creds.secret.internal, increment: 60, issueTime: new Date(Date.now() - 3700_000) })).rejects.toThrow(
      'past the max TTL, cannot renew',
    );
    await db.revoke!(creds.secret.internal);
  });

  it('revoke drops the role with the default statements, and is a no-op when it is already gone', async () => {
    const creds = await issue('orders-ro');
    expect(await roleRow(creds.username)).toBeDefined();
    await db.revoke!(creds.secret.internal);
    expect(await roleRow(creds.username)).toBeUndefined();
    await db.revoke!(creds.secret.internal);
  });

  it('uses the role revocation and renew statements when it has them', async () => {
    const creds = await issue('orders-custom');
    expect(creds.secret.ttl).toBe(60);
    await db.renew!({ internal: creds.secret.internal, increment: 0, issueTime: new Date() });
    expect((await roleRow(creds.username))!.rolvaliduntil!.getTime()).toBeLessThanOrEqual(Date.now() + 66_000);
    await db.revoke!(creds.secret.internal);
    expect(await roleRow(creds.username)).toBeUndefined();
  });

  it('rolls back a half-created user when a creation statement fails', async () => {
    await call(db, 'update', 'roles/orders-custom', {
      creation_statements: `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}'; GRANT SELECT ON no_such_table TO "{{name}}";`,
    });
    const before = await asSuperuser(async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'v-%'`)).rows[0].n);
    await expect(call(db, 'read', 'creds/orders-custom')).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/^failed to execute query: /) });
    const after = await asSuperuser(async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'v-%'`)).rows[0].n);
    expect(after).toBe(before);
  });
});
