// The database engine on the stack's own PostgreSQL with the admin setup's statements
// (ORDERS_VAULT_STATEMENTS): logins get the group's rights, and revoking one ends its open
// session as well as dropping it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_VAULT_STATEMENTS, startPostgres } from '../stack/postgres.ts';
import type { RunningPostgres } from '../stack/postgres.ts';
import type { Backend } from '../stack/vault/backend.ts';
import { databaseBackend } from '../stack/vault/engines/database.ts';
import { call } from './support-requests.ts';

let dir: string;
let postgres: RunningPostgres;
let db: Backend;

const url = (user: string, password: string) =>
  `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${postgres.port}/orders?sslmode=disable`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyfob-engines-stackpg-'));
  postgres = await startPostgres({ dir });
  db = databaseBackend({ mountPath: 'database/', config: {} });
  await call(db, 'update', 'config/orders', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${postgres.port}/orders?sslmode=disable`,
    username: postgres.adminUser,
    password: postgres.adminPassword,
    allowed_roles: 'orders-*',
  });
  for (const [name, statements] of Object.entries(ORDERS_VAULT_STATEMENTS)) {
    await call(db, 'update', `roles/${name}`, { db_name: 'orders', ...statements, default_ttl: '5m', max_ttl: '1h' });
  }
});

afterAll(async () => {
  await db?.close?.();
  await postgres?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('database engine with the stack admin setup', () => {
  it('gives orders-ro read access and orders-rw write access', async () => {
    for (const [role, canWrite] of [
      ['orders-ro', false],
      ['orders-rw', true],
    ] as const) {
      const response = await call(db, 'read', `creds/${role}`);
      const { username, password } = response?.data as { username: string; password: string };
      const client = new pg.Client(url(username, password));
      await client.connect();
      try {
        expect((await client.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBeGreaterThan(0);
        const update = client.query(`UPDATE orders SET status = status WHERE id = 1`);
        if (canWrite) await expect(update).resolves.toBeDefined();
        else await expect(update).rejects.toThrow(/permission denied/);
      } finally {
        await client.end();
      }
      await db.revoke!(response!.secret!.internal);
    }
  });

  it('revoke ends the open session and drops the role', async () => {
    const response = await call(db, 'read', 'creds/orders-ro');
    const { username, password } = response?.data as { username: string; password: string };
    const session = new pg.Client(url(username, password));
    session.on('error', () => {}); // the server ends this session; that is the point
    await session.connect();
    await db.revoke!(response!.secret!.internal);
    await expect(session.query('SELECT 1')).rejects.toThrow();
    await session.end().catch(() => {});

    const admin = new pg.Client(url(postgres.adminUser, postgres.adminPassword));
    await admin.connect();
    try {
      expect((await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount).toBe(0);
    } finally {
      await admin.end();
    }
    await expect(new pg.Client(url(username, password)).connect()).rejects.toThrow(/password authentication failed|does not exist/);
  });
});
