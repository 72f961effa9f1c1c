// The composed tray app, in process: startTrayApp with the recording electron stub and a fake
// engine on a FakeClock. Each test acts as the user (menu clicks, notification buttons) or as the
// OS (quit, lock, sleep, a second launch with a link) and checks what the user would see.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../main/core/base/fakeClock.ts';
import { electronPorts, type ElectronModule } from '../../main/electron/electronPorts.ts';
import type { TerminalLaunch } from '../../main/electron/terminal/findTerminal.ts';
import { startTrayApp } from '../../main/electron/tray/app.ts';
import { electronPreferences, memoryPreferences, type PreferenceStore, type Preferences } from '../../main/electron/tray/preferences.ts';
import type { TrayController } from '../../main/electron/tray/trayController.ts';
import { createElectronStub } from '../electron-stub.ts';
import { FakeTrayEngine } from './fakeEngine.ts';

interface StartOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  argv?: string[];
  prefs?: Partial<Preferences>;
  preferences?: () => PreferenceStore;
  lock?: boolean;
  packaged?: boolean;
}

const running: TrayController[] = [];
afterEach(async () => {
  for (const tray of running.splice(0)) await tray.dispose();
});

async function startApp(options: StartOptions = {}) {
  const clock = new FakeClock();
  const engine = new FakeTrayEngine(clock);
  const stub = createElectronStub();
  stub.recorder.singleInstanceLock = options.lock ?? true;
  stub.module.app.isPackaged = options.packaged ?? false;
  const launches: { launch: TerminalLaunch; env: NodeJS.ProcessEnv }[] = [];
  const window = { opened: 0 };
  let engineOpened = 0;
  const tray = await startTrayApp({
    electron: electronPorts(stub.module as unknown as ElectronModule, options.platform ?? 'linux'),
    openEngine: async () => {
      engineOpened++;
      return engine;
    },
    openWindow: () => void window.opened++,
    openPreferences: options.preferences ?? (() => memoryPreferences(options.prefs)),
    env: options.env ?? { KEYFOB_TERMINAL: 'test-terminal --', KEYFOB_CLI: '/usr/bin/keyfob' },
    argv: options.argv ?? ['/opt/Keyfob/keyfob'],
    execPath: '/opt/Keyfob/keyfob',
    iconDir: '/opt/Keyfob/resources/icons',
    clock,
    launchTerminal: async (launch, env) => void launches.push({ launch, env }),
    onPath: () => false,
  });
  if (tray) running.push(tray);
  const idle = async () => {
    await tray?.whenIdle();
    await clock.advance(0);
  };
  return { clock, engine, stub, tray, launches, window, idle, engineOpened: () => engineOpened };
}

const shown = (stub: ReturnType<typeof createElectronStub>) => stub.recorder.notifications.map((n) => `${n.options.title} | ${n.options.body}`);

describe('start', () => {
  it('takes the single-instance lock, hides from the Dock on macOS, and shows the tray signed out', async () => {
    const { stub, engineOpened } = await startApp({ platform: 'darwin' });
    expect(engineOpened()).toBe(1);
    expect(stub.recorder.dockHidden).toBe(true);
    expect(stub.recorder.trays).toHaveLength(1);
    expect(stub.tray().image).toBe('/opt/Keyfob/resources/icons/tray-signed-outTemplate.png');
    expect(stub.menu().slice(0, 2)).toEqual(['Not signed in (disabled)', 'Sign in']);
    expect(stub.tray().toolTip).toBe('Keyfob · Not signed in');
  });

  it('a second launch hands its link to the first and quits without opening the engine or a tray', async () => {
    const { stub, tray, engineOpened } = await startApp({ lock: false, argv: ['/opt/Keyfob/keyfob', 'keyfob://connect/orders-ro'] });
    expect(tray).toBeNull();
    expect(stub.recorder.singleInstanceData).toEqual({ deepLink: 'keyfob://connect/orders-ro' });
    expect(stub.recorder.quitCalls).toBe(1);
    expect(engineOpened()).toBe(0);
    expect(stub.recorder.trays).toHaveLength(0);
  });

  it('a packaged app registers the keyfob protocol and the login item from the preferences', async () => {
    const { stub } = await startApp({ packaged: true, prefs: { launchAtLogin: true } });
    expect(stub.recorder.protocolClients).toEqual(['keyfob']);
    expect(stub.recorder.loginItemSettings).toEqual({ openAtLogin: true });
  });

  it('an engine that cannot open is one clear error box, then exit', async () => {
    const stub = createElectronStub();
    const result = await startTrayApp({
      electron: electronPorts(stub.module as unknown as ElectronModule, 'linux'),
      openEngine: async () => {
        throw Object.assign(new Error('config.yaml: targets[0].ttl: 2h is above maxTtl 1h'), { code: 'config-invalid' });
      },
      openWindow: () => {},
      openPreferences: () => memoryPreferences(),
      env: {},
      argv: [],
      execPath: '/opt/Keyfob/keyfob',
      iconDir: '/icons',
    });
    expect(result).toBeNull();
    expect(stub.recorder.errorBoxes).toEqual([{ title: 'Keyfob could not start', content: 'config.yaml: targets[0].ttl: 2h is above maxTtl 1h' }]);
    expect(stub.recorder.exitCode).toBe(1);
  });
});

