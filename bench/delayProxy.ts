// A TCP proxy that puts Vault `oneWayMs` away: each chunk is forwarded that much later in either
// direction, in order, and a new connection carries nothing for one round trip (the TCP handshake
// a real network would cost; TLS would add one more, not modelled). So a revoke-all pays for the
// connections it opens as well as its requests, as it would against a remote Vault.
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface DelayProxy {
  /** http://127.0.0.1:PORT, to use as the Vault address. */
  address: string;
  close(): Promise<void>;
}

export async function startDelayProxy(target: URL, oneWayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const handshake = new Promise<void>((resolve) => setTimeout(resolve, 2 * oneWayMs));
    forward(client, upstream, oneWayMs, handshake);
    forward(upstream, client, oneWayMs, Promise.resolve());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function forward(from: Socket, to: Socket, delayMs: number, ready: Promise<void>): void {
  let chain = ready;
  const later = (due: number) => () => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  from.on('data', (chunk: Buffer) => {
    chain = chain.then(later(performance.now() + delayMs)).then(() => void (to.destroyed || to.write(chunk)));
  });
  from.on('end', () => {
    chain = chain.then(later(performance.now() + delayMs)).then(() => void to.end());
  });
}
