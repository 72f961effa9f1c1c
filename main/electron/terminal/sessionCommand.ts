// What runs in the terminal for a session: the keyfob CLI's `exec`, which issues the credential
// into the command's environment and revokes it when the command (or the terminal) exits. The
// argv carries only the config path, the target id, a TTL and the command: never a secret.
import { splitCommand } from '../../core/auth/browser.ts';
import type { Target } from '../../core/config/index.ts';

/** The client a session of each kind opens, unless the target's `command:` says otherwise. */
export function sessionCommand(target: Target, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (target.command) return [...target.command];
  switch (target.kind) {
    case 'database':
      return ['psql']; // keyfob exec sets PGHOST, PGUSER, PGPASSWORD, … in its environment
    case 'ssh': {
      const { host, port, user, hostKey } = target.ssh;
      // OpenSSH (8.4+) expands ${VAR} itself: the pinned known_hosts path exec provides, no shell.
      const pinned = hostKey ? ['-o', 'UserKnownHostsFile=${KEYFOB_SSH_KNOWN_HOSTS}', '-o', 'StrictHostKeyChecking=yes'] : [];
      return ['ssh', ...(port === 22 ? [] : ['-p', String(port)]), ...pinned, `${user}@${host}`];
    }
    case 'aws':
      return platform === 'win32' ? [env.ComSpec || 'cmd.exe'] : [env.SHELL || '/bin/sh'];
    case 'static':
      // A static secret is copied, never issued: there is no session to open a terminal for.
      throw new Error(`${target.id} is a static secret: copy it instead`);
    default:
      target satisfies never;
      throw new Error('unknown target kind');
  }
}

export interface CliLocation {
  env: NodeJS.ProcessEnv;
  /** The app's own executable (process.execPath). */
  execPath: string;
  /** app.isPackaged: a packaged app runs the CLI as a mode of its own binary (docs/packaging.md). */
  packaged: boolean;
}

/** The command that starts the keyfob CLI: KEYFOB_CLI (split like BROWSER), else the shipped one. */
export function cliCommand(location: CliLocation): string[] {
  const override = splitCommand(location.env.KEYFOB_CLI?.trim() ?? '');
  if (override.length > 0) return override;
  return location.packaged ? [location.execPath, '--keyfob-cli'] : ['keyfob'];
}

export interface TerminalSessionRequest {
  cli: readonly string[];
  configPath: string;
  target: Target;
  ttlSeconds?: number;
  /** The reason the window asked for (a required one cannot be typed into a menu). Not a secret. */
  reason?: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

/** `keyfob --config FILE exec TARGET [--ttl Ns] -- COMMAND…` */
export function terminalSessionArgv(request: TerminalSessionRequest): string[] {
  return [
    ...request.cli,
    // Explicit, because some terminals (gnome-terminal's server) do not pass our environment on.
    '--config',
    request.configPath,
    'exec',
    request.target.id,
    ...(request.ttlSeconds ? ['--ttl', `${request.ttlSeconds}s`] : []),
    ...(request.reason !== undefined ? ['--reason', request.reason] : []),
    '--',
    ...sessionCommand(request.target, request.env, request.platform),
  ];
}
