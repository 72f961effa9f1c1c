// A private Secret Service for the test suite and the benchmarks: `keyfob` processes only find a
// sign-in in the OS keychain, so scripts re-run themselves under a private D-Bus session
// (dbus-run-session) and start a throwaway, unlocked gnome-keyring there.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

export function canHaveSecretService(): boolean {
  return has('dbus-run-session') && has('gnome-keyring-daemon');
}

/** Re-runs this script inside dbus-run-session; returns its exit code. */
export function rerunUnderDbus(script: string, args: string[], marker: string): number {
  const r = spawnSync('dbus-run-session', ['--', process.execPath, script, ...args], { stdio: 'inherit', env: { ...process.env, [marker]: '1' } });
  return r.status ?? 1;
}

export interface ThrowawayKeyring {
  /** Removes the keyring's home dir; the daemon exits with the D-Bus session. */
  dispose(): void;
}

/**
 * Starts gnome-keyring (secrets only) in a fresh home, unlocked with a random password, and puts
 * the variables it prints into process.env so this process and its children reach it.
 * Undefined when there is no session bus to start it on.
 */
export function startThrowawayKeyring(): ThrowawayKeyring | undefined {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS || !has('gnome-keyring-daemon')) return undefined;
  const home = mkdtempSync(join(tmpdir(), 'keyfob-keyring-'));
  const out = execFileSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    input: randomBytes(12).toString('hex'),
    env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, '.local/share') },
  }).toString();
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) process.env[m[1]!] = m[2];
  }
  return { dispose: () => rmSync(home, { recursive: true, force: true }) };
}
