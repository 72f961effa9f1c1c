// The SSH engine: CA configuration, role rules and Vault's error messages, and certificates that
// OpenSSH's own ssh-keygen parses with the principals, validity, extensions, key ID and serial asked for.
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../stack/vault/backend.ts';
import { sshBackend } from '../stack/vault/engines/ssh.ts';
import { aliceCaller, call, refusal } from './support-requests.ts';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyfob-engines-ssh-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A user key made by ssh-keygen itself, so parsing is checked against OpenSSH's encoding. */
async function userKey(type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', name = `id_${type}_${Math.random().toString(36).slice(2)}`): Promise<string> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', 'alice@laptop', '-f', path]);
  return readFile(`${path}.pub`, 'utf8');
}

/** ssh-keygen -L output for a certificate line. */
async function inspect(signedKey: string): Promise<string> {
  const path = join(dir, `cert-${Math.random().toString(36).slice(2)}-cert.pub`);
  await writeFile(path, signedKey);
  return (await run('ssh-keygen', ['-L', '-f', path])).stdout;
}

async function mountWithCa(): Promise<Backend> {
  const ssh = sshBackend({ mountPath: 'ssh-client-signer/', config: {} });
  await call(ssh, 'update', 'config/ca', {});
  await call(ssh, 'update', 'roles/engineer', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'alice,deploy',
    default_user: 'alice',
    allowed_extensions: 'permit-pty,permit-port-forwarding',
    default_extensions: { 'permit-pty': '' },
    ttl: '30m',
    max_ttl: '1h',
  });
  return ssh;
}

const sign = (ssh: Backend, data: Record<string, unknown>, role = 'engineer') => call(ssh, 'update', `sign/${role}`, data);

