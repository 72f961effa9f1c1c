// `npm test`: typecheck, lint, then the whole vitest suite. The suite runs inside a private
// D-Bus session with a throwaway, unlocked gnome-keyring so keychain tests meet a real
// Secret Service; where dbus-run-session or gnome-keyring are missing, those tests say so and skip.
import { spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const run = (cmd: string, argv: string[], env = process.env) => {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (process.env.KEYFOB_TEST_INNER !== '1') {
  if (!args.includes('--no-checks')) {
    run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
    run('npx', ['eslint', '.']);
  }
  const inner = [process.execPath, import.meta.filename, ...args.filter((a) => a !== '--no-checks')];
  const env = { ...process.env, KEYFOB_TEST_INNER: '1' };
  if (has('dbus-run-session') && has('gnome-keyring-daemon')) run('dbus-run-session', ['--', ...inner], env);
  else run(inner[0]!, inner.slice(1), env);
} else {
  let keyringHome: string | undefined;
  if (process.env.DBUS_SESSION_BUS_ADDRESS && has('gnome-keyring-daemon')) {
    // A fresh keyring in a fresh home under a throwaway password, unlocked, serving only the
    // Secret Service. A keyring left in $HOME by an earlier run would refuse the new password.
    keyringHome = mkdtempSync(join(tmpdir(), 'keyfob-keyring-'));
    const out = execFileSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
      input: randomBytes(12).toString('hex'),
      env: { ...process.env, HOME: keyringHome, XDG_DATA_HOME: join(keyringHome, '.local/share') },
    }).toString();
    for (const line of out.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) process.env[m[1]!] = m[2];
    }
    process.env.KEYFOB_TEST_SECRET_SERVICE = '1';
  }
  const vitest = spawnSync('npx', ['vitest', 'run', ...args], { stdio: 'inherit' });
  if (keyringHome) rmSync(keyringHome, { recursive: true, force: true });
  process.exit(vitest.status ?? 1);
}