describe('sign-in', () => {
  it('Sign in offers the configured methods and signs in with the chosen one; the identity shows', async () => {
    const { stub, engine, idle } = await startApp();
    expect(stub.menu().slice(1, 4)).toEqual(['Sign in', '  Vault (OIDC)', '  AWS IAM Identity Center']);
    stub.clickMenu('Sign in', 'Vault (OIDC)');
    await idle();
    expect(engine.callsTo('login')).toEqual([['vault-oidc']]);
    expect(stub.menu()[0]).toMatch(/^Signed in as alice@example\.com · until \d\d:\d\d \(disabled\)$/);
    expect(stub.menu()[1]).toBe('Sign out');
    expect(stub.tray().image).toBe('/opt/Keyfob/resources/icons/tray-signed-in.png');
  });

  it('a sign-in in progress can be cancelled from the menu', async () => {
    const { stub, engine, idle, clock } = await startApp();
    let finish!: () => void;
    engine.loginGate = new Promise((resolve) => (finish = resolve));
    stub.clickMenu('Sign in', 'Vault (OIDC)');
    await clock.advance(0); // login is pending (the browser flow); let the menu redraw
    expect(stub.menu().slice(1, 3)).toEqual(['Signing in… (disabled)', 'Cancel sign-in']);
    stub.clickMenu('Cancel sign-in');
    finish();
    await idle();
    expect(stub.menu().slice(0, 2)).toEqual(['Not signed in (disabled)', 'Sign in']);
    expect(stub.recorder.notifications).toHaveLength(0);
  });

  it('a sign-in or sign-out elsewhere (the CLI) shows at once', async () => {
    const { stub, engine } = await startApp();
    engine.signInAs('bob@example.com');
    expect(stub.menu()[0]).toMatch(/^Signed in as bob@example\.com/);
    engine.addSession({ target: 'orders-ro' });
    engine.signOutElsewhere();
    expect(stub.menu().slice(0, 2)).toEqual(['Not signed in (disabled)', 'Sign in']);
    expect(shown(stub)).toEqual(['Orders (read-only) ended | Your sign-in ended, and with it every session it gave.']);
  });
});

