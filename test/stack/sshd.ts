// A throwaway OpenSSH sshd for the local stack: its own host key and config in DIR, loopback
// only, and only certificates signed by the given user CA log in (no passwords, no
// authorized_keys). It runs in the foreground as our child (-D -e), so its pid is known and
// its log goes to DIR/sshd.log.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { freePort, isRoot, lookupUser, runCommand, spawnLogged, stopProcess, waitForLog, type LoggedProcess } from './processes.ts';

export interface StartSshdOptions {
  /** Stack dir: host key, config, CA file, pid file and log go here. */
  dir: string;
  /** The user CA's OpenSSH public key line(s), e.g. Vault's `ssh-client-signer/public_key`. */
  caPublicKey: string;
  /** Loopback port; picked when absent. */
  port?: number;
  /** Login user; defaults to the user running the stack (root in CI). Must exist. */
  user?: string;
}

export interface RunningSshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** "ssh-ed25519 AAAA..." without a comment. */
  hostPublicKey: string;
  /** "[127.0.0.1]:PORT ssh-ed25519 AAAA..." for a known_hosts file. */
  knownHostsLine: string;
  pid: number;
  /** SIGTERM, then SIGKILL if needed; also ends sessions still open. */
  stop(): Promise<void>;
}

// One or more OpenSSH public key lines: "<type> <base64> [comment]".
const publicKeyLines = z
  .string()
  .transform((s) =>
    s
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#')),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(
            /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/,
            'not an OpenSSH public key line',
          ),
      )
      .min(1, 'no CA public key given'),
  );

/** sshd from PATH or its usual place; it re-executes itself, so the path must be absolute. */
export function findSshd(): string {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'].filter((d) => isAbsolute(d));
  for (const d of dirs) {
    const candidate = join(d, 'sshd');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('sshd not found on PATH or in /usr/sbin; install the openssh-server package');
}

export async function startSshd(opts: StartSshdOptions): Promise<RunningSshd> {
  const sshd = findSshd();
  const caKeys = publicKeyLines.parse(opts.caPublicKey);
  const user = await loginUser(opts.user);
  const dir = resolve(opts.dir); // sshd wants absolute paths in its config
  mkdirSync(dir, { recursive: true });

  // The privilege separation dir is compiled in (/run/sshd on Debian) and must exist.
  if (isRoot() && !existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    chmodSync('/run/sshd', 0o755);
  }

  const hostKey = join(dir, 'ssh_host_ed25519_key');
  await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'keyfob-stack-host', '-f', hostKey]);
  const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const caFile = join(dir, 'trusted-user-ca-keys.pub');
  writeFileSync(caFile, `${caKeys.join('\n')}\n`, { mode: 0o644 });

  const tries = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const configFile = join(dir, 'sshd_config');
    writeFileSync(configFile, sshdConfig({ dir, port, hostKey, caFile, user: user.name }), { mode: 0o600 });
    const proc = spawnLogged({
      name: 'sshd',
      command: sshd,
      args: ['-D', '-e', '-f', configFile],
      dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
    });
    try {
      // Logged after bind and listen, so the port is ready (no probe connection cluttering the log).
      await waitForLog(proc, new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}`), { timeoutMs: 20_000 });
    } catch (error) {
      await stopProcess(proc);
      const portTaken = /Address already in use|Cannot bind any address/i.test(proc.logTail(50));
      if (portTaken && attempt < tries) continue;
      throw error;
    }
    return makeRunning(proc, port, user.name, hostPublicKey);
  }
}

function makeRunning(proc: LoggedProcess, port: number, user: string, hostPublicKey: string): RunningSshd {
  let stopping: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    user,
    hostPublicKey,
    knownHostsLine: `[127.0.0.1]:${port} ${hostPublicKey}`,
    pid: proc.pid,
    stop: () => (stopping ??= stopProcess(proc, { signal: 'SIGTERM', timeoutMs: 10_000 })),
  };
}

async function loginUser(requested: string | undefined): Promise<{ name: string }> {
  const current = userInfo().username;
  const name = requested ?? current;
  const found = await lookupUser(name);
  if (!found) throw new Error(`sshd login user ${JSON.stringify(name)} does not exist on this machine`);
  // Without root, sshd cannot switch users: only the current user can log in.
  if (!isRoot() && name !== current) throw new Error(`sshd runs as ${current} (not root), so it can only log in ${current}, not ${name}`);
  return { name: found.name };
}

function sshdConfig(c: { dir: string; port: number; hostKey: string; caFile: string; user: string }): string {
  const sftp = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server'].find((p) => existsSync(p));
  return [
    '# written by the keyfob local stack: loopback only, CA-signed certificates only',
    `ListenAddress 127.0.0.1`,
    `Port ${c.port}`,
    `HostKey ${c.hostKey}`,
    `PidFile ${join(c.dir, 'sshd.pid')}`,
    `TrustedUserCAKeys ${c.caFile}`,
    'AuthorizedKeysFile none',
    'AuthorizedPrincipalsFile none',
    'PubkeyAuthentication yes',
    'AuthenticationMethods publickey',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'HostbasedAuthentication no',
    'GSSAPIAuthentication no',
    'UsePAM no',
    // The stack dir lives in a temp dir with loose modes; sshd would refuse it otherwise.
    'StrictModes no',
    `PermitRootLogin ${c.user === 'root' ? 'prohibit-password' : 'no'}`,
    `AllowUsers ${c.user}`,
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'PermitUserEnvironment no',
    'LoginGraceTime 30',
    'LogLevel VERBOSE',
    ...(sftp ? [`Subsystem sftp ${sftp}`] : []),
    '',
  ].join('\n');
}
