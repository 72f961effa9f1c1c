// A TCP forwarder in front of a service, so a test can make it unreachable (close the forwarder)
// the way a dropped VPN or a Vault outage would, while the real service keeps running.
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Forwarder {
  /** http://127.0.0.1:PORT */
  address: string;
  /** Stops accepting and cuts open connections: from now on, connection refused. */
  close(): Promise<void>;
}

export async function forwardTo(targetUrl: string): Promise<Forwarder> {
  const target = new URL(targetUrl);
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
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