describe('sessions in the menu', () => {
  it('Copy connection string issues a session owned by the app, copies the URI and clears it 30 s later', async () => {
    const { stub, engine, clock, idle } = await startApp();
    engine.signInAs('alice@example.com');
    stub.clickMenu('Orders (read-only)', 'Copy connection string');
    await idle();
    expect(engine.callsTo('issue')).toEqual([['orders-ro', {}]]);
    const uri = stub.recorder.clipboardText;
    expect(uri).toMatch(/^postgresql:\/\/v-alice:[0-9a-f]+@db\.example\.com:5432\/orders$/);
    const [session] = engine.sessions();
    expect(stub.menu()).toContain('Orders (read-only) · 15m left');
    expect(stub.menu()).toContain('  Owner: Keyfob (this app) (disabled)');
    // The session's own submenu offers the copy again, because this app holds its credential.
    stub.recorder.clipboardText = 'something else';
    stub.clickMenu('Orders (read-only) · 15m left', 'Copy connection string');
    await idle();
    expect(stub.recorder.clipboardText).toBe(uri);
    await clock.advance(29_000);
    expect(stub.recorder.clipboardText).toBe(uri);
    await clock.advance(1_000);
    expect(stub.recorder.clipboardText).toBe('');
    expect(session?.ownedByThisProcess).toBe(true);
  });

  it('the clipboard is left alone if the user copied something else meanwhile', async () => {
    const { stub, engine, clock, idle } = await startApp({ prefs: { clipboardClearSeconds: 10 } });
    engine.signInAs('alice@example.com');
    stub.clickMenu('AWS read-only', 'Copy credentials');
    await idle();
    expect(stub.recorder.clipboardText).toMatch(
      /^export AWS_ACCESS_KEY_ID=ASIAFAKE\nexport AWS_SECRET_ACCESS_KEY=[0-9a-f]+\nexport AWS_SESSION_TOKEN=token-[0-9a-f]+$/,
    );
    stub.recorder.clipboardText = 'my own text';
    await clock.advance(10_000);
    expect(stub.recorder.clipboardText).toBe('my own text');
    expect(stub.recorder.clipboardClears).toBe(0);
  });

  it('Revoke on a session revokes it, the menu drops it, and no notice (the user chose it)', async () => {
    const { stub, engine, idle } = await startApp();
    engine.signInAs('alice@example.com');
    const foreign = engine.addSession({ target: 'orders-ro', pid: 4321 });
    expect(stub.menu()).toContain('  Owner: keyfob pid 4321 (disabled)');
    stub.clickMenu('Orders (read-only) · 15m left', 'Revoke');
    await idle();
    expect(engine.callsTo('revoke')).toEqual([[foreign.id, 'revoked']]);
    expect(stub.menu().some((l) => l.includes('left'))).toBe(false);
    expect(stub.menu()).toContain('Revoke all (disabled)');
    expect(stub.recorder.notifications).toHaveLength(0);
  });

  it('Revoke all revokes every session whichever process owns it', async () => {
    const { stub, engine, idle } = await startApp();
    engine.addSession({ target: 'orders-ro' });
    engine.addSession({ target: 'orders-admin', thisProcess: true });
    stub.clickMenu('Revoke all');
    await idle();
    expect(engine.callsTo('revokeAll')).toEqual([['revoked', { owner: 'any' }, undefined]]);
    expect(engine.sessions()).toEqual([]);
    expect(stub.recorder.notifications).toHaveLength(0);
  });

  it('a session another process starts or ends shows at once; an end the user did not choose is explained', async () => {
    const { stub, engine } = await startApp();
    const s = engine.addSession({ target: 'orders-ro', ttlSeconds: 600 });
    expect(stub.menu()).toContain('Orders (read-only) · 10m left');
    engine.end(s.id, 'expired');
    expect(stub.menu()).not.toContain('Orders (read-only) · 10m left');
    const t = engine.addSession({ target: 'orders-admin' });
    engine.end(t.id, 'revoked');
    const u = engine.addSession({ target: 'orders-ro' });
    engine.end(u.id, 'command-exit');
    expect(shown(stub)).toEqual([
      'Orders (read-only) expired | Its time ran out and the credential no longer works.',
      'Orders admin was revoked | It was revoked from another keyfob (a terminal or the CLI).',
    ]);
  });

  it('counts down at minute steps, then every second in the last minute, with one timer', async () => {
    const { stub, engine, clock } = await startApp({ prefs: { warnBeforeSeconds: 30 } });
    engine.addSession({ target: 'orders-ro', ttlSeconds: 130 });
    expect(stub.menu()).toContain('Orders (read-only) · 3m left');
    const updates = () => stub.tray().menuUpdates;
    const before = updates();
    await clock.advance(9_999);
    expect(updates()).toBe(before);
    await clock.advance(1);
    expect(stub.menu()).toContain('Orders (read-only) · 2m left');
    await clock.advance(59_999);
    expect(updates()).toBe(before + 1);
    await clock.advance(1);
    expect(stub.menu()).toContain('Orders (read-only) · 1m left');
    await clock.advance(1_000);
    expect(stub.menu()).toContain('Orders (read-only) · 59s left');
    expect(stub.tray().toolTip).toBe('Keyfob · Orders (read-only) · 59s left');
    await clock.advance(1_000);
    expect(stub.menu()).toContain('Orders (read-only) · 58s left');
    expect(updates()).toBe(before + 4);
    expect(clock.pendingTimers).toBe(1);
  });

  it('resume from sleep recomputes the countdown from the clock', async () => {
    const { stub, engine, clock } = await startApp();
    engine.addSession({ target: 'orders-ro', ttlSeconds: 3000 });
    expect(stub.menu()).toContain('Orders (read-only) · 50m left');
    // A sleeping machine fires no timers: the wall clock moves on without them.
    const frozen = clock.now();
    Object.defineProperty(clock, 'now', { value: () => frozen + 20 * 60_000, configurable: true });
    stub.emitPower('resume');
    expect(stub.menu()).toContain('Orders (read-only) · 30m left');
  });

  it('warns before expiry with Extend and Revoke; Extend renews the session', async () => {
    const { stub, engine, clock, idle } = await startApp();
    const s = engine.addSession({ target: 'orders-ro', ttlSeconds: 600 });
    await clock.advance(299_000);
    expect(stub.recorder.notifications).toHaveLength(0);
    await clock.advance(1_000);
    const [warning] = stub.recorder.notifications;
    expect(warning?.options).toEqual({
      title: 'Orders (read-only) expires in 5m',
      body: 'Extend it, or revoke it now if you are done.',
      actions: [
        { type: 'button', text: 'Extend' },
        { type: 'button', text: 'Revoke' },
      ],
    });
    expect(stub.tray().image).toMatch(/tray-expiring\.png$/);
    warning!.clickAction('Extend');
    await idle();
    expect(engine.callsTo('renew')).toEqual([[s.id, {}]]);
    expect(stub.menu()).toContain('Orders (read-only) · 15m left');
    expect(stub.recorder.notifications).toHaveLength(1);
  });

  it('an engine problem turns the icon to error and shows in the menu until something succeeds', async () => {
    const { stub, engine, idle } = await startApp();
    engine.reportProblem({ code: 'vault-unreachable', message: 'Vault at https://vault.example.com did not answer\u001b[31m' });
    expect(stub.menu()[1]).toBe('Problem: Vault at https://vault.example.com did not answer [31m (disabled)');
    expect(stub.tray().image).toMatch(/tray-error\.png$/);
    stub.clickMenu('Sign in', 'Vault (OIDC)');
    await idle();
    expect(stub.tray().image).toMatch(/tray-signed-in\.png$/);
  });
});

