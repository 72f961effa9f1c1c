// A one-shot loopback HTTP listener for OAuth redirects (RFC 8252 §7.3): it waits for the
// browser to come back to the redirect URI, answers with a short page, and closes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyfobError } from '../base/keyfobError.ts';

export interface LoopbackCallback {
  readonly redirectUri: string;
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
  const received = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (url.pathname !== opts.path) {
      res.writeHead(404).end();
      return;
    }
    const finish = (params: URLSearchParams) => {
      const failed = params.has('error');
      res.writeHead(failed ? 400 : 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(failed ? page('Sign-in failed', 'Keyfob was told the sign-in did not succeed. You can close this tab.') : page('Signed in', 'You can close this tab and go back to Keyfob.'));
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
    throw e.code === 'EADDRINUSE' ? new Error(`port ${opts.port} on ${opts.host} is in use; set another callback port in the config`) : e;
  });
  const { port } = server.address() as AddressInfo;
  // A browser may resolve "localhost" to ::1 first: answer there too when the machine has IPv6.
  const servers = [server];
  if (opts.host === 'localhost') {
    const v6 = createServer(handle);
    if (await listen(v6, '::1', port).then(() => true, () => false)) servers.push(v6);
  }
  const close = () =>
    Promise.all(servers.map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }))).then(() => undefined);
  return {
    redirectUri: `http://${opts.host}:${port}${opts.path}`,
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
