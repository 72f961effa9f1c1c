// A Vault rate-limit quota met by slowing down, not by a retry storm. A loopback server plays the
// quota; the transport's sleep is injected (recorded, not waited), so nothing here depends on time.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { REVOKE_CONCURRENCY, runBounded, systemClock } from '../../main/core/sessions/index.ts';
import { VaultClient } from '../../main/core/vault/index.ts';

const TOKEN = 'hvs.generated-for-this-test-only-000000';
let server: http.Server | undefined;
const clients: VaultClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A Vault whose `answer` decides each request: 429 (with Retry-After) or 204. */
async function quotaVault(answer: (n: number, respond: (status: 204 | 429) => void) => void): Promise<string> {
  let n = 0;
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      answer(++n, (status) => {
        if (status === 204) res.writeHead(204).end();
        else res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '10' }).end('{"errors":["rate limit quota exceeded"]}');
      }),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(address: string, log: string[]): VaultClient {
  const c = new VaultClient({ address, token: TOKEN, sleep: async (ms) => void log.push(`sleep ${Math.round(ms / 1000)}s`) });
  clients.push(c);
  return c;
}

describe('a rate-limited Vault', () => {
  it('a request started while a Retry-After runs waits it out before it is sent', async () => {
    const log: string[] = [];
    const address = await quotaVault((n, respond) => {
      log.push(`request ${n}`);
      respond(n === 1 ? 429 : 204);
    });
    const vault = client(address, log);
    await vault.revokeLease('aws/creds/dev/a');
    await vault.revokeLease('aws/creds/dev/b'); // within the 10 s Vault asked for
    expect(log).toEqual(['request 1', 'sleep 10s', 'request 2', 'sleep 10s', 'request 3']);
  });

  it('after a wave of 429s the retries go at half the rate, not all at once, and every revocation lands', async () => {
    let inFlight = 0;
    let mostAtOnce = 0;
    const firstWave: Array<(status: 204 | 429) => void> = [];
    const address = await quotaVault((n, respond) => {
      // The first wave finds the quota used up, and hears so all together, as within one interval.
      if (n <= REVOKE_CONCURRENCY) {
        firstWave.push(respond);
        if (firstWave.length === REVOKE_CONCURRENCY) for (const r of firstWave) r(429);
        return;
      }
      mostAtOnce = Math.max(mostAtOnce, ++inFlight);
      setTimeout(() => {
        inFlight--;
        respond(204);
      }, 5);
    });
    const vault = client(address, []);
    const leases = Array.from({ length: 100 }, (_, i) => `aws/creds/dev/${i}`);
    const result = await runBounded(leases, (id) => vault.revokeLease(id), { concurrency: REVOKE_CONCURRENCY, deadlineMs: 60_000, clock: systemClock });
    expect(result.settled.filter((r) => !r.ok)).toEqual([]);
    expect(result.settled).toHaveLength(100);
    expect(mostAtOnce).toBeLessThanOrEqual(REVOKE_CONCURRENCY / 2 + 4);
  });

  it("each session's own token (withToken) waits out the same Retry-After: one process, one gate", async () => {
    const log: string[] = [];
    const address = await quotaVault((n, respond) => {
      log.push(`request ${n}`);
      respond(n === 1 ? 429 : 204);
    });
    const vault = client(address, log);
    const first = vault.withToken('hvs.child-one-generated-for-this-test');
    const second = vault.withToken('hvs.child-two-generated-for-this-test');
    await first.revokeSelf();
    // Another session's revoke-self within the 10 s Vault asked for waits too, instead of adding to the storm.
    await second.revokeSelf();
    first.close();
    // Closing a session's client leaves its maker's connections to the others.
    await vault.revokeLease('aws/creds/dev/c');
    expect(log).toEqual(['request 1', 'sleep 10s', 'request 2', 'sleep 10s', 'request 3', 'sleep 10s', 'request 4']);
  });
});
