// Vault clients (node-vault, curl -X LIST) send the non-standard HTTP method LIST, which Node's
// HTTP parser rejects. This TCP front rewrites a request line "LIST /v1/p" into
// "GET /v1/p?list=true" — exactly what Vault treats LIST as (http/logical.go) — and hands the
// connection to the http.Server. Clients do not pipeline, so a request starts on the first
// bytes of a connection and on the first bytes after the previous response finished.
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { Server as HttpServer, ServerResponse } from 'node:http';
import { duplexPair } from 'node:stream';

const AT_REQUEST_START = Symbol('keyfob.atRequestStart');

function rewriteList(chunk: Buffer): Buffer {
  if (chunk.length < 5 || chunk.toString('latin1', 0, 5) !== 'LIST ') return chunk;
  const text = chunk.toString('latin1');
  const m = /^LIST (\S+) HTTP\//.exec(text);
  if (!m) return chunk;
  const target = m[1]!;
  const rewritten = `GET ${target}${target.includes('?') ? '&' : '?'}list=true HTTP/`;
  return Buffer.concat([Buffer.from(rewritten, 'latin1'), chunk.subarray(m[0].length)]);
}

/** Marks the connection ready for its next request once a response has gone out. */
export function onResponseFinished(res: ServerResponse): void {
  res.on('finish', () => {
    const socket = res.req.socket as unknown as Record<symbol, (() => void) | undefined>;
    socket[AT_REQUEST_START]?.();
  });
}

export function listMethodFront(http: HttpServer): { tcp: TcpServer; destroyAll(): void } {
  const sockets = new Set<Socket>();
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    const [inner, outer] = duplexPair();
    let atStart = true;
    Object.defineProperty(inner, 'remoteAddress', { value: socket.remoteAddress });
    (inner as unknown as Record<symbol, () => void>)[AT_REQUEST_START] = () => {
      atStart = true;
    };
    socket.on('data', (chunk: Buffer) => {
      const data = atStart ? rewriteList(chunk) : chunk;
      atStart = false;
      outer.write(data);
    });
    outer.on('data', (chunk: Buffer) => socket.write(chunk));
    socket.on('end', () => outer.end());
    outer.on('end', () => socket.end());
    const close = () => {
      sockets.delete(socket);
      outer.destroy();
      socket.destroy();
    };
    socket.on('close', close);
    socket.on('error', close);
    outer.on('error', close);
    http.emit('connection', inner);
  });
  return {
    tcp,
    destroyAll() {
      for (const s of sockets) s.destroy();
    },
  };
}
