// The engines mounted in the Vault-compatible server, over HTTP, against the stack's real
// PostgreSQL and sshd: creds → lease → renew → revoke drops the role, a short TTL expires and
// drops it on its own, a signed key logs in to sshd, and AWS STS leases cannot be renewed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_VAULT_STATEMENTS, startPostgres } from '../stack/postgres.ts';
import type { RunningPostgres } from '../stack/postgres.ts';
import { startSshd } from '../stack/sshd.ts';
import { isolatedSshArgs } from '../integration/support/ssh.ts';
import type { RunningSshd } from '../stack/sshd.ts';
import { engineBackends } from '../stack/vault/engines/index.ts';
import { startVaultServer } from '../stack/vault/server.ts';
import type { VaultServer } from '../stack/vault/server.ts';

const run = promisify(execFile);
let dir: string;
let postgres: RunningPostgres;
let vault: VaultServer;
let sshd: RunningSshd | undefined;

interface Reply {
  status: number;
  body: Record<string, unknown> & { data?: Record<string, unknown> | null; errors?: string[]; warnings?: string[] | null };
  text: string;
  contentType: string | null;
}

async function v(method: string, path: string, body?: unknown, token: string | null = vault.rootToken): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token) headers['X-Vault-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${vault.addr}/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed: Reply['body'] = {};
  if (text && response.headers.get('content-type')?.includes('application/json')) parsed = JSON.parse(text) as Reply['body'];
  return { status: response.status, body: parsed, text, contentType: response.headers.get('content-type') };
}

const pgUrl = (user: string, password: string) =>
  `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${postgres.port}/orders?sslmode=disable`;

