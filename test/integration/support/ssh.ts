// An OpenSSH client against the stack's sshd with nothing from the machine's or user's ssh setup:
// only the given key and certificate, and only the stack's host key as known host.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../stack/processes.ts';
import type { StackInfo } from '../../stack/stack.ts';

export interface KeyDir {
  dir: string;
  key: string;
  publicKey: string;
  knownHosts: string;
  remove(): void;
}

/** A fresh ed25519 key pair and a known_hosts file holding the stack's sshd host key. */
export async function makeKeyDir(info: StackInfo): Promise<KeyDir> {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-it-ssh-'));
  const key = join(dir, 'id_ed25519');
  await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'keyfob-it', '-f', key]);
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${info.sshd.knownHostsLine}\n`);
  return { dir, key, publicKey: readFileSync(`${key}.pub`, 'utf8').trim(), knownHosts, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeCertificate(keys: KeyDir, signedKey: string): string {
  const cert = join(keys.dir, 'id_ed25519-cert.pub');
  writeFileSync(cert, signedKey);
  return cert;
}

/** Where and as whom to log in, with which key (and certificate), trusting only `knownHosts`. */
export interface SshLogin {
  key: string;
  cert?: string | undefined;
  knownHosts: string;
  port: number;
  user: string;
}

/**
 * `ssh` arguments that use nothing of the machine's or the user's ssh setup: no config, no agent,
 * no other identity, no other known host, no prompt.
 */
export function isolatedSshArgs(login: SshLogin, command: string[]): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    'IdentityAgent=none',
    '-o',
    'IdentitiesOnly=yes',
    '-i',
    login.key,
    ...(login.cert ? ['-o', `CertificateFile=${login.cert}`] : []),
    '-o',
    `UserKnownHostsFile=${login.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    '-p',
    String(login.port),
    `${login.user}@127.0.0.1`,
    ...command,
  ];
}

/** `ssh ... user@127.0.0.1 <command>`; resolves with the exit code and output, never rejects. */
export function sshRun(info: StackInfo, keys: KeyDir, cert: string, command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = isolatedSshArgs({ key: keys.key, cert, knownHosts: keys.knownHosts, port: info.sshd.port, user: info.sshd.user }, command);
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
