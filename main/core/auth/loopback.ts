// A one-shot loopback HTTP listener for OAuth redirects (RFC 8252 §7.3): it waits for the
// browser to come back to the redirect URI, answers with a short page, and closes.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyfobError } from '../base/keyfobError.ts';
import { callbackMatches } from './callbackState.ts';
import { SignInError } from './signInError.ts';

// As a CommonJS module: importing node:http as ESM builds a facade that reads every export, which
// loads Node's fetch (undici); the engine imports this module, so every command would pay for it.
const { createServer } = process.getBuiltinModule('node:http');

export interface LoopbackCallback {
  readonly redirectUri: string;
  /** The state this sign-in sent: only a callback carrying it is delivered (callbackState.ts). */
  expectState(state: string): void;
  /** Resolves with the callback's query (or form) parameters; rejects on timeout. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<URLSearchParams>;
  close(): Promise<void>;
}

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif"><h1>${title}</h1><p>${text}</p></body>`;

/** The browser did not come back in time (`sign-in-timeout`), or the wait was cancelled (`sign-in-cancelled`). */
export class LoginTimeout extends KeyfobError {
  constructor(message: string, code: 'sign-in-timeout' | 'sign-in-cancelled' = 'sign-in-timeout') {
    super(code, message);
  }
}

export async function listenForCallback(opts: { host: 'localhost' | '127.0.0.1'; port: number; path: string }): Promise<LoopbackCallback> {
  let deliver: (params: URLSearchParams) => void = () => {};
  let expected: string | undefined;
  const received = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (url.pathname !== opts.path) {
      res.writeHead(404).end();
      return;
    }
    const finish = (params: URLSearchParams) => {
      if (!callbackMatches(params, expected)) {
        // Not this sign-in's answer: refuse it and keep waiting for the real one.
        res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(page('Not this sign-in', 'This answer does not belong to the sign-in Keyfob started, so it was ignored.'));
        return;
      }
      const failed = params.has('error');
      res.writeHead(failed ? 400 : 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(
        failed
          ? page('Sign-in failed', 'Keyfob was told the sign-in did not succeed. You can close this tab.')
          : page('Signed in', 'You can close this tab and go back to Keyfob.'),
      );
      deliver(params);
    };
    if (req.method === 'POST') {
      // form_post response mode
      let body = '';
      req.on('data', (d: Buffer) => (body = (body + d.toString()).slice(0, 64 * 1024)));
      req.on('end', () => finish(new URLSearchParams(body)));
    } else finish(url.searchParams);
  };
  const listen = (server: Server, host: string, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  const server = createServer(handle);
  await listen(server, opts.host === 'localhost' ? '127.0.0.1' : opts.host, opts.port).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'EADDRINUSE' ? new SignInError(`port ${opts.port} on ${opts.host} is in use; set another callback port in the config`) : e;
  });
  const { port } = server.address() as AddressInfo;
  // A browser may resolve "localhost" to ::1 first: answer there too when the machine has IPv6.
  // Never half-bound: if another process holds [::1]:port it would receive the code.
  const servers = [server];
  if (opts.host === 'localhost') {
    const v6 = createServer(handle);
    const v6Error = await listen(v6, '::1', port).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    if (v6Error === undefined) servers.push(v6);
    else if (!ipv6Missing(v6Error)) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw new SignInError(
        v6Error.code === 'EADDRINUSE'
          ? `port ${port} on [::1] (localhost over IPv6) is held by another process, which would receive the sign-in; stop it or set another callback port in the config`
          : `could not listen on [::1]:${port} for the sign-in callback (${v6Error.code ?? v6Error.message})`,
      );
    }
  }
  const close = () =>
    Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    ).then(() => undefined);
  return {
    redirectUri: `http://${opts.host}:${port}${opts.path}`,
    expectState(state) {
      expected = state;
    },
    async wait(timeoutMs, signal) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LoginTimeout(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s; sign-in abandoned`)), timeoutMs);
        signal?.addEventListener('abort', () => reject(new LoginTimeout('sign-in cancelled', 'sign-in-cancelled')), { once: true });
      });
      try {
        return await Promise.race([received, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close,
  };
}

/** No IPv6 loopback on this machine: nothing can squat on it, so IPv4 alone is whole. */
function ipv6Missing(e: NodeJS.ErrnoException): boolean {
  return e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT';
}