async function roleValidUntil(username: string): Promise<Date | null | undefined> {
  const admin = new pg.Client(pgUrl(postgres.adminUser, postgres.adminPassword));
  await admin.connect();
  try {
    const rows = (await admin.query<{ rolvaliduntil: Date | null }>('SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1', [username])).rows;
    return rows.length === 0 ? undefined : rows[0]!.rolvaliduntil;
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyfob-engines-http-'));
  [postgres, vault] = await Promise.all([startPostgres({ dir: join(dir, 'pg') }), startVaultServer({ backends: { ...engineBackends } })]);
  for (const [path, type] of [
    ['database', 'database'],
    ['ssh-client-signer', 'ssh'],
    ['aws', 'aws'],
  ]) {
    expect((await v('POST', `sys/mounts/${path}`, { type })).status).toBe(204);
  }
  expect(
    (
      await v('POST', 'database/config/orders', {
        plugin_name: 'postgresql-database-plugin',
        connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${postgres.port}/orders?sslmode=disable`,
        username: postgres.adminUser,
        password: postgres.adminPassword,
        allowed_roles: 'orders-ro,orders-brief',
      })
    ).status,
  ).toBe(204);
  expect(
    (await v('POST', 'database/roles/orders-ro', { db_name: 'orders', ...ORDERS_VAULT_STATEMENTS['orders-ro'], default_ttl: '5m', max_ttl: '1h' })).status,
  ).toBe(204);
  await v('POST', 'database/roles/orders-brief', { db_name: 'orders', ...ORDERS_VAULT_STATEMENTS['orders-ro'], default_ttl: 2, max_ttl: 60 });
});

afterAll(async () => {
  await sshd?.stop();
  await vault?.stop();
  await postgres?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('database engine over HTTP', () => {
  it('creds come with a renewable lease; renew pushes VALID UNTIL; revoke drops the role', async () => {
    const creds = await v('GET', 'database/creds/orders-ro');
    expect(creds.status).toBe(200);
    expect(creds.body).toMatchObject({ renewable: true, lease_duration: 300, mount_type: 'database' });
    expect(creds.body.lease_id).toMatch(/^database\/creds\/orders-ro\/[0-9A-Za-z]{24}$/);
    const { username, password } = creds.body.data as { username: string; password: string };
    expect(username).toMatch(/^v-root-orders-r-[0-9A-Za-z]{20}-\d+$/);

    const client = new pg.Client(pgUrl(username, password));
    await client.connect();
    expect((await client.query('SELECT count(*)::int AS n FROM customers')).rows[0].n).toBe(3);
    await client.end();

    const before = (await roleValidUntil(username))!.getTime();
    const renewed = await v('POST', 'sys/leases/renew', { lease_id: creds.body.lease_id, increment: 1800 });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ lease_id: creds.body.lease_id, renewable: true, lease_duration: 1800 });
    expect((await roleValidUntil(username))!.getTime() - before).toBeGreaterThan(1400_000);

    expect((await v('POST', 'sys/leases/revoke', { lease_id: creds.body.lease_id })).status).toBe(204);
    expect(await roleValidUntil(username)).toBeUndefined();
    expect((await v('POST', 'sys/leases/lookup', { lease_id: creds.body.lease_id })).body.errors).toEqual(['invalid lease']);
  });

  it('a lease that runs out drops its role without anyone asking', async () => {
    const creds = await v('GET', 'database/creds/orders-brief');
    expect(creds.body.lease_duration).toBe(2);
    const { username } = creds.body.data as { username: string };
    expect(await roleValidUntil(username)).not.toBeUndefined();
    const deadline = Date.now() + 15_000;
    while ((await roleValidUntil(username)) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await roleValidUntil(username)).toBeUndefined();
  });

  it('speaks Vault errors: unknown role 400, not allowed 500, empty list 404', async () => {
    expect(await v('GET', 'database/creds/nope').then((r) => [r.status, r.body.errors])).toEqual([400, ['unknown role: nope']]);
    await v('POST', 'database/roles/sneaky', { db_name: 'orders', creation_statements: 'SELECT 1' });
    expect(await v('GET', 'database/creds/sneaky').then((r) => [r.status, r.body.errors])).toEqual([500, ['"sneaky" is not an allowed role']]);
    expect((await v('LIST', 'database/roles')).body.data).toEqual({ keys: ['orders-brief', 'orders-ro', 'sneaky'] });
    expect((await v('GET', 'database/config/orders')).body.data).not.toHaveProperty('connection_details.password');
  });
});

describe('ssh engine over HTTP', () => {
  it('signs a key (no lease) that logs in to a real sshd trusting the unauthenticated public_key', async () => {
    const ca = await v('POST', 'ssh-client-signer/config/ca', { generate_signing_key: true });
    expect(ca.status).toBe(200);
    const publicKey = await v('GET', 'ssh-client-signer/public_key', undefined, null);
    expect(publicKey.status).toBe(200);
    expect(publicKey.contentType).toMatch(/^text\/plain/);
    expect(publicKey.text).toBe((ca.body.data as { public_key: string }).public_key);

    sshd = await startSshd({ dir: join(dir, 'sshd'), caPublicKey: publicKey.text });
    expect(
      (
        await v('POST', 'ssh-client-signer/roles/login', {
          key_type: 'ca',
          allow_user_certificates: true,
          allowed_users: sshd.user,
          default_user: sshd.user,
          ttl: '5m',
          max_ttl: '10m',
        })
      ).status,
    ).toBe(204);

    const keyPath = join(dir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
    const signed = await v('POST', 'ssh-client-signer/sign/login', { public_key: await readFile(`${keyPath}.pub`, 'utf8') });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0 });
    const { signed_key: signedKey, serial_number: serial } = signed.body.data as { signed_key: string; serial_number: string };
    expect(serial).toMatch(/^[0-9a-f]+$/);
    await writeFile(`${keyPath}-cert.pub`, signedKey);
    await writeFile(join(dir, 'known_hosts'), `${sshd.knownHostsLine}\n`);
    const { stdout } = await run(
      'ssh',
      isolatedSshArgs({ key: keyPath, cert: `${keyPath}-cert.pub`, knownHosts: join(dir, 'known_hosts'), port: sshd.port, user: sshd.user }, [
        'echo certificate-login-ok',
      ]),
      { timeout: 20_000 },
    );
    expect(stdout).toContain('certificate-login-ok');

    const tooLong = await v('POST', 'ssh-client-signer/sign/login', { public_key: await readFile(`${keyPath}.pub`, 'utf8'), ttl: '1h' });
    expect([tooLong.status, tooLong.body.errors]).toEqual([400, ['ttl is larger than maximum allowed 600']]);
  });
});

describe('aws engine over HTTP', () => {
  it('STS leases are not renewable and revoke as a no-op; iam_user leases renew', async () => {
    await v('POST', 'aws/config/root', { access_key: 'AKIAEXAMPLEROOTKEY00', secret_key: 'x', region: 'us-east-1' });
    await v('POST', 'aws/roles/deploy', { credential_type: 'assumed_role', role_arns: 'arn:aws:iam::123456789012:role/Deploy' });
    await v('POST', 'aws/roles/ci', { credential_type: 'iam_user', policy_arns: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });

    const sts = await v('POST', 'aws/sts/deploy', { ttl: '15m' });
    expect(sts.status).toBe(200);
    expect(sts.body).toMatchObject({ renewable: false, lease_duration: 900 });
    expect(sts.body.lease_id).toMatch(/^aws\/sts\/deploy\/[0-9A-Za-z]{24}$/);
    expect(sts.body.data).toMatchObject({ access_key: expect.stringMatching(/^ASIA/), session_token: expect.any(String), security_token: expect.any(String) });
    const renew = await v('POST', 'sys/leases/renew', { lease_id: sts.body.lease_id });
    expect([renew.status, renew.body.errors]).toEqual([400, ['lease is not renewable']]);
    expect((await v('POST', 'sys/leases/revoke', { lease_id: sts.body.lease_id })).status).toBe(204);

    const creds = await v('GET', 'aws/creds/deploy?ttl=20m');
    expect(creds.body.lease_duration).toBe(1200);
    const iam = await v('GET', 'aws/creds/ci');
    expect(iam.body).toMatchObject({ renewable: true });
    expect((iam.body.data as { access_key: string }).access_key).toMatch(/^AKIA/);
    expect((await v('POST', 'sys/leases/renew', { lease_id: iam.body.lease_id, increment: 600 })).body.lease_duration).toBe(600);
  });
});
