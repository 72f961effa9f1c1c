// Which terminal opens a session, per platform, and what it runs: the keyfob CLI's exec with the
// target's client, and no secret among the arguments.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../main/core/config/index.ts';
import { findTerminal, terminalLaunch, type FindTerminalOptions } from '../../main/electron/terminal/findTerminal.ts';
import { cliCommand, sessionCommand, terminalSessionArgv } from '../../main/electron/terminal/sessionCommand.ts';

const installed =
  (...names: string[]) =>
  (name: string) =>
    names.includes(name);
const find = (options: Partial<FindTerminalOptions>) => findTerminal({ platform: 'linux', env: {}, preference: null, onPath: installed(), ...options });

describe('findTerminal', () => {
  it('prefers the preference, then KEYFOB_TERMINAL, each split like BROWSER', () => {
    const env = { KEYFOB_TERMINAL: 'alacritty -e' };
    expect(find({ env, preference: 'kitty --single-instance', onPath: installed('xterm') })).toEqual({
      source: 'preference',
      kind: 'argv',
      argv: ['kitty', '--single-instance'],
    });
    expect(find({ env, preference: '  ', onPath: installed('xterm') })).toEqual({ source: 'KEYFOB_TERMINAL', kind: 'argv', argv: ['alacritty', '-e'] });
    expect(find({ env: { KEYFOB_TERMINAL: '"/opt/My Term/term" --' } })).toMatchObject({ argv: ['/opt/My Term/term', '--'] });
  });

  it('Linux: the first usual terminal on PATH, with its own convention', () => {
    expect(find({ onPath: installed('xterm', 'konsole', 'x-terminal-emulator') })).toMatchObject({ source: 'platform', argv: ['x-terminal-emulator', '-e'] });
    expect(find({ onPath: installed('xterm', 'gnome-terminal') })).toMatchObject({ argv: ['gnome-terminal', '--'] });
    expect(find({ onPath: installed('xterm', 'kitty') })).toMatchObject({ argv: ['kitty'] });
    expect(find({ onPath: installed('xterm') })).toMatchObject({ argv: ['xterm', '-e'] });
    expect(find({ onPath: installed() })).toBeNull();
  });

  it('macOS: Terminal by default, iTerm or Terminal when named, a script opened with open -a', () => {
    expect(find({ platform: 'darwin' })).toEqual({ source: 'platform', kind: 'mac-app', app: 'Terminal' });
    expect(find({ platform: 'darwin', preference: 'iTerm' })).toEqual({ source: 'preference', kind: 'mac-app', app: 'iTerm' });
    expect(find({ platform: 'darwin', env: { KEYFOB_TERMINAL: '/usr/local/bin/kitty' } })).toMatchObject({ kind: 'argv', argv: ['/usr/local/bin/kitty'] });
    const launch = terminalLaunch({ source: 'platform', kind: 'mac-app', app: 'Terminal' }, ['keyfob', 'exec', "it's", '--', 'psql']);
    expect(launch).toEqual({ file: 'open', args: ['-a', 'Terminal'], script: "#!/bin/sh\nexec 'keyfob' 'exec' 'it'\\''s' '--' 'psql'\n" });
  });

  it('Windows: Windows Terminal when installed, else cmd', () => {
    expect(find({ platform: 'win32', onPath: installed('wt.exe') })).toMatchObject({ argv: ['wt.exe'] });
    expect(find({ platform: 'win32', env: { ComSpec: 'C:\\Windows\\system32\\cmd.exe' } })).toMatchObject({ argv: ['C:\\Windows\\system32\\cmd.exe', '/k'] });
  });

  it('appends the command as separate arguments', () => {
    expect(terminalLaunch({ source: 'KEYFOB_TERMINAL', kind: 'argv', argv: ['gnome-terminal', '--'] }, ['keyfob', 'exec', 'x', '--', 'psql'])).toEqual({
      file: 'gnome-terminal',
      args: ['--', 'keyfob', 'exec', 'x', '--', 'psql'],
    });
  });
});

const config = parseConfig(
  `
version: 1
vault: { address: "https://vault.example.com" }
auth: { default: vault-oidc, vaultOidc: { role: engineer } }
targets:
  - { id: orders-ro, name: Orders, kind: database, impact: medium, grants: g, scope: s, ttl: 15m, maxTtl: 1h,
      database: { vaultRole: orders-ro, host: db.example.com, name: orders, sslmode: verify-full } }
  - { id: orders-cli, name: Orders, kind: database, impact: medium, grants: g, scope: s, ttl: 15m, maxTtl: 1h, command: [pgcli, --less-chatty],
      database: { vaultRole: orders-ro, host: db.example.com, name: orders, sslmode: verify-full } }
  - { id: bastion, name: Bastion, kind: ssh, impact: medium, grants: g, scope: s, ttl: 15m, maxTtl: 1h,
      ssh: { vaultRole: r, host: bastion.example.com, port: 2222, user: ops, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl" } }
  - { id: jump, name: Jump, kind: ssh, impact: low, grants: g, scope: s, ttl: 15m, maxTtl: 1h, ssh: { vaultRole: r, host: jump.example.com, user: ops } }
  - { id: aws-ro, name: AWS, kind: aws, impact: low, grants: g, scope: s, ttl: 15m, maxTtl: 1h, aws: { source: vault, vaultRole: ro } }
`,
  'test.yaml',
);
const target = (id: string) => config.targets.find((t) => t.id === id)!;

