// A one-shot loopback listener, as a desktop app runs for an OAuth redirect: it answers the
// first request on `path` with a small page and hands the query parameters to the test.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackListener {
  /** e.g. http://127.0.0.1:54321/oidc/callback */
  redirectUri: string;
  /** The redirect's query parameters; rejects after `timeoutMs`. */
  params: Promise<URLSearchParams>;
  close(): void;
}

export async function listenForRedirect(path: string, timeoutMs = 30_000): Promise<LoopbackListener> {
  let deliver!: (p: URLSearchParams) => void;
  let fail!: (e: Error) => void;
  const params = new Promise<URLSearchParams>((resolve, reject) => {
    deliver = resolve;
    fail = reject;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Signed in</title><p>You can close this tab.</p>');
    deliver(url.searchParams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const timer = setTimeout(() => fail(new Error(`no redirect to ${path} within ${timeoutMs} ms`)), timeoutMs);
  const close = () => {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  };
  void params.then(close, close);
  return { redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, params, close };
}