describe('ssh engine: CA', () => {
  it('generates a CA key, shows it on config/ca and the unauthenticated public_key, and refuses a second one', async () => {
    const ssh = sshBackend({ mountPath: 'ssh-client-signer/', config: {} });
    expect(ssh.unauthenticatedPaths).toContain('public_key');
    expect(await call(ssh, 'read', 'public_key', {}, undefined)).toBeNull();
    expect(await refusal(call(ssh, 'read', 'config/ca'))).toEqual({ status: 400, message: "keys haven't been configured yet" });

    const generated = await call(ssh, 'update', 'config/ca', { generate_signing_key: true });
    const publicKey = (generated?.data as { public_key: string }).public_key;
    expect(publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+\n$/);
    expect((await call(ssh, 'read', 'config/ca'))?.data).toEqual({ public_key: publicKey });
    expect(await call(ssh, 'read', 'public_key', {}, undefined)).toEqual({ raw: { status: 200, contentType: 'text/plain', body: publicKey } });

    const keyFile = join(dir, 'ca.pub');
    await writeFile(keyFile, publicKey);
    expect((await run('ssh-keygen', ['-l', '-f', keyFile])).stdout).toMatch(/^256 SHA256:\S+ .*\(ED25519\)/);
    expect(await refusal(call(ssh, 'update', 'config/ca', {}))).toEqual({
      status: 400,
      message: 'keys are already configured; delete them before reconfiguring',
    });
    expect(await call(ssh, 'delete', 'config/ca')).toBeNull();
    expect(await call(ssh, 'read', 'public_key', {}, undefined)).toBeNull();
  });

  it('imports an OpenSSH key pair (204) and signs with it', async () => {
    const ssh = sshBackend({ mountPath: 'ssh-client-signer/', config: {} });
    const path = join(dir, 'imported_ca');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
    const [privateKey, publicKey] = await Promise.all([readFile(path, 'utf8'), readFile(`${path}.pub`, 'utf8')]);
    expect(await call(ssh, 'update', 'config/ca', { generate_signing_key: false, private_key: privateKey, public_key: publicKey })).toBeNull();
    expect((await call(ssh, 'read', 'public_key', {}, undefined))?.raw?.body).toBe(`${publicKey.trim()}\n`);
    await call(ssh, 'update', 'roles/any', { key_type: 'ca', allow_user_certificates: true, allowed_users: '*', default_user: 'alice' });
    const signed = (await sign(ssh, { public_key: await userKey() }, 'any'))?.data as { signed_key: string };
    const fingerprint = (await run('ssh-keygen', ['-l', '-f', `${path}.pub`])).stdout.split(' ')[1];
    expect(await inspect(signed.signed_key)).toContain(`Signing CA: ED25519 ${fingerprint}`);
  });

  it('refuses half key pairs and mixed generate requests with Vault messages', async () => {
    const ssh = sshBackend({ mountPath: 'm/', config: {} });
    expect(await refusal(call(ssh, 'update', 'config/ca', { public_key: 'ssh-ed25519 AAAA' }))).toEqual({
      status: 400,
      message: 'only one of public_key and private_key set; both must be set to use, or both must be blank to auto-generate',
    });
    expect(await refusal(call(ssh, 'update', 'config/ca', { generate_signing_key: true, private_key: 'x' }))).toEqual({
      status: 400,
      message: 'public_key and private_key must not be set when generate_signing_key is set to true',
    });
    expect(await refusal(call(ssh, 'update', 'config/ca', { generate_signing_key: false, private_key: 'x' }))).toEqual({
      status: 400,
      message: 'missing public_key',
    });
    const garbage = await refusal(call(ssh, 'update', 'config/ca', { private_key: 'not a key', public_key: 'ssh-ed25519 AAAA' }));
    expect(garbage.status).toBe(400);
    expect(garbage.message).toMatch(/^Unable to parse private_key as an SSH private key: /);
  });

  it('can generate an RSA CA that signs with rsa-sha2-256 by default', async () => {
    const ssh = sshBackend({ mountPath: 'm/', config: {} });
    const generated = await call(ssh, 'update', 'config/ca', { key_type: 'ssh-rsa', key_bits: 2048 });
    expect((generated?.data as { public_key: string }).public_key).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E/);
    await call(ssh, 'update', 'roles/any', { key_type: 'ca', allow_user_certificates: true, allowed_users: '*', default_user: 'alice' });
    const signed = (await sign(ssh, { public_key: await userKey('ecdsa') }, 'any'))?.data as { signed_key: string };
    expect(signed.signed_key).toMatch(/^ecdsa-sha2-nistp256-cert-v01@openssh\.com /);
    expect(await inspect(signed.signed_key)).toMatch(/Signing CA: RSA SHA256:\S+ \(using rsa-sha2-256\)/);
  });
});

describe('ssh engine: roles', () => {
  it('reads roles back with TTLs in seconds and lists them with key_info', async () => {
    const ssh = await mountWithCa();
    const role = await call(ssh, 'read', 'roles/engineer');
    expect(role?.data).toMatchObject({
      key_type: 'ca',
      allowed_users: 'alice,deploy',
      default_user: 'alice',
      default_extensions: { 'permit-pty': '' },
      ttl: 1800,
      max_ttl: 3600,
      allow_user_certificates: true,
      allow_host_certificates: false,
      algorithm_signer: 'default',
      not_before_duration: 30,
    });
    expect((await call(ssh, 'list', 'roles/'))?.data).toEqual({ keys: ['engineer'], key_info: { engineer: { key_type: 'ca' } } });
    await call(ssh, 'delete', 'roles/engineer');
    expect(await call(ssh, 'list', 'roles/')).toBeNull();
  });

  it('refuses roles Vault refuses', async () => {
    const ssh = sshBackend({ mountPath: 'm/', config: {} });
    expect(await refusal(call(ssh, 'update', 'roles/r', {}))).toEqual({ status: 400, message: 'missing key type' });
    expect(await refusal(call(ssh, 'update', 'roles/r', { key_type: 'ca' }))).toEqual({
      status: 400,
      message: "Either 'allow_user_certificates' or 'allow_host_certificates' must be set to 'true'",
    });
    expect(await refusal(call(ssh, 'update', 'roles/r', { key_type: 'ca', allow_user_certificates: true, ttl: '2h', max_ttl: '1h' }))).toEqual({
      status: 400,
      message: 'ttl cannot be longer than max_ttl',
    });
  });
});