describe('sessionCommand', () => {
  it("runs the kind's client, or the target's command: override", () => {
    expect(sessionCommand(target('orders-ro'), {}, 'linux')).toEqual(['psql']);
    expect(sessionCommand(target('orders-cli'), {}, 'linux')).toEqual(['pgcli', '--less-chatty']);
    expect(sessionCommand(target('bastion'), {}, 'linux')).toEqual([
      'ssh',
      '-p',
      '2222',
      '-o',
      'UserKnownHostsFile=${KEYFOB_SSH_KNOWN_HOSTS}',
      '-o',
      'StrictHostKeyChecking=yes',
      'ops@bastion.example.com',
    ]);
    expect(sessionCommand(target('jump'), {}, 'linux')).toEqual(['ssh', 'ops@jump.example.com']);
    expect(sessionCommand(target('aws-ro'), { SHELL: '/bin/zsh' }, 'darwin')).toEqual(['/bin/zsh']);
    expect(sessionCommand(target('aws-ro'), {}, 'linux')).toEqual(['/bin/sh']);
    expect(sessionCommand(target('aws-ro'), { ComSpec: 'C:\\cmd.exe' }, 'win32')).toEqual(['C:\\cmd.exe']);
  });

  it('the terminal runs keyfob exec with the config, target and TTL: nothing secret', () => {
    const argv = terminalSessionArgv({
      cli: ['/opt/Keyfob/keyfob', '--keyfob-cli'],
      configPath: '/home/a/.config/keyfob/config.yaml',
      target: target('orders-ro'),
      ttlSeconds: 600,
      env: {},
      platform: 'linux',
    });
    expect(argv).toEqual([
      '/opt/Keyfob/keyfob',
      '--keyfob-cli',
      '--config',
      '/home/a/.config/keyfob/config.yaml',
      'exec',
      'orders-ro',
      '--ttl',
      '600s',
      '--',
      'psql',
    ]);
  });

  it('KEYFOB_CLI overrides the shipped CLI (split like BROWSER); packaged apps run their own binary in CLI mode', () => {
    expect(cliCommand({ env: { KEYFOB_CLI: 'node "/src/main/cli/keyfob.ts"' }, execPath: '/opt/Keyfob/keyfob', packaged: true })).toEqual([
      'node',
      '/src/main/cli/keyfob.ts',
    ]);
    expect(cliCommand({ env: {}, execPath: '/opt/Keyfob/keyfob', packaged: true })).toEqual(['/opt/Keyfob/keyfob', '--keyfob-cli']);
    expect(cliCommand({ env: {}, execPath: '/usr/lib/electron/electron', packaged: false })).toEqual(['keyfob']);
  });
});

describe('launching', () => {
  it("writes a macOS app's script privately, appends its path, and starts the terminal detached", async () => {
    const { launchTerminal } = await import('../../main/electron/terminal/launchTerminal.ts');
    const { mkdtempSync, readFileSync, statSync, existsSync, rmSync } = await import('node:fs');
    const { join, dirname } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const out = mkdtempSync(join(tmpdir(), 'keyfob-launch-'));
    const record = join(out, 'argv.json');
    // A stand-in terminal (node) that records the path it was given; written aside, then renamed,
    // so the poll below never reads a record half written (it did under load).
    const writeRecord = `const fs = require('fs'); fs.writeFileSync(${JSON.stringify(`${record}.tmp`)}, JSON.stringify(process.argv.slice(1))); fs.renameSync(${JSON.stringify(`${record}.tmp`)}, ${JSON.stringify(record)})`;
    await launchTerminal(
      {
        file: process.execPath,
        args: ['-e', writeRecord],
        script: "#!/bin/sh\nexec 'psql'\n",
      },
      process.env,
    );
    for (let i = 0; i < 200 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 25));
    const [scriptPath] = JSON.parse(readFileSync(record, 'utf8')) as string[];
    expect(readFileSync(scriptPath!, 'utf8')).toBe("#!/bin/sh\nexec 'psql'\n");
    expect(statSync(scriptPath!).mode & 0o777).toBe(0o700);
    expect(statSync(dirname(scriptPath!)).mode & 0o777).toBe(0o700);
    rmSync(out, { recursive: true, force: true });
    rmSync(dirname(scriptPath!), { recursive: true, force: true });
  });

  it('a terminal that does not exist is one clear sentence', async () => {
    const { launchTerminal } = await import('../../main/electron/terminal/launchTerminal.ts');
    await expect(launchTerminal({ file: 'keyfob-no-such-terminal', args: [] }, process.env)).rejects.toThrow(
      'the terminal "keyfob-no-such-terminal" was not found',
    );
  });

  it('isOnPath finds executables only', async () => {
    const { isOnPath } = await import('../../main/electron/terminal/onPath.ts');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'keyfob-path-'));
    writeFileSync(join(dir, 'kitty'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(dir, 'xterm'), 'not executable', { mode: 0o644 });
    expect(isOnPath('kitty', { PATH: dir }, 'linux')).toBe(true);
    expect(isOnPath('xterm', { PATH: dir }, 'linux')).toBe(false);
    expect(isOnPath('konsole', { PATH: dir }, 'linux')).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
