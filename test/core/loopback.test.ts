import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../main/core/auth/browser.ts';
import { listenForCallback, LoginTimeout } from '../../main/core/auth/loopback.ts';

describe('loopback sign-in listener', () => {
  it('hands over the code the browser brings back, on IPv4 and IPv6 loopback alike, and only on its path', async () => {
    const listener = await listenForCallback({ host: 'localhost', port: 0, path: '/oidc/callback' });
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
    try {
      const res = await fetch(`${listener.redirectUri}?error=access_denied&state=s`);
      expect(res.status).toBe(400);
      expect((await listener.wait(1000)).get('error')).toBe('access_denied');
    } finally {
      await listener.close();
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
    expect(splitCommand('/usr/bin/node /repo/test/stack/browser.ts --stack /tmp/s/stack.json')).toEqual(['/usr/bin/node', '/repo/test/stack/browser.ts', '--stack', '/tmp/s/stack.json']);
    expect(splitCommand(`"/Applications/My Browser.app/x" --new-tab 'a b'`)).toEqual(['/Applications/My Browser.app/x', '--new-tab', 'a b']);
  });
});
