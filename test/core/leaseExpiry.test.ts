// A lease must never outlive its session: a revocation is skipped or dropped only once Vault's own
// expiry of the lease has passed, not the session's end (which can come much earlier).
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, MemoryJournal, recoverOrphans, SessionManager, type JournalEntry } from '../../main/core/sessions/index.ts';
import { shortenIncrement, vaultExpiryOf } from '../../main/core/sessions/leaseExpiry.ts';
import { FakeLeaseApi, MemoryAudit, leaseIdFor } from './sessions.fakes.ts';

const MIN = 60_000;
const managers: SessionManager[] = [];
afterEach(() => {
  for (const m of managers.splice(0)) m.dispose();
});

describe('the pure rules', () => {
  it("Vault's expiry is the later of the lease's and the session's; older journals fall back to the session's", () => {
    expect(vaultExpiryOf({ expiresAt: 15 * MIN, leaseExpiresAt: 60 * MIN })).toBe(60 * MIN);
    expect(vaultExpiryOf({ expiresAt: 15 * MIN })).toBe(15 * MIN);
  });

  it('shortens a renewable lease only when the session is shorter', () => {
    expect(shortenIncrement({ leaseDuration: 3600, renewable: true }, 900)).toBe(900);
    expect(shortenIncrement({ leaseDuration: 900, renewable: true }, 900)).toBeUndefined();
    expect(shortenIncrement({ leaseDuration: 3600, renewable: false }, 900)).toBeUndefined();
  });
});

describe('crash recovery', () => {
  // orders-rw at ttl 15m with the Vault role at 1h; keyfob killed at minute 2, restarted at minute 20.
  const clock = new FakeClock(0);
  const orphan = (n: number, leaseExpiresAt: number | undefined): JournalEntry => ({
    sessionId: `s0000${n}`,
    leaseId: leaseIdFor(n),
    targetId: 'orders-rw',
    kind: 'database',
    issuedAt: 0,
    expiresAt: 15 * MIN,
    ...(leaseExpiresAt !== undefined ? { leaseExpiresAt } : {}),
    pid: 999_999,
    pidStartTime: null,
    hostname: 'test-host',
    state: 'active',
    revokeAttempts: 0,
  });

  it("revokes an orphan past its session's end but before its lease's, and audits crash-recovery, not expired", async () => {
    const journal = new MemoryJournal();
    await journal.put(orphan(1, 60 * MIN));
    await journal.put(orphan(2, 18 * MIN)); // its lease is gone at Vault already
    const leaseApi = new FakeLeaseApi();
    const audit = new MemoryAudit();
    await clock.advance(20 * MIN);
    const report = await recoverOrphans(journal, leaseApi, audit, clock, { isOwnerAlive: () => false });
    expect(leaseApi.revoked).toEqual([leaseIdFor(1)]);
    expect(report.revoked.map((e) => e.sessionId)).toEqual(['s00001']);
    expect(report.expired.map((e) => e.sessionId)).toEqual(['s00002']);
    expect(audit.entries.find((e) => e.sessionId === 's00001')).toMatchObject({ action: 'revoked', reason: 'crash-recovery' });
    expect(await journal.list()).toEqual([]);
  });
});

/** A session manager on fakes, at time 0, disposed after the test. */
function managerAtZero() {
  const clock = new FakeClock(0);
  const leaseApi = new FakeLeaseApi();
  const journal = new MemoryJournal();
  const audit = new MemoryAudit();
  const manager = new SessionManager({
    clock,
    leaseApi,
    journal,
    audit,
    owner: { pid: process.pid, pidStartTime: null, hostname: 'test-host' },
    random: () => 0.5,
  });
  managers.push(manager);
  return { clock, leaseApi, journal, audit, manager };
}

describe('a revocation that fails at expiry', () => {
  it("is retried until Vault's expiry of the lease, and only then dropped as expired", async () => {
    const { clock, leaseApi, journal, audit, manager } = managerAtZero();
    // Session 15 min; Vault's lease lasts 1 h (the shortening failed, or the role would not shorten).
    const s = await manager.add({
      targetId: 'orders-rw',
      kind: 'database',
      leaseId: leaseIdFor(1),
      ttlSeconds: 900,
      renewable: false,
      leaseExpiresAt: 60 * MIN,
    });
    expect((await journal.list())[0]).toMatchObject({ expiresAt: 15 * MIN, leaseExpiresAt: 60 * MIN });
    leaseApi.revokeFailure = () => new Error('Vault unreachable');

    await clock.advance(15 * MIN); // the session ends; Vault is briefly down
    await manager.whenIdle();
    expect(await journal.list()).toMatchObject([{ sessionId: s.id, state: 'revoke-failed' }]);
    expect(audit.actions(s.id)).toEqual(['issued', 'revoke-failed']);

    await clock.advance(10 * MIN); // retries keep failing, still before Vault's expiry: still kept
    await manager.whenIdle();
    expect(await journal.list()).toMatchObject([{ sessionId: s.id, state: 'revoke-failed' }]);
    expect(manager.get(s.id)?.revokeAttempts).toBeGreaterThan(2);

    leaseApi.revokeFailure = () => undefined; // Vault is back: the next retry revokes it
    await clock.advance(5 * MIN);
    await manager.whenIdle();
    expect(leaseApi.revoked).toEqual([leaseIdFor(1)]);
    expect(await journal.list()).toEqual([]);
  });

  it("is dropped as expired once Vault's expiry has passed", async () => {
    const { clock, leaseApi, journal, audit, manager } = managerAtZero();
    const s = await manager.add({
      targetId: 'orders-rw',
      kind: 'database',
      leaseId: leaseIdFor(2),
      ttlSeconds: 900,
      renewable: false,
      leaseExpiresAt: 20 * MIN,
    });
    leaseApi.revokeFailure = () => new Error('Vault unreachable');
    await clock.advance(25 * MIN);
    await manager.whenIdle();
    expect(await journal.list()).toEqual([]);
    expect(audit.entries.filter((e) => e.sessionId === s.id).at(-1)).toMatchObject({ action: 'expired' });
  });
});
