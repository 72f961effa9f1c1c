// The stack's throwaway PostgreSQL: the admin Vault uses can log in, `orders` holds data, the
// grants convention gives Vault-made roles exactly SELECT (orders-ro) or write (orders-rw),
// and stopping leaves no server process and a deletable dir.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_VAULT_STATEMENTS, startPostgres, type RunningPostgres } from '../stack/postgres.ts';
import { isAlive } from '../stack/processes.ts';

let dir: string;
let server: RunningPostgres;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyfob-pg-test-'));
  server = await startPostgres({ dir });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function client(user: string, password: string, database = 'orders'): pg.Client {
  return new pg.Client({ host: server.host, port: server.port, user, password, database });
}

async function queryAs<T extends pg.QueryResultRow>(user: string, password: string, sql: string, database = 'orders'): Promise<T[]> {
  const c = client(user, password, database);
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** Run a Vault role's statements the way Vault's database engine does (vault-api.md §4). */
async function vaultStatements(statements: readonly string[], vars: Record<string, string>): Promise<void> {
  const admin = client(server.adminUser, server.adminPassword);
  await admin.connect();
  try {
    await admin.query('BEGIN');
    for (const s of statements) await admin.query(s.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? ''));
    await admin.query('COMMIT');
  } finally {
    await admin.end();
  }
}

async function issueRole(role: keyof typeof ORDERS_VAULT_STATEMENTS): Promise<{ name: string; password: string }> {
  const name = `v-test-${role}-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(16).toString('base64url');
  const expiration = new Date(Date.now() + 3600_000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '+0000');
  await vaultStatements(ORDERS_VAULT_STATEMENTS[role].creation_statements, { name, password, expiration });
  return { name, password };
}

async function revokeRole(name: string, role: keyof typeof ORDERS_VAULT_STATEMENTS): Promise<void> {
  await vaultStatements(ORDERS_VAULT_STATEMENTS[role].revocation_statements, { name });
}

function childPids(parent: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('throwaway PostgreSQL', () => {
  it('listens on loopback and lets the admin in with its password', async () => {
    expect(server.host).toBe('127.0.0.1');
    const rows = await queryAs<{ superuser: boolean }>(
      server.adminUser,
      server.adminPassword,
      'SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
    );
    expect(rows[0]?.superuser).toBe(true);
  });

  it('refuses a wrong password', async () => {
    await expect(queryAs(server.adminUser, 'not-the-password', 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });

  it('has an orders database with customers and their orders', async () => {
    const rows = await queryAs<{ name: string; item: string }>(
      server.adminUser,
      server.adminPassword,
      'SELECT c.name, o.item FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id',
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows[0]).toEqual({ name: 'Ada Lovelace', item: 'Analytical engine gears' });
  });

  it('an orders-ro login can read orders but not write, and not reach other databases', async () => {
    const { name, password } = await issueRole('orders-ro');
    const rows = await queryAs<{ n: string }>(name, password, 'SELECT count(*) AS n FROM orders');
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    await expect(queryAs(name, password, "INSERT INTO customers (name, email) VALUES ('Eve', 'eve@example.com')")).rejects.toThrow(/permission denied/);
    await expect(queryAs(name, password, 'CREATE TABLE loot (x int)')).rejects.toThrow(/permission denied/);
    await expect(queryAs(name, password, 'SELECT 1', 'postgres')).rejects.toThrow(/permission denied/);
    await revokeRole(name, 'orders-ro');
  });

  it('an orders-rw login can insert and update', async () => {
    const { name, password } = await issueRole('orders-rw');
    const inserted = await queryAs<{ id: number }>(
      name,
      password,
      "INSERT INTO customers (name, email) VALUES ('Radia Perlman', 'radia@example.com') RETURNING id",
    );
    expect(inserted[0]?.id).toBeGreaterThan(0);
    await queryAs(name, password, `UPDATE orders SET status = 'shipped' WHERE id = 2`);
    await expect(queryAs(name, password, 'CREATE TABLE loot (x int)')).rejects.toThrow(/permission denied/);
    await revokeRole(name, 'orders-rw');
  });

  it('revocation ends open sessions and drops the role', async () => {
    const { name, password } = await issueRole('orders-ro');
    const open = client(name, password);
    await open.connect();
    open.on('error', () => {}); // the termination arrives as an async error on the idle client
    await revokeRole(name, 'orders-ro');
    await expect(open.query('SELECT 1')).rejects.toThrow();
    await open.end().catch(() => {});
    const left = await queryAs(server.adminUser, server.adminPassword, `SELECT 1 FROM pg_roles WHERE rolname = '${name}'`);
    expect(left).toHaveLength(0);
    await expect(queryAs(name, password, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });

  it('stops with no server process left, and the dir can be removed', async () => {
    const other = mkdtempSync(join(tmpdir(), 'keyfob-pg-stop-'));
    const second = await startPostgres({ dir: other });
    expect(isAlive(second.pid)).toBe(true);
    const backends = childPids(second.pid);
    expect(backends.length).toBeGreaterThan(0); // checkpointer, walwriter, ...
    await second.stop();
    expect(isAlive(second.pid)).toBe(false);
    expect(backends.filter(isAlive)).toEqual([]);
    rmSync(other, { recursive: true });
    expect(existsSync(other)).toBe(false);
  });
});