describe('ssh engine: sign', () => {
  it('signs a real user certificate: no lease, hex serial, Vault key ID, default principal and extensions', async () => {
    const ssh = await mountWithCa();
    const publicKey = await userKey();
    const before = Math.floor(Date.now() / 1000);
    const response = await sign(ssh, { public_key: publicKey });
    expect(response?.secret).toBeUndefined();
    const { serial_number: serial, signed_key: signedKey } = response?.data as { serial_number: string; signed_key: string };
    expect(serial).toMatch(/^[0-9a-f]{1,16}$/);
    expect(signedKey).toMatch(/^ssh-ed25519-cert-v01@openssh\.com [A-Za-z0-9+/=]+\n$/);

    const blob = Buffer.from(publicKey.split(' ')[1]!, 'base64');
    const keyId = `vault-${aliceCaller.displayName}-${createHash('sha256').update(blob).digest('hex')}`;
    const listing = await inspect(signedKey);
    expect(listing).toContain('Type: ssh-ed25519-cert-v01@openssh.com user certificate');
    expect(listing).toContain(`Key ID: "${keyId}"`);
    expect(listing).toContain(`Serial: ${BigInt(`0x${serial}`).toString()}`);
    expect(listing).toMatch(/Principals: \n\s+alice\n/);
    expect(listing).toMatch(/Critical Options: \(none\)/);
    expect(listing).toMatch(/Extensions: \n\s+permit-pty\n/);

    const [, from, to] = /Valid: from (\S+) to (\S+)/.exec(listing)!;
    const seconds = (local: string) => Math.floor(new Date(local).getTime() / 1000);
    expect(seconds(to!) - seconds(from!)).toBe(1800 + 30);
    expect(Math.abs(seconds(from!) - (before - 30))).toBeLessThanOrEqual(2);
  });

  it('puts requested principals, extensions and critical options in the certificate', async () => {
    const ssh = await mountWithCa();
    await call(ssh, 'update', 'roles/ops', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: '*',
      allowed_extensions: '*',
      allowed_critical_options: 'force-command,source-address',
      allow_user_key_ids: true,
    });
    const response = await sign(
      ssh,
      {
        public_key: await userKey('rsa'),
        valid_principals: 'deploy, root',
        extensions: { 'permit-pty': '', 'permit-agent-forwarding': '' },
        critical_options: { 'source-address': '127.0.0.1/32' },
        key_id: 'alice-on-call',
        ttl: 300,
      },
      'ops',
    );
    const listing = await inspect((response?.data as { signed_key: string }).signed_key);
    expect(listing).toContain('Type: ssh-rsa-cert-v01@openssh.com user certificate');
    expect(listing).toContain('Key ID: "alice-on-call"');
    expect(listing).toMatch(/Principals: \n\s+deploy\n\s+root\n/);
    expect(listing).toMatch(/Critical Options: \n\s+source-address 127\.0\.0\.1\/32\n/);
    expect(listing).toMatch(/Extensions: \n\s+permit-agent-forwarding\n\s+permit-pty\n/);
  });

  it('uses key_id_format and caps an unspecified TTL to max_ttl silently', async () => {
    const ssh = await mountWithCa();
    await call(ssh, 'update', 'roles/long', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'alice',
      default_user: 'alice',
      key_id_format: 'custom-{{role_name}}-{{token_display_name}}',
      max_ttl: '10m',
    });
    const listing = await inspect(((await sign(ssh, { public_key: await userKey() }, 'long'))?.data as { signed_key: string }).signed_key);
    expect(listing).toContain(`Key ID: "custom-long-${aliceCaller.displayName}"`);
    const [, from, to] = /Valid: from (\S+) to (\S+)/.exec(listing)!;
    expect((new Date(to!).getTime() - new Date(from!).getTime()) / 1000).toBe(600 + 30);
  });

  it('answers every refusal with the Vault message and 400', async () => {
    const ssh = await mountWithCa();
    const publicKey = await userKey();
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ public_key: publicKey }, 'Unknown role: nope', 'nope'],
      [{}, 'missing public_key'],
      [{ public_key: 'ssh-ed25519 bm90IGEga2V5' }, 'failed to parse public_key as SSH key: ssh: no key found'],
      [{ public_key: publicKey, ttl: '2h' }, 'ttl is larger than maximum allowed 3600'],
      [{ public_key: publicKey, valid_principals: 'root' }, 'root is not a valid value for valid_principals'],
      [{ public_key: publicKey, extensions: { 'permit-X11-forwarding': '' } }, 'extensions [permit-X11-forwarding] are not on allowed list'],
      [{ public_key: publicKey, key_id: 'mine' }, 'setting key_id is not allowed by role'],
      [{ public_key: publicKey, cert_type: 'host' }, "cert_type 'host' is not allowed by role"],
      [{ public_key: publicKey, cert_type: 'both' }, "cert_type must be either 'user' or 'host'"],
    ];
    for (const [data, message, role] of cases) {
      expect(await refusal(sign(ssh, data, role))).toEqual({ status: 400, message });
    }

    await call(ssh, 'update', 'roles/nobody', { key_type: 'ca', allow_user_certificates: true });
    expect(await refusal(sign(ssh, { public_key: publicKey }, 'nobody'))).toEqual({ status: 400, message: 'empty valid principals not allowed by role' });
    expect(await refusal(sign(ssh, { public_key: publicKey, valid_principals: 'alice' }, 'nobody'))).toEqual({
      status: 400,
      message: 'role is not configured to allow any principals',
    });
    await call(ssh, 'update', 'roles/strict', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'alice',
      default_user: 'alice',
      allowed_critical_options: 'force-command',
    });
    expect(await refusal(sign(ssh, { public_key: publicKey, extensions: { 'permit-pty': '' } }, 'strict'))).toEqual({
      status: 400,
      message: 'extensions [permit-pty] are not on allowed list',
    });
    expect(await refusal(sign(ssh, { public_key: publicKey, critical_options: { 'source-address': '10.0.0.1' } }, 'strict'))).toEqual({
      status: 400,
      message: 'critical options not on allowed list: [source-address]',
    });
    await call(ssh, 'update', 'roles/rsa-only', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: '*',
      default_user: 'alice',
      allowed_user_key_lengths: { rsa: 2048 },
    });
    expect(await refusal(sign(ssh, { public_key: publicKey }, 'rsa-only'))).toEqual({
      status: 400,
      message: 'public_key failed to meet the key requirements: key of type ed25519 is not allowed',
    });
  });

  it('refuses to sign without a CA (500), and signs keys made by node:crypto too', async () => {
    const ssh = sshBackend({ mountPath: 'm/', config: {} });
    await call(ssh, 'update', 'roles/any', { key_type: 'ca', allow_user_certificates: true, allowed_users: '*', default_user: 'alice' });
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), raw]);
    const line = `ssh-ed25519 ${blob.toString('base64')}`;
    expect(await refusal(sign(ssh, { public_key: line }, 'any'))).toEqual({ status: 500, message: 'failed to read CA private key' });
    await call(ssh, 'update', 'config/ca', {});
    const listing = await inspect(((await sign(ssh, { public_key: line }, 'any'))?.data as { signed_key: string }).signed_key);
    expect(listing).toContain('Key ID: "vault-oidc-alice@example.com-');
  });
});