describe('Open in terminal', () => {
  it('runs KEYFOB_TERMINAL with keyfob exec for the target and its client; no secret on the command line', async () => {
    const { stub, engine, launches, idle } = await startApp();
    engine.signInAs('alice@example.com');
    stub.clickMenu('Orders (read-only)', 'Open in terminal');
    await idle();
    expect(launches.map((l) => l.launch)).toEqual([
      { file: 'test-terminal', args: ['--', '/usr/bin/keyfob', '--config', engine.configPath, 'exec', 'orders-ro', '--', 'psql'] },
    ]);
    expect(engine.callsTo('issue')).toEqual([]); // the exec in the terminal issues and revokes
  });

  it('a target that needs a reason goes to the window instead', async () => {
    const { stub, launches, window, idle } = await startApp();
    stub.clickMenu('Payroll · high impact', 'Open in terminal');
    await idle();
    expect(launches).toEqual([]);
    expect(window.opened).toBe(1);
    expect(shown(stub)).toEqual(['Payroll needs a reason | Give one in the Keyfob window, or run keyfob exec with --reason in a terminal.']);
  });

  it('no terminal anywhere is a problem that says what to set', async () => {
    const { stub, idle } = await startApp({ env: {} });
    stub.clickMenu('Orders (read-only)', 'Open in terminal');
    await idle();
    expect(shown(stub)).toEqual(['Keyfob | No terminal found: set one in Preferences or in KEYFOB_TERMINAL (e.g. "kitty" or "gnome-terminal --").']);
    expect(stub.tray().image).toMatch(/tray-error\.png$/);
  });
});

