// The SSH engine's certificates against a REAL sshd that trusts only its CA: a signed key logs in,
// the same key unsigned, or signed for another principal, does not.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../stack/vault/backend.ts';
import { sshBackend } from '../stack/vault/engines/ssh.ts';
import { startSshd } from '../stack/sshd.ts';
import { isolatedSshArgs } from '../integration/support/ssh.ts';
import type { RunningSshd } from '../stack/sshd.ts';
import { call } from './support-requests.ts';

const run = promisify(execFile);
let dir: string;
let sshd: RunningSshd;
let ssh: Backend;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyfob-engines-sshd-'));
  ssh = sshBackend({ mountPath: 'ssh-client-signer/', config: {} });
  await call(ssh, 'update', 'config/ca', {});
  const caPublicKey = (await call(ssh, 'read', 'public_key', {}, undefined))!.raw!.body;
  sshd = await startSshd({ dir: join(dir, 'sshd'), caPublicKey });
  await call(ssh, 'update', 'roles/login', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: `${sshd.user},nobody-else`,
    default_user: sshd.user,
    allowed_extensions: 'permit-pty',
    default_extensions: { 'permit-pty': '' },
    ttl: '5m',
  });
});

afterAll(async () => {
  await sshd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function newKey(name: string): Promise<{ path: string; publicKey: string }> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  return { path, publicKey: await readFile(`${path}.pub`, 'utf8') };
}

async function login(keyPath: string, certificatePath?: string): Promise<{ ok: boolean; output: string }> {
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, `${sshd.knownHostsLine}\n`);
  const args = isolatedSshArgs({ key: keyPath, cert: certificatePath, knownHosts, port: sshd.port, user: sshd.user }, ['echo signed-in-as-$(id -un)']);
  try {
    const { stdout } = await run('ssh', args, { timeout: 20_000 });
    return { ok: true, output: stdout };
  } catch (error) {
    return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
  }
}

describe('ssh engine certificates on a real sshd', () => {
  it('logs in with a key signed by the engine', async () => {
    const key = await newKey('id_signed');
    const signed = (await call(ssh, 'update', 'sign/login', { public_key: key.publicKey }))?.data as { signed_key: string };
    await writeFile(`${key.path}-cert.pub`, signed.signed_key);
    const result = await login(key.path, `${key.path}-cert.pub`);
    expect(result.output).toContain(`signed-in-as-${sshd.user}`);
    expect(result.ok).toBe(true);
  });

  it('refuses the same kind of key unsigned, or signed for another principal', async () => {
    const unsigned = await newKey('id_unsigned');
    expect((await login(unsigned.path)).ok).toBe(false);

    const other = await newKey('id_other_principal');
    const signed = (await call(ssh, 'update', 'sign/login', { public_key: other.publicKey, valid_principals: 'nobody-else' }))?.data as { signed_key: string };
    await writeFile(`${other.path}-cert.pub`, signed.signed_key);
    const result = await login(other.path, `${other.path}-cert.pub`);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/Permission denied/);
  });
});
