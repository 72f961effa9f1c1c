// Talking to the stack's real PostgreSQL as a Vault-issued login and as its admin.
import pg from 'pg';
import type { StackInfo } from '../../stack/stack.ts';

/** Run `fn` with a connection to the orders database as `user`; always disconnects. */
export async function withPg<T>(info: StackInfo, user: string, password: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    host: info.postgres.host,
    port: info.postgres.port,
    database: info.postgres.database,
    user,
    password,
    connectionTimeoutMillis: 10_000,
  });
  // A revoked login's backend is terminated; that must not crash the test process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Does a role of this name exist in the cluster (pg_roles)? Asked as the admin. */
export function roleExists(info: StackInfo, role: string): Promise<boolean> {
  return withPg(info, info.postgres.adminUser, info.postgres.adminPassword, async (client) => {
    const res = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    return res.rowCount === 1;
  });
}
