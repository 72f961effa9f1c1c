// The stack's throwaway sshd: a certificate from the trusted user CA logs in; a bare key, an
// expired certificate, a certificate for another user or from another CA do not; and stopping
// leaves no sshd process, not even for a session that was still open.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type RunningSshd } from '../stack/sshd.ts';
import { isAlive, runCommand } from '../stack/processes.ts';
import { isolatedSshArgs } from '../integration/support/ssh.ts';

let dir: string;
let keys: string;
let server: RunningSshd;
let knownHosts: string;
const user = userInfo().username;

async function keyPair(name: string): Promise<string> {
  const path = join(keys, name);
  await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path]);
  return path;
}

/** Sign `key`.pub with `ca`; the certificate lands in `key`-cert.pub. */
async function certify(ca: string, key: string, principal: string, validity: string): Promise<string> {
  await runCommand('ssh-keygen', ['-q', '-s', ca, '-I', `test-${principal}`, '-n', principal, '-V', validity, `${key}.pub`]);
  return `${key}-cert.pub`;
}

function sshArgs(key: string, cert: string | undefined, command: string[]): string[] {
  return isolatedSshArgs({ key, cert, knownHosts, port: server.port, user: server.user }, command);
}

function ssh(key: string, cert: string | undefined, command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ssh', sshArgs(key, cert, command), { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let ca: string;

/** sshd's own account of why it refused (LogLevel VERBOSE, DIR/sshd.log). */
function sshdLog(): string {
  return readFileSync(join(dir, 'sshd.log'), 'utf8');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyfob-sshd-test-'));
  keys = mkdtempSync(join(tmpdir(), 'keyfob-sshd-keys-'));
  ca = await keyPair('ca');
  server = await startSshd({ dir, caPublicKey: readFileSync(`${ca}.pub`, 'utf8') });
  knownHosts = join(keys, 'known_hosts');
  writeFileSync(knownHosts, `${server.knownHostsLine}\n`);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(keys, { recursive: true, force: true });
});

describe('throwaway sshd', () => {
  it('listens on loopback as the stack user with a known host key', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.user).toBe(user);
    expect(server.knownHostsLine).toBe(`[127.0.0.1]:${server.port} ${server.hostPublicKey}`);
    expect(server.hostPublicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+$/);
  });

  it('lets a certificate signed by the trusted CA log in', async () => {
    const key = await keyPair('alice');
    const cert = await certify(ca, key, user, '+5m');
    const result = await ssh(key, cert, ['whoami']);
    expect(result.stderr).not.toMatch(/denied/i);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(user);
  });

  it('refuses a key without a certificate', async () => {
    const key = await keyPair('bare');
    const result = await ssh(key, undefined, ['whoami']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('refuses an expired certificate', async () => {
    const key = await keyPair('expired');
    const cert = await certify(ca, key, user, '-10m:-5m');
    const result = await ssh(key, cert, ['whoami']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(sshdLog()).toContain('Certificate invalid: expired');
  });

  it('refuses a certificate for another user', async () => {
    const key = await keyPair('other-principal');
    const cert = await certify(ca, key, 'nobody-here', '+5m');
    const result = await ssh(key, cert, ['whoami']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(sshdLog()).toContain('Certificate invalid: name is not a listed principal');
  });

  it('refuses a certificate from another CA', async () => {
    const otherCa = await keyPair('other-ca');
    const key = await keyPair('mallory');
    const cert = await certify(otherCa, key, user, '+5m');
    const result = await ssh(key, cert, ['whoami']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('stops with no sshd left, even with a session still open', async () => {
    const key = await keyPair('long');
    const cert = await certify(ca, key, user, '+5m');
    const session = spawn('ssh', sshArgs(key, cert, ['echo started; sleep 120']), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const sessionEnded = new Promise((resolve) => session.once('exit', resolve));
    for (let i = 0; i < 200 && !out.includes('started'); i++) await sleep(50);
    expect(out).toContain('started');
    const sessionPids = descendants(server.pid);
    expect(sessionPids.length).toBeGreaterThan(0); // the per-connection sshd and the shell

    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
    expect(sessionPids.filter(isAlive)).toEqual([]);
    await sessionEnded; // the client sees its connection close
  });
});

function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, pp] of parent) {
      if (!found.has(p) && found.has(pp)) {
        found.add(p);
        grew = true;
      }
    }
  }
  found.delete(pid);
  return [...found];
}
