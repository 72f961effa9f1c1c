// The delay proxy (delayProxy.ts) on a thread of its own, for runs that time the client: the proxy
// stands for the network, and a network's work is not done on the client's event loop. On the
// bench's own thread the proxy's 200 sockets and per-chunk timers for 100 connections were
// charged to the revoke-all it measures.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startDelayProxy, type DelayProxy } from './delayProxy.ts';

interface Start {
  target: string;
  oneWayMs: number;
}

export async function startDelayProxyThread(target: URL, oneWayMs: number): Promise<DelayProxy> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { target: target.href, oneWayMs } satisfies Start });
  const address = await new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { address: string }) => resolve(message.address));
    worker.once('error', reject);
  });
  return {
    address,
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { target, oneWayMs } = workerData as Start;
  const proxy = await startDelayProxy(new URL(target), oneWayMs);
  port.on('message', () => void proxy.close().then(() => port.close()));
  port.postMessage({ address: proxy.address });
}
