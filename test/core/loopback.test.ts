import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openerArgv, splitCommand } from '../../main/core/auth/browser.ts';
import { listenForCallback, LoginTimeout } from '../../main/core/auth/loopback.ts';

describe('loopback sign-in listener', () => {
  it('hands over the code the browser brings back, on IPv4 and IPv6 loopback alike, and only on its path', async () => {
    const listener = await listenForCallback({ host: 'localhost', port: 0, path: '/oidc/callback' });
    listener.expectState('s1');
    try {
      const port = new URL(listener.redirectUri).port;
      expect(listener.redirectUri).toBe(`http://localhost:${port}/oidc/callback`);
      expect((await fetch(`http://127.0.0.1:${port}/elsewhere?code=x`)).status).toBe(404);
      const v6 = await fetch(`http://[::1]:${port}/oidc/callback?code=abc&state=s1`).catch(() => undefined);
      const answer = v6 ?? (await fetch(`http://127.0.0.1:${port}/oidc/callback?code=abc&state=s1`));
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('Signed in');
      const params = await listener.wait(1000);
      expect(params.get('code')).toBe('abc');
      expect(params.get('state')).toBe('s1');
    } finally {
      await listener.close();
    }
  });

  it('shows a failure page for an error answer and still reports it', async () => {
    const listener = await listenForCallback({ host: '127.0.0.1', port: 0, path: '/callback' });
    listener.expectState('s');
    try {
      const res = await fetch(`${listener.redirectUri}?error=access_denied&state=s`);
      expect(res.status).toBe(400);
      expect((await listener.wait(1000)).get('error')).toBe('access_denied');
    } finally {
      await listener.close();
    }
  });

  it('answers only to its own state: a foreign callback or a stray error is refused and the wait goes on', async () => {
    const listener = await listenForCallback({ host: 'localhost', port: 0, path: '/oidc/callback' });
    try {
      const uri = listener.redirectUri.replace('localhost', '127.0.0.1');
      // Before the sign-in has sent its state, nothing is accepted.
      expect((await fetch(`${uri}?state=early&code=c0`)).status).toBe(400);
      listener.expectState('mine');
      expect((await fetch(`${uri}?error=access_denied&state=wrong`)).status).toBe(400);
      expect((await fetch(`${uri}?error=access_denied`)).status).toBe(400);
      expect((await fetch(`${uri}?state=attacker&code=attacker-code`)).status).toBe(400);
      expect((await fetch(`${uri}?state=mine&code=real`)).status).toBe(200);
      const params = await listener.wait(1000);
      expect(params.get('code')).toBe('real');
    } finally {
      await listener.close();
    }
  });

  it('refuses to run half-bound when another process holds the port on ::1', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '::1', resolve));
    try {
      const { port } = squatter.address() as AddressInfo;
      await expect(listenForCallback({ host: 'localhost', port, path: '/oidc/callback' })).rejects.toThrow(
        `port ${port} on [::1] (localhost over IPv6) is held by another process`,
      );
      // ...and it did not leave the IPv4 half listening either.
      const v4 = createServer();
      await new Promise<void>((resolve, reject) => v4.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => v4.close(() => resolve()));
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('gives up after the timeout with a clear reason, and on cancel', async () => {
    const listener = await listenForCallback({ host: '127.0.0.1', port: 0, path: '/callback' });
    try {
      await expect(listener.wait(50)).rejects.toThrow(LoginTimeout);
      const abort = new AbortController();
      const waiting = listener.wait(5000, abort.signal);
      abort.abort();
      await expect(waiting).rejects.toThrow(/cancelled/);
    } finally {
      await listener.close();
    }
  });

  it('says which port is taken', async () => {
    const first = await listenForCallback({ host: '127.0.0.1', port: 0, path: '/callback' });
    try {
      const port = Number(new URL(first.redirectUri).port);
      await expect(listenForCallback({ host: '127.0.0.1', port, path: '/callback' })).rejects.toThrow(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      await first.close();
    }
  });
});

describe('BROWSER command', () => {
  it('splits like a shell for simple quoting, so the URL arrives as the last argument', () => {
    expect(splitCommand('/usr/bin/node /repo/test/stack/browser.ts --stack /tmp/s/stack.json')).toEqual([
      '/usr/bin/node',
      '/repo/test/stack/browser.ts',
      '--stack',
      '/tmp/s/stack.json',
    ]);
    expect(splitCommand(`"/Applications/My Browser.app/x" --new-tab 'a b'`)).toEqual(['/Applications/My Browser.app/x', '--new-tab', 'a b']);
  });

  it('opens a URL with & on Windows without cmd (which would split it there and run the rest)', () => {
    const url = 'https://idp.example.com/authorize?client_id=keyfob&state=s&redirect_uri=http%3A%2F%2Flocalhost%3A8250';
    const argv = openerArgv({}, 'win32', url);
    expect(argv).toEqual(['rundll32', 'url.dll,FileProtocolHandler', url]);
    expect(argv.map((a) => a.toLowerCase())).not.toContain('cmd');
    expect(openerArgv({ BROWSER: 'firefox --new-tab' }, 'win32', url)).toEqual(['firefox', '--new-tab', url]);
  });
});
