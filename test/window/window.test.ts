// The window factory, the app:// protocol and the session policy, against the recording
// electron stub: what a window is made with, what it may load, and what it refuses.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { eventChannel, invokeChannel } from '../../common/ipc.ts';
import { APP_ENTRY, CONTENT_SECURITY_POLICY, createAppProtocolHandler, resolveAppPath } from '../../main/electron/window/appProtocol.ts';
import { registerAppScheme, setUpWindow } from '../../main/electron/window/index.ts';
import { BrowserWindow, ipcMain, protocol, resetWindowStub, session } from '../electron-stub/window.ts';
import { FakeEngine, fakeHost } from './fakeEngine.ts';

const root = mkdtempSync(join(tmpdir(), 'keyfob-renderer-'));
const outside = mkdtempSync(join(tmpdir(), 'keyfob-outside-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>Keyfob</title>');
writeFileSync(join(root, 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
writeFileSync(join(outside, 'secret.js'), 'stolen');
symlinkSync(join(outside, 'secret.js'), join(root, 'link.js'));
afterAll(() => [root, outside].forEach((d) => rmSync(d, { recursive: true, force: true })));

function setUp(engine: FakeEngine | null = new FakeEngine({ signedIn: true })) {
  return setUpWindow({ preloadPath: '/app/dist/preload/index.cjs', rendererDir: root, engine, host: fakeHost(engine ?? new FakeEngine()) });
}

describe('the window factory', () => {
  beforeEach(resetWindowStub);

  it('makes a sandboxed, isolated window with no Node, web security on and no webview', () => {
    const windows = setUp();
    windows.openWindow();
    const prefs = BrowserWindow.created[0]!.options.webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    windows.dispose();
  });

  it('loads the app:// entry at the requested screen, and a second open shows that screen in the same window', () => {
    const windows = setUp();
    windows.openWindow('activity');
    const win = BrowserWindow.created[0]!;
    expect(win.loaded).toEqual([`${APP_ENTRY}#/activity`]);
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
    win.hide();
    windows.openWindow('targets');
    expect(BrowserWindow.created).toHaveLength(1);
    expect(win.visible).toBe(true);
    expect(win.webContents.sent).toContainEqual([eventChannel('window.show'), 'targets']);
    windows.dispose();
  });

  it('hides instead of closing, and closes for real once the app is quitting', () => {
    const windows = setUp();
    windows.openWindow();
    const win = BrowserWindow.created[0]!;
    win.show();
    win.close();
    expect(win.destroyed).toBe(false);
    expect(win.visible).toBe(false);
    windows.allowClose();
    win.close();
    expect(win.destroyed).toBe(true);
    windows.openWindow();
    expect(BrowserWindow.created).toHaveLength(2);
    windows.dispose();
  });

  it('refuses navigation, redirects, new windows and webviews', () => {
    const windows = setUp();
    windows.openWindow();
    const contents = BrowserWindow.created[0]!.webContents;
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate', 'will-attach-webview']) {
      expect(contents.emit(event, 'https://evil.example/'), event).toBe(true);
    }
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    windows.dispose();
  });

  it('denies every permission request and check', () => {
    const windows = setUp();
    const granted: boolean[] = [];
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'clipboard-sanitized-write',
      'openExternal',
      'fullscreen',
      'hid',
      'serial',
      'usb',
    ]) {
      session.defaultSession.permissionRequestHandler!({}, permission, (g) => granted.push(g));
      expect(session.defaultSession.permissionCheckHandler!({}, permission)).toBe(false);
    }
    expect(granted.every((g) => g === false)).toBe(true);
    expect(granted).toHaveLength(10);
    windows.dispose();
  });

  it('registers app:// as a standard secure scheme before ready, and serves it only while set up', () => {
    registerAppScheme();
    expect(protocol.privileged).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    const windows = setUp();
    expect(protocol.handlers.has('app')).toBe(true);
    windows.dispose();
    expect(protocol.handlers.has('app')).toBe(false);
  });

  it('answers IPC from its own window only, and forwards engine events to it', async () => {
    const engine = new FakeEngine({ signedIn: true });
    const windows = setUp(engine);
    windows.openWindow();
    const win = BrowserWindow.created[0]!;
    const handler = ipcMain.handlers.get(invokeChannel('sessions.list'))!;
    expect(await handler({ sender: win.webContents, senderFrame: { url: 'app://keyfob/index.html' } })).toEqual({ ok: true, value: [] });
    expect(await handler({ sender: {}, senderFrame: { url: 'app://keyfob/index.html' } })).toMatchObject({ ok: false });
    const issued = await engine.issue('orders-ro');
    expect(win.webContents.sent).toContainEqual([eventChannel('session.added'), expect.objectContaining({ id: issued.session.id })]);
    windows.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(engine.listenerCount).toBe(0);
  });

  it('opens without an engine (nothing answers IPC then)', () => {
    const windows = setUp(null);
    windows.openWindow();
    expect(ipcMain.handlers.size).toBe(0);
    windows.dispose();
  });
});

describe('the CSP', () => {
  it('starts from default-src none and allows no inline code, eval, remote origin or connection', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'none'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*|wasm/);
  });
});

describe('the app:// protocol', () => {
  const handler = createAppProtocolHandler(root);

  it('serves the built renderer with the CSP header and nosniff', async () => {
    const response = await handler({ url: 'app://keyfob/index.html' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await (await handler({ url: 'app://keyfob/' })).text()).toContain('<title>Keyfob</title>');
    expect((await handler({ url: 'app://keyfob/assets/logo.svg' })).status).toBe(200);
  });

  it('refuses traversal, encoded traversal, other hosts, symlinks out of the folder and unknown files', async () => {
    const refused = [
      'app://keyfob/../secret.js',
      'app://keyfob/%2e%2e/%2e%2e/etc/passwd',
      'app://keyfob/assets/%2e%2e%2f%2e%2e%2fsecret.js',
      'app://keyfob/..%2f..%2fetc%2fpasswd',
      'app://keyfob/..%5c..%5csecret.js',
      'app://keyfob/index.html%00.js',
      'app://keyfob/%E0%A4%A',
      'app://evil/index.html',
      'app://keyfob:8080/index.html',
      'app://user:pw@keyfob/index.html',
      'file:///etc/passwd',
      'app://keyfob/link.js',
      'app://keyfob/missing.js',
      'app://keyfob/assets',
      `app://keyfob/${'a/'.repeat(200)}x.js`,
    ];
    for (const url of refused) {
      const response = await handler({ url });
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('stolen');
    }
  });

  it('never resolves a path outside the folder, for any request path', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('..', '.', '%2e%2e', '%2f', 'a', 'index.html', '%5c', '', '%00', '\\', '/'), { maxLength: 12 }), (parts) => {
        const file = resolveAppPath(root, `app://keyfob/${parts.join('/')}`);
        if (file !== null) expect(file.startsWith(`${root}/`)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