describe('sleep and lock', () => {
  it('lock-screen revokes every high-impact session whichever process owns it, keeps the rest, and says so once', async () => {
    const { stub, engine, idle } = await startApp();
    const high = engine.addSession({ target: 'orders-admin', pid: 5555 });
    const medium = engine.addSession({ target: 'orders-ro', pid: 5556 });
    stub.emitPower('lock-screen');
    await idle();
    expect(engine.callsTo('revokeAll')).toEqual([['lock', { owner: 'any', impacts: ['high'] }, undefined]]);
    expect(engine.sessions().map((s) => s.id)).toEqual([medium.id]);
    expect(shown(stub)).toEqual(['Revoked 1 high-impact session(s): the screen locked | Open a new session when you are back.']);
    expect(high.ownedByThisProcess).toBe(false);
  });

  it('suspend follows the sleep-and-lock preference; "none" revokes nothing', async () => {
    const { stub, engine, idle } = await startApp({ prefs: { revokeOnSleepLock: 'none' } });
    engine.addSession({ target: 'orders-admin' });
    stub.emitPower('suspend');
    await idle();
    expect(engine.callsTo('revokeAll')).toEqual([]);
    expect(engine.sessions()).toHaveLength(1);
  });

  it('suspend with medium and high selected revokes both', async () => {
    const { stub, engine, idle } = await startApp({ prefs: { revokeOnSleepLock: 'medium-and-high' } });
    engine.addSession({ target: 'orders-admin' });
    engine.addSession({ target: 'orders-ro' });
    engine.addSession({ target: 'aws-ro' });
    stub.emitPower('suspend');
    await idle();
    expect(engine.sessions().map((s) => s.target)).toEqual(['aws-ro']);
    expect(shown(stub)).toEqual(['Revoked 2 medium and high-impact session(s): the computer went to sleep | Open a new session when you are back.']);
  });
});

describe('quit', () => {
  it("before-quit is prevented, revokes what this app owns (not the terminals'), then exits once", async () => {
    const { stub, engine, idle } = await startApp();
    engine.signInAs('alice@example.com');
    stub.clickMenu('Orders (read-only)', 'Copy connection string');
    await idle();
    const terminal = engine.addSession({ target: 'orders-admin', pid: 7777 });
    stub.clickMenu('Quit Keyfob');
    expect(stub.recorder.quitWithoutPrevent).toBe(false);
    await idle();
    expect(engine.callsTo('revokeAll')).toEqual([['quit', { owner: 'this-process' }, 5000]]);
    expect(engine.sessions().map((s) => s.id)).toEqual([terminal.id]);
    expect(stub.recorder.clipboardText).toBe(''); // the copied credential does not outlive the app
    expect(engine.disposed).toBe(true);
    expect(stub.tray().destroyed).toBe(true);
    expect(stub.recorder.exitCalls).toBe(1);
    expect(stub.recorder.exitCode).toBe(0);
  });

  it('a quit that cannot revoke in time exits at the deadline, and quitting again meanwhile does not start over', async () => {
    const { stub, engine, clock } = await startApp();
    engine.addSession({ target: 'orders-ro', thisProcess: true });
    engine.revokeAllGate = new Promise(() => {}); // Vault never answers
    expect(stub.emitApp('before-quit').prevented).toBe(true);
    await clock.advance(2_000);
    expect(stub.emitApp('before-quit').prevented).toBe(true);
    expect(stub.emitApp('will-quit').prevented).toBe(true);
    stub.emitPower('shutdown');
    await clock.advance(2_999);
    expect(stub.recorder.exitCalls).toBe(0);
    await clock.advance(1);
    expect(stub.recorder.exitCalls).toBe(1);
    expect(engine.callsTo('revokeAll')).toHaveLength(1);
  });
});

