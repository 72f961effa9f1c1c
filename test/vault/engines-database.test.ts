// The database engine's request rules, driven directly (no PostgreSQL needed: verify_connection=false).
import { describe, expect, it } from 'vitest';
import { calculateTtl, generatePassword, generateUsername } from '../stack/vault/engines/database-credentials.ts';
import { databaseBackend } from '../stack/vault/engines/database.ts';
import { formatExpiration, quoteIdentifier, renderConnectionUrl, splitStatement } from '../stack/vault/engines/postgres-plugin.ts';
import { call, refusal } from './support-requests.ts';

const mount = () => databaseBackend({ mountPath: 'database/', config: {} });
const offlineConfig = {
  plugin_name: 'postgresql-database-plugin',
  connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/none',
  username: 'vault',
  password: 'not-returned',
  allowed_roles: 'orders-ro, reports-*',
  verify_connection: false,
};

describe('database engine: config and roles', () => {
  it('stores a connection and reads it back without the password', async () => {
    const db = mount();
    expect(await call(db, 'update', 'config/orders', offlineConfig)).toBeNull();
    const read = await call(db, 'read', 'config/orders');
    expect(read?.data).toMatchObject({
      plugin_name: 'postgresql-database-plugin',
      connection_details: { connection_url: offlineConfig.connection_url, username: 'vault' },
      allowed_roles: ['orders-ro', 'reports-*'],
      verify_connection: false,
    });
    expect(JSON.stringify(read)).not.toContain('not-returned');
    expect((await call(db, 'list', 'config/'))?.data).toEqual({ keys: ['orders'] });
    await db.close?.();
  });

  it('refuses configs Vault would refuse', async () => {
    const db = mount();
    expect(await refusal(call(db, 'update', 'config/x', { connection_url: 'x' }))).toEqual({ status: 400, message: 'empty plugin name' });
    expect((await refusal(call(db, 'update', 'config/x', { plugin_name: 'mysql-database-plugin', connection_url: 'x' }))).status).toBe(400);
    expect(await refusal(call(db, 'update', 'config/x', { plugin_name: 'postgresql-database-plugin', verify_connection: false }))).toEqual({
      status: 400,
      message: 'error creating database object: connection_url cannot be empty',
    });
    const unreachable = await refusal(call(db, 'update', 'config/x', { ...offlineConfig, verify_connection: true }));
    expect(unreachable.status).toBe(400);
    expect(unreachable.message).toMatch(/^error creating database object: error verifying connection/);
    expect(await call(db, 'read', 'config/x')).toBeNull();
  });

  it('reads roles with TTLs in seconds and statements as lists', async () => {
    const db = mount();
    await call(db, 'update', 'roles/orders-ro', {
      db_name: 'orders',
      creation_statements: `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
      default_ttl: '1h',
      max_ttl: '24h',
    });
    const read = await call(db, 'read', 'roles/orders-ro');
    expect(read?.data).toMatchObject({ db_name: 'orders', default_ttl: 3600, max_ttl: 86400, revocation_statements: [], credential_type: 'password' });
    expect((read?.data as { creation_statements: string[] }).creation_statements).toHaveLength(1);
    expect((await call(db, 'list', 'roles/'))?.data).toEqual({ keys: ['orders-ro'] });
    await call(db, 'delete', 'roles/orders-ro');
    expect(await call(db, 'read', 'roles/orders-ro')).toBeNull();
    expect(await call(db, 'list', 'roles/')).toBeNull();
  });

  it('refuses roles without a database, bad durations and ttl above max_ttl', async () => {
    const db = mount();
    expect(await refusal(call(db, 'update', 'roles/r', { creation_statements: 'SELECT 1' }))).toEqual({
      status: 400,
      message: 'empty database name attribute',
    });
    const badTtl = await refusal(call(db, 'update', 'roles/r', { db_name: 'x', default_ttl: 'soon' }));
    expect(badTtl.status).toBe(400);
    expect(badTtl.message).toContain('default_ttl');
    expect(await refusal(call(db, 'update', 'roles/r', { db_name: 'x', default_ttl: 7200, max_ttl: 3600 }))).toEqual({
      status: 400,
      message: 'ttl cannot be greater than max_ttl',
    });
  });

  it('answers creds errors with Vault messages and statuses', async () => {
    const db = mount();
    expect(await refusal(call(db, 'read', 'creds/nope'))).toEqual({ status: 400, message: 'unknown role: nope' });
    await call(db, 'update', 'config/orders', offlineConfig);
    await call(db, 'update', 'roles/admin', { db_name: 'orders', creation_statements: 'SELECT 1' });
    expect(await refusal(call(db, 'read', 'creds/admin'))).toEqual({ status: 500, message: '"admin" is not an allowed role' });
    await call(db, 'update', 'roles/reports-daily', { db_name: 'orders' });
    expect(await refusal(call(db, 'read', 'creds/reports-daily'))).toEqual({ status: 500, message: 'empty creation statements' });
    await call(db, 'update', 'roles/orphan', { db_name: 'gone', creation_statements: 'SELECT 1' });
    expect((await refusal(call(db, 'read', 'creds/orphan'))).status).toBe(500);
    await db.close?.();
  });

  it('answers unknown paths 404 and wrong operations 405', async () => {
    const db = mount();
    expect(await refusal(call(db, 'read', 'nothing/here'))).toEqual({ status: 404, message: 'unsupported path' });
    expect(await refusal(call(db, 'update', 'creds/x'))).toEqual({ status: 405, message: 'unsupported operation' });
  });
});

describe('database engine: names, passwords, statements', () => {
  it('makes usernames in Vault postgres shape, at most 63 characters', () => {
    const name = generateUsername('oidc-alice@example.com', 'orders-readonly', new Date(1_700_000_000_000));
    expect(name).toMatch(/^v-oidc-ali-orders-r-[0-9A-Za-z]{20}-1700000000$/);
    expect(generateUsername('x'.repeat(40), 'y'.repeat(40)).length).toBeLessThanOrEqual(63);
    expect(generateUsername('token', 'readonly')).toMatch(/^v-token-readonly-[0-9A-Za-z]{20}-\d{10}$/);
  });

  it('makes 20-character passwords with the A1a- prefix', () => {
    const password = generatePassword();
    expect(password).toMatch(/^A1a-[0-9A-Za-z]{16}$/);
    expect(generatePassword()).not.toBe(password);
  });

  it('splits statements on ; except blocks, and quotes identifiers', () => {
    expect(splitStatement('CREATE ROLE a; GRANT x TO a;')).toEqual(['CREATE ROLE a', 'GRANT x TO a']);
    const block = `DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE ROLE a; END IF; END $$;`;
    expect(splitStatement(block)).toEqual([block]);
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(formatExpiration(new Date('2030-01-02T03:04:05.678Z'))).toBe('2030-01-02 03:04:05+0000');
    expect(renderConnectionUrl('postgresql://{{username}}:{{password}}@h/db', 'vault', 'p@ss/word')).toBe('postgresql://vault:p%40ss%2Fword@h/db');
  });

  it('caps renewals to what is left of max_ttl and refuses past it', () => {
    const now = new Date('2030-01-01T00:10:00Z');
    const issueTime = new Date('2030-01-01T00:00:00Z');
    expect(calculateTtl({ increment: 0, defaultTtl: 300, maxTtl: 3600, issueTime, now })).toBe(300);
    expect(calculateTtl({ increment: 7200, defaultTtl: 300, maxTtl: 3600, issueTime, now })).toBe(3000);
    expect(calculateTtl({ increment: 0, defaultTtl: 0, maxTtl: 0, issueTime, now })).toBe(768 * 3600 - 600);
    expect(() => calculateTtl({ increment: 60, defaultTtl: 300, maxTtl: 600, issueTime, now })).toThrow('past the max TTL, cannot renew');
  });
});
