// dev:web: serves the built renderer on loopback with a bridge that implements the window's
// contract over a WebSocket, for development and browser tests only (never packaged). It takes
// any engine behind the window's port: a fake in tests, the real engine (phase 2) from --stack.
// Loopback only, a random token in the URL, the Host and Origin checked on every request.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatch } from '../../main/electron/ipc/dispatch.ts';
import { forwardEngineEvents } from '../../main/electron/ipc/events.ts';
import { createWindowHandlers } from '../../main/electron/ipc/handlers.ts';
import type { WindowEngine, WindowHost } from '../../main/electron/ipc/windowEngine.ts';
import { CONTENT_SECURITY_POLICY } from '../../main/electron/window/appProtocol.ts';

export interface DevWebServer {
  url: string;
  close(): Promise<void>;
}

const STATIC: Record<string, string> = { '/app.js': 'text/javascript; charset=utf-8', '/app.css': 'text/css; charset=utf-8' };

export async function startDevWebServer(options: { engine: WindowEngine; host: WindowHost; rendererDir: string; port?: number }): Promise<DevWebServer> {
  const token = randomBytes(24).toString('base64url');
  const bridgeJs = await bundleWebBridge();
  const handlers = createWindowHandlers(options.engine, options.host);
  let origin = '';
  let csp = '';

  const server = createServer(async (req, res) => {
    const headers = { 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };
    if (!hostIsOurs(req)) return void res.writeHead(421, headers).end();
    const path = new URL(req.url ?? '/', origin).pathname;
    try {
      if (req.method !== 'GET') return void res.writeHead(405, headers).end();
      if (path === '/' || path === '/index.html') {
        const html = await readFile(join(options.rendererDir, 'index.html'), 'utf8');
        // The page's own meta CSP forbids connections; dev:web's header allows its one socket.
        const page = html
          .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
          .replace('<script type="module"', '<script src="./web-bridge.js"></script>\n    <script type="module"');
        return void res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(page);
      }
      if (path === '/web-bridge.js') return void res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }).end(bridgeJs);
      const type = STATIC[path];
      if (type) return void res.writeHead(200, { ...headers, 'content-type': type }).end(await readFile(join(options.rendererDir, path.slice(1))));
      res.writeHead(404, headers).end();
    } catch {
      res.writeHead(500, headers).end();
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    if (!hostIsOurs(req) || req.headers.origin !== origin || url.pathname !== '/bridge' || !sameToken(url.searchParams.get('token') ?? '', token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('message', async (data) => {
        let message: { id?: unknown; channel?: unknown; input?: unknown };
        try {
          message = JSON.parse(String(data));
        } catch {
          return;
        }
        if (typeof message !== 'object' || message === null || typeof message.id !== 'number') return;
        const result = await dispatch(handlers, message.channel, message.input);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: message.id, result }));
      });
    });
  });
  const forwarding = forwardEngineEvents(options.engine, (event, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('dev:web could not read its own address');
  origin = `http://127.0.0.1:${address.port}`;
  csp = CONTENT_SECURITY_POLICY.replace("connect-src 'none'", `connect-src ws://127.0.0.1:${address.port}`);

  function hostIsOurs(req: IncomingMessage): boolean {
    // A page on another name that resolves to 127.0.0.1 (DNS rebinding) gets nothing.
    return req.headers.host === origin.slice('http://'.length);
  }

  return {
    url: `${origin}/?token=${token}`,
    async close() {
      forwarding.dispose();
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function bundleWebBridge(): Promise<string> {
  const result = await build({
    entryPoints: [new URL('./webBridge.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2023',
    minify: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
