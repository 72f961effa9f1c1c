// A second laptop's keychain: another private D-Bus session with its own throwaway gnome-keyring,
// so two people's keyfob processes (alice's and bob's) each keep their own Vault sign-in.
// Needs dbus-daemon and gnome-keyring-daemon, as the suite's first keychain does.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecondKeychain {
  /** Environment for that laptop's keyfob processes. */
  env: Record<string, string>;
  stop(): void;
}

export async function startSecondKeychain(): Promise<SecondKeychain> {
  const home = mkdtempSync(join(tmpdir(), 'keyfob-keyring2-'));
  const runtime = join(home, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    bus.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    bus.once('error', reject);
    bus.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code}) before printing its address`)));
  });
  // Its own HOME and XDG_RUNTIME_DIR: gnome-keyring would otherwise find the first one's control socket.
  // Nothing of the first keyring's environment either: with its GNOME_KEYRING_CONTROL set,
  // --unlock would talk to (and re-key) the suite's keyring instead of starting a new one.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('GNOME_KEYRING') && k !== 'SSH_AUTH_SOCK' && k !== 'DBUS_SESSION_BUS_ADDRESS'),
  );
  const base = { ...inherited, DBUS_SESSION_BUS_ADDRESS: address, HOME: home, XDG_DATA_HOME: join(home, '.local/share'), XDG_RUNTIME_DIR: runtime };
  const out = execFileSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], { input: randomBytes(12).toString('hex'), env: base }).toString();
  const env: Record<string, string> = { DBUS_SESSION_BUS_ADDRESS: address, XDG_RUNTIME_DIR: runtime };
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return {
    env,
    stop() {
      bus.kill('SIGTERM');
      rmSync(home, { recursive: true, force: true });
    },
  };
}
