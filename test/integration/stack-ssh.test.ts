// A certificate from `ssh-client-signer/sign/engineer`, asked for with an engineer's token, logs
// in to the stack's real sshd, and stops working once it has expired.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { engineerLogin } from './support/login.ts';
import { makeKeyDir, sshRun, writeCertificate, type KeyDir } from './support/ssh.ts';
import { useStack } from './support/stack.ts';
import { expectBody, vaultClient, type VaultClient } from './support/vault.ts';

const fixture = useStack();
const SignReply = z.object({
  lease_id: z.literal(''),
  data: z.object({ serial_number: z.string().regex(/^[0-9a-f]+$/), signed_key: z.string().endsWith('\n') }),
});

let engineer: VaultClient;
let keys: KeyDir;

beforeAll(async () => {
  const auth = await engineerLogin(fixture.stack.info);
  engineer = vaultClient(fixture.stack.info.vault.addr, auth.client_token);
  keys = await makeKeyDir(fixture.stack.info);
});
afterAll(() => keys?.remove());

/** Seconds since the epoch at which the certificate stops being valid, as ssh-keygen reads it. */
function validBefore(cert: string): number {
  const text = execFileSync('ssh-keygen', ['-L', '-f', cert], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  const match = /Valid: from (\S+) to (\S+)/.exec(text);
  if (!match) throw new Error(`no validity in certificate:\n${text}`);
  return Date.parse(`${match[2]}Z`) / 1000;
}

describe('ssh-client-signer/sign/engineer and the real sshd', () => {
  it('signs a key whose certificate logs in until it expires, then is refused', async () => {
    const info = fixture.stack.info;
    const reply = await engineer.write('ssh-client-signer/sign/engineer', { public_key: keys.publicKey, valid_principals: info.sshd.user, ttl: '8s' });
    const signed = expectBody(reply, SignReply).data;
    expect(signed.signed_key).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
    const cert = writeCertificate(keys, signed.signed_key);

    const login = await sshRun(info, keys, cert, ['whoami']);
    expect(login, login.stderr).toMatchObject({ code: 0 });
    expect(login.stdout.trim()).toBe(info.sshd.user);

    // Wait until the certificate's ValidBefore has passed (sshd checks it at login).
    const expiresAt = validBefore(cert);
    expect(expiresAt * 1000 - Date.now()).toBeLessThan(10_000);
    await sleep(Math.max(0, expiresAt * 1000 - Date.now()) + 1500);

    const refused = await sshRun(info, keys, cert, ['whoami']);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/Permission denied/);
  }, 40_000);
});