describe('deep links', () => {
  it('a valid link from a second instance opens the terminal like Open in terminal, with its TTL', async () => {
    const { stub, launches, idle } = await startApp();
    stub.emitApp('second-instance', ['/opt/Keyfob/keyfob', 'keyfob://connect/orders-ro?ttl=10m'], '/home/alice', {});
    await idle();
    expect(launches.map((l) => l.launch.args.slice(1))).toEqual([
      ['/usr/bin/keyfob', '--config', '/home/alice/.config/keyfob/config.yaml', 'exec', 'orders-ro', '--ttl', '600s', '--', 'psql'],
    ]);
  });

  it('the link handed over as additionalData wins over argv', async () => {
    const { stub, launches, idle } = await startApp();
    stub.emitApp('second-instance', ['/opt/Keyfob/keyfob', 'keyfob://connect/payroll'], '/', { deepLink: 'keyfob://connect/aws-ro' });
    await idle();
    expect(launches.map((l) => l.launch.args.at(-2))).toEqual(['--']);
    expect(launches[0]?.launch.args).toContain('aws-ro');
  });

  it('a high-impact target asks first; Cancel opens nothing, confirming opens the terminal', async () => {
    const { stub, launches, idle } = await startApp();
    stub.emitApp('open-url', 'keyfob://connect/orders-admin');
    await idle();
    expect(stub.recorder.dialogs.map((d) => d.message)).toEqual(['Open a session to Orders admin?']);
    expect(launches).toEqual([]);
    stub.recorder.dialogResponses.push(0);
    stub.emitApp('open-url', 'keyfob://connect/orders-admin');
    await idle();
    expect(launches).toHaveLength(1);
  });

  it("the first launch's link is handled once the tray is up", async () => {
    const { launches, idle } = await startApp({ argv: ['/opt/Keyfob/keyfob', '--no-sandbox', 'keyfob://connect/aws-ro'] });
    await idle();
    expect(launches).toHaveLength(1);
  });

  it.each([
    ['an unknown target', 'keyfob://connect/nope', 'Keyfob refused a link to an unknown target'],
    ['a TTL above the max', 'keyfob://connect/orders-ro?ttl=2h', 'Keyfob refused a link with a bad ttl'],
    ['extra parts', 'keyfob://connect/orders-ro/extra', 'Keyfob refused a link it does not understand'],
    ['..', 'keyfob://connect/../orders-ro', 'Keyfob refused a link it does not understand'],
    ['10 kB', `keyfob://connect/orders-ro?ttl=${'9'.repeat(10_000)}`, 'Keyfob refused a link it does not understand'],
  ])('a hostile link (%s) opens nothing, issues nothing and says why', async (_name, link, title) => {
    const { stub, engine, launches, idle } = await startApp();
    stub.emitApp('second-instance', ['/opt/Keyfob/keyfob', link], '/', {});
    stub.emitApp('open-url', link);
    await idle();
    expect(launches).toEqual([]);
    expect(engine.callsTo('issue')).toEqual([]);
    expect(stub.recorder.dialogs).toEqual([]);
    expect(stub.recorder.notifications.map((n) => n.options.title)).toEqual([title, title]);
    for (const n of stub.recorder.notifications) expect(n.options.body.length).toBeLessThan(300);
  });
});

describe('preferences', () => {
  it('live in electron-store as plain settings: after a full session the file holds no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyfob-prefs-'));
    try {
      const store = electronPreferences({ cwd: dir });
      store.set({ terminal: 'kitty', clipboardClearSeconds: 15 });
      const { stub, engine, idle, clock } = await startApp({ preferences: () => store });
      engine.signInAs('alice@example.com');
      stub.clickMenu('Orders (read-only)', 'Copy connection string');
      stub.clickMenu('AWS read-only', 'Copy credentials');
      await idle();
      await clock.advance(15_000);
      stub.emitPower('lock-screen');
      stub.clickMenu('Quit Keyfob');
      await idle();
      expect(engine.secrets.length).toBe(2);
      const files = readdirSync(dir);
      expect(files).toEqual(['preferences.json']);
      const text = readFileSync(join(dir, 'preferences.json'), 'utf8');
      for (const secret of engine.secrets) expect(text).not.toContain(secret);
      const saved = JSON.parse(text) as Record<string, unknown>;
      expect(saved).toMatchObject({ terminal: 'kitty', clipboardClearSeconds: 15 });
      // Only what the user set is stored: the rest keeps following its default (the warning lead, the config's).
      expect(Object.keys(saved).sort()).toEqual(['clipboardClearSeconds', 'terminal']);
      expect(store.get()).toEqual({ terminal: 'kitty', clipboardClearSeconds: 15, revokeOnSleepLock: 'high', warnBeforeSeconds: 300, launchAtLogin: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid value and reads a corrupted one back as its default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyfob-prefs-'));
    try {
      const store = electronPreferences({ cwd: dir });
      expect(() => store.set({ clipboardClearSeconds: 1 })).toThrow();
      expect(() => store.set({ revokeOnSleepLock: 'severe' as never })).toThrow();
      const { readPreferences } = await import('../../main/electron/tray/preferences.ts');
      expect(readPreferences({ clipboardClearSeconds: 'soon', terminal: 'xterm -e', vaultToken: 'hvs.x' })).toEqual({
        revokeOnSleepLock: 'high',
        warnBeforeSeconds: 300,
        terminal: 'xterm -e',
        clipboardClearSeconds: 30,
        launchAtLogin: false,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
