// A TCP proxy that puts Vault `oneWayMs` away: each chunk is forwarded that much later in either
// direction, in order, and a new connection carries nothing for one round trip (the TCP handshake
// a real network would cost; TLS would add one more, not modelled): what the client writes at
// once leaves after the handshake and then takes its one way, so its first request reaches Vault
// after 1.5 round trips and its answer is back after 2. So a revoke-all pays for the connections
// it opens as well as its requests, as it would against a remote Vault.
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
    // Measured (a lookup-self from a fresh client, 15 rounds): with the data's own one way counted
    // inside the handshake's round trip, a new connection cost 0.6 round trips more than a warm
    // one (35.5 against 22.5 ms), not one.
    forward(client, upstream, oneWayMs, performance.now() + 2 * oneWayMs);
    forward(upstream, client, oneWayMs, 0);
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

/** Forwards in order, each chunk `delayMs` after it could leave: when written, or at `readyAt` (the handshake's end) if later. */
function forward(from: Socket, to: Socket, delayMs: number, readyAt: number): void {
  let chain = Promise.resolve();
  const later = (due: number) => () => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  const due = () => Math.max(performance.now(), readyAt) + delayMs;
  from.on('data', (chunk: Buffer) => {
    chain = chain.then(later(due())).then(() => void (to.destroyed || to.write(chunk)));
  });
  from.on('end', () => {
    chain = chain.then(later(due())).then(() => void to.end());
  });
}
