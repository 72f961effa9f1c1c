// An engineer's `database/creds/orders-ro` is a real PostgreSQL login that can read and not
// write; revoking its lease drops the role, and so does letting it expire.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from '../../main/core/config/index.ts';
import { engineerLogin } from './support/login.ts';
import { roleExists, withPg } from './support/postgres.ts';
import { useStack } from './support/stack.ts';
import { expectBody, LeaseReply, sessionChildToken, vaultClient, type VaultClient } from './support/vault.ts';

// Short enough to watch expiry, long enough for a few queries.
const TTL_SECONDS = 8;
const fixture = useStack({ databaseTtl: `${TTL_SECONDS}s`, databaseMaxTtl: '30s' });
const DbCreds = LeaseReply(z.object({ username: z.string().min(1), password: z.string().min(1) }));

let engineer: VaultClient;
let engineerToken: string;

beforeAll(async () => {
  const auth = await engineerLogin(fixture.stack.info);
  expect(auth.policies).toContain('engineer');
  engineer = vaultClient(fixture.stack.info.vault.addr, auth.client_token);
  engineerToken = auth.client_token;
});

async function ordersRoCreds() {
  return expectBody(await engineer.read('database/creds/orders-ro'), DbCreds);
}

async function waitUntilGone(role: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await roleExists(fixture.stack.info, role))) return true;
    await sleep(250);
  }
  return !(await roleExists(fixture.stack.info, role));
}

describe('database/creds/orders-ro on the real PostgreSQL', () => {
  it("config.yaml's orders-ro target promises the TTL that Vault issues", () => {
    const { configFile } = fixture.stack;
    const target = parseConfig(readFileSync(configFile, 'utf8'), configFile).targets.find((t) => t.id === 'orders-ro');
    expect(target).toMatchObject({
      kind: 'database',
      ttl: TTL_SECONDS,
      maxTtl: 30,
      database: { vaultRole: 'orders-ro', port: fixture.stack.info.postgres.port },
    });
  });

  it("logs in and can SELECT but not INSERT; after the session token's revoke-self the role is gone", async () => {
    const info = fixture.stack.info;
    const { client: child } = await sessionChildToken(info.vault.addr, engineerToken);
    const creds = expectBody(await child.read('database/creds/orders-ro'), DbCreds);
    expect(creds.renewable).toBe(true);
    expect(creds.lease_duration).toBe(TTL_SECONDS);
    expect(creds.lease_id).toMatch(/^database\/creds\/orders-ro\//);
    const { username, password } = creds.data;

    await withPg(info, username, password, async (client) => {
      const orders = await client.query('SELECT id, item FROM orders ORDER BY id');
      expect(orders.rowCount).toBeGreaterThan(0);
      await expect(client.query(`INSERT INTO orders (customer_id, item, quantity, total_cents) VALUES (1, 'x', 1, 1)`)).rejects.toThrow(/permission denied/);
    });
    expect(await roleExists(info, username)).toBe(true);

    // As Keyfob ends a session: the session's child token (which read the lease) revokes itself.
    const revoke = await child.write('auth/token/revoke-self');
    expect(revoke.status).toBe(204);
    expect(await roleExists(info, username)).toBe(false);
    await expect(withPg(info, username, password, async () => undefined)).rejects.toThrow();
  });

  it('drops the role on its own when the lease TTL runs out, without a revoke', async () => {
    const info = fixture.stack.info;
    const creds = await ordersRoCreds();
    const { username, password } = creds.data;
    await withPg(info, username, password, (client) => client.query('SELECT count(*) FROM customers'));
    expect(await roleExists(info, username)).toBe(true);

    const issued = Date.now();
    expect(await waitUntilGone(username, (TTL_SECONDS + 10) * 1000)).toBe(true);
    // Expiry, not something earlier, removed it.
    expect(Date.now() - issued).toBeGreaterThan((TTL_SECONDS - 2) * 1000);
    const lookup = await engineer.write('sys/leases/lookup', { lease_id: creds.lease_id });
    expect(lookup.status).toBe(400);
  }, 40_000);
});
