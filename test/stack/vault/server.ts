// A Vault-compatible HTTP server for Keyfob's local stack (vault-api.md): plain node:http on
// loopback, the core pipeline in core.ts, engines and auth methods plugged in as backends.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BackendFactory } from './backend.ts';
import { VaultCore, toErrorResponse } from './core.ts';
import { readBody, send } from './http-io.ts';
import { newServiceToken } from './ids.ts';
import { kvFactory } from './kv.ts';
import { listMethodFront, onResponseFinished } from './list-method.ts';

export interface VaultServerOptions {
  /** 0 or absent = a free port. */
  port?: number;
  host?: '127.0.0.1';
  /** Mount type → factory, used by sys/mounts/<path> and sys/auth/<path>. "kv" is built in. */
  backends: Record<string, BackendFactory>;
  /** Fixed root token; random hvs.… when absent. */
  rootToken?: string;
  /** Milliseconds since the epoch; drives TTL math and expiry (timers wait on real time). */
  now?: () => number;
}

export interface VaultServer {
  /** "http://127.0.0.1:<port>" */
  addr: string;
  rootToken: string;
  stop(): Promise<void>;
}

function headerMap(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
  return out;
}

export async function startVaultServer(opts: VaultServerOptions): Promise<VaultServer> {
  const now = opts.now ?? Date.now;
  const rootToken = opts.rootToken ?? newServiceToken();
  const core = new VaultCore({
    backends: { kv: kvFactory(now), 'kv-v2': (o) => kvFactory(now)({ ...o, options: { ...o.options, version: '2' } }), ...opts.backends },
    rootToken,
    now,
  });

  const server = createServer((req, res) => {
    onResponseFinished(res);
    void (async () => {
      let wire;
      try {
        const body = await readBody(req);
        wire = await core.handle({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: headerMap(req),
          body,
          clientAddress: req.socket.remoteAddress ?? '',
        });
      } catch (err) {
        wire = toErrorResponse(err);
      }
      send(res, wire, req.method === 'HEAD');
    })();
  });
  const front = listMethodFront(server);
  await new Promise<void>((resolve, reject) => {
    front.tcp.once('error', reject);
    front.tcp.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = front.tcp.address() as AddressInfo;

  return {
    addr: `http://127.0.0.1:${port}`,
    rootToken,
    async stop() {
      await new Promise<void>((resolve) => {
        front.tcp.close(() => resolve());
        front.destroyAll();
      });
      server.close();
      await core.close();
    },
  };
}
