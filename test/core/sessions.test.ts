import { afterEach, describe, expect, it } from 'vitest';
import {
  FakeClock,
  MemoryJournal,
  revokeJournaledSession,
  SessionError,
  SessionManager,
  formatClockTime,
  isSessionId,
  systemClock,
  type Clock,
  type EndReason,
  type SchedulePolicy,
} from '../../main/core/sessions/index.ts';
import { FakeLeaseApi, MemoryAudit, leaseIdFor } from './sessions.fakes.ts';

const owner = { pid: process.pid, pidStartTime: null, hostname: 'test-host' };
const managers: SessionManager[] = [];

function setup(options: { clock?: Clock; policy?: Partial<SchedulePolicy> } = {}) {
  const clock = options.clock ?? new FakeClock();
  const leaseApi = new FakeLeaseApi();
  const journal = new MemoryJournal();
  const audit = new MemoryAudit();
  // random = 0.5 puts backoff exactly on its nominal value (5 s, 10 s, …).
  const manager = new SessionManager({ clock, leaseApi, journal, audit, owner, random: () => 0.5, policy: { warnLeadSeconds: 300, ...options.policy } });
  managers.push(manager);
  return { clock, leaseApi, journal, audit, manager };
}

afterEach(() => {
  for (const m of managers.splice(0)) m.dispose();
});

const db = (n: number, ttlSeconds = 1800) => ({ targetId: 'orders-ro', kind: 'database' as const, leaseId: leaseIdFor(n), ttlSeconds, renewable: true });

describe('SessionManager scheduling', () => {
  it('keeps one timer armed for 50 active sessions, not one per session', async () => {
    const { clock, manager } = setup();
    const fake = clock as FakeClock;
    for (let i = 0; i < 50; i++) await manager.add(db(i, 600 + i * 60));
    expect(manager.armedTimerCount()).toBe(1);
    expect(fake.pendingTimers).toBe(1);
    expect(manager.list()).toHaveLength(50);

    // Half of them run out; still one timer for the rest.
    await fake.advance(2100 * 1000);
    expect(manager.list().length).toBeLessThan(50);
    expect(manager.list().length).toBeGreaterThan(0);
    expect(fake.pendingTimers).toBe(1);

    await manager.endAll('quit');
    expect(manager.armedTimerCount()).toBe(0);
    expect(fake.pendingTimers).toBe(0);
  });

  it('gives sessions short ids a person can type', async () => {
    const { manager } = setup();
    const s = await manager.add(db(1));
    expect(isSessionId(s.id)).toBe(true);
    expect(s.id).toMatch(/^[a-z2-9]{6}$/);
  });

  it('warns once, at the lead time before expiry', async () => {
    const { clock, manager } = setup();
    const fake = clock as FakeClock;
    const warnings: Array<{ id: string; secondsLeft: number }> = [];
    manager.onDidWarnExpiring(({ session, secondsLeft }) => warnings.push({ id: session.id, secondsLeft }));
    const s = await manager.add(db(1, 1800));

    await fake.advance(1499 * 1000);
    expect(warnings).toEqual([]);
    await fake.advance(1000);
    expect(warnings).toEqual([{ id: s.id, secondsLeft: 300 }]);
    expect(manager.get(s.id)?.state).toBe('expiring');

    await fake.advance(200 * 1000);
    expect(warnings).toHaveLength(1);
  });

  it('ends a session at expiry through the revoke path, and audits it as expired', async () => {
    const { clock, manager, leaseApi, journal, audit } = setup();
    const fake = clock as FakeClock;
    const hookReasons: EndReason[] = [];
    const ended: Array<{ id: string; reason: EndReason }> = [];
    manager.onDidEndSession(({ session, reason }) => ended.push({ id: session.id, reason }));
    const s = await manager.add({ ...db(7, 600), onEnd: (reason) => void hookReasons.push(reason) });
    expect(await journal.list()).toHaveLength(1);

    await fake.advance(600 * 1000);
    await manager.whenIdle();

    expect(leaseApi.revoked).toEqual([leaseIdFor(7)]);
    expect(hookReasons).toEqual(['expired']);
    expect(ended).toEqual([{ id: s.id, reason: 'expired' }]);
    expect(manager.get(s.id)).toBeUndefined();
    expect(await journal.list()).toEqual([]);
    expect(audit.entries.at(-1)).toMatchObject({ action: 'expired', reason: 'expired', sessionId: s.id, leaseId: leaseIdFor(7), target: 'orders-ro' });
    expect(manager.armedTimerCount()).toBe(0);
  });

  it('renews ahead of the warning when auto-renew is on', async () => {
    const { clock, manager, leaseApi } = setup({ policy: { autoRenew: true } });
    const fake = clock as FakeClock;
    const warned: string[] = [];
    manager.onDidWarnExpiring(({ session }) => warned.push(session.id));
    const s = await manager.add(db(1, 3600));

    // Renewal point: 6 min before expiry (a minute before the 5 min warning).
    await fake.advance((3600 - 360) * 1000);
    await manager.whenIdle();
    expect(leaseApi.renewCalls).toEqual([{ leaseId: leaseIdFor(1), increment: 3600 }]);
    expect(manager.get(s.id)?.expiresAt).toBe(fake.now() + 3600 * 1000);
    expect(warned).toEqual([]);
    expect(manager.armedTimerCount()).toBe(1);
  });
});

describe('SessionManager renew', () => {
  it('reports when Vault caps the renewal at the max TTL: new expiry and why', async () => {
    const { clock, manager, leaseApi, audit } = setup();
    const fake = clock as FakeClock;
    const s = await manager.add(db(1, 3600));
    const maxEnd = s.issuedAt + 4 * 3600 * 1000;
    leaseApi.renewResponse = (_id, increment) => {
      const left = Math.round((maxEnd - fake.now()) / 1000);
      return left < increment
        ? { leaseDuration: left, renewable: true, warnings: [`TTL of "1h" exceeded the effective max_ttl of "${left}s"; TTL value is capped accordingly`] }
        : { leaseDuration: increment, renewable: true, warnings: [] };
    };

    // Extend every 50 minutes: three plain renewals, then the fourth runs into the 4h max.
    const results = [];
    for (let i = 0; i < 4; i++) {
      await fake.advance(50 * 60 * 1000);
      results.push(await manager.renew(s.id, 3600));
    }
    const [plain, , , capped] = results as [(typeof results)[0], unknown, unknown, (typeof results)[0]];
    expect(results.map((r) => r.capped)).toEqual([false, false, false, true]);
    expect(plain.message).toBe(`extended: expires ${formatClockTime(s.issuedAt + 110 * 60 * 1000)}`);
    expect(capped.capped).toBe(true);
    expect(capped.session.expiresAt).toBe(maxEnd);
    expect(capped.message).toBe(`capped at max TTL 4h: expires ${formatClockTime(maxEnd)}`);
    expect(manager.get(s.id)?.cap).toEqual({ maxTtlSeconds: 4 * 3600, expiresAt: maxEnd, message: capped.message });
    expect(manager.get(s.id)?.maxExpiresAt).toBe(maxEnd);
    expect(audit.entries.filter((e) => e.action === 'renewed').at(-1)?.detail).toBe(capped.message);
  });

  it('treats a shorter lease duration than asked as capped even without a warning', async () => {
    const { manager, leaseApi } = setup();
    const s = await manager.add(db(1, 600));
    leaseApi.renewResponse = () => ({ leaseDuration: 120, renewable: true, warnings: [] });
    const r = await manager.renew(s.id, 3600);
    expect(r.capped).toBe(true);
    expect(r.message).toMatch(/^capped at max TTL .+: expires \d\d:\d\d$/);
  });

  it('refuses non-renewable leases and SSH certificates with a clear error', async () => {
    const { manager, leaseApi } = setup();
    const fixed = await manager.add({ ...db(1), renewable: false });
    const cert = await manager.add({ targetId: 'web-ssh', kind: 'ssh', ttlSeconds: 1800, renewable: false });
    await expect(manager.renew(fixed.id, 600)).rejects.toMatchObject({
      code: 'not-renewable',
      reason: 'LEASE_NOT_RENEWABLE',
      message: expect.stringContaining('not renewable'),
    });
    await expect(manager.renew(cert.id, 600)).rejects.toMatchObject({
      code: 'not-renewable',
      reason: 'LEASE_NOT_RENEWABLE',
      message: expect.stringContaining('SSH certificate'),
    });
    await expect(manager.renew('zzzzzz', 600)).rejects.toBeInstanceOf(SessionError);
    expect(leaseApi.renewCalls).toEqual([]);
  });
});

describe('SessionManager end', () => {
  it('ends 100 sessions in parallel within the concurrency bound', async () => {
    const { manager, leaseApi, journal } = setup({ clock: systemClock });
    leaseApi.revokeDelayMs = 50;
    for (let i = 0; i < 100; i++) await manager.add(db(i));

    const result = await manager.endAll('quit', { concurrency: 8, deadlineMs: 10_000 });

    expect(result.ended).toHaveLength(100);
    expect(result.failed).toEqual([]);
    expect(result.timedOut).toEqual([]);
    expect(leaseApi.maxInFlight).toBeLessThanOrEqual(8);
    expect(leaseApi.maxInFlight).toBeGreaterThan(1);
    expect(new Set(leaseApi.revoked).size).toBe(100);
    expect(manager.list()).toEqual([]);
    expect(await journal.list()).toEqual([]);
  });

  it('stops waiting at the deadline and keeps what was not revoked for a retry', async () => {
    const { clock, manager, leaseApi, journal } = setup();
    const fake = clock as FakeClock;
    leaseApi.hang = true;
    for (let i = 0; i < 5; i++) await manager.add(db(i));

    const pending = manager.endAll('logout', { concurrency: 2, deadlineMs: 5000 });
    await fake.advance(5000);
    const result = await pending;

    expect(result.ended).toEqual([]);
    expect(result.timedOut).toHaveLength(5);
    const states = manager
      .list()
      .map((s) => s.state)
      .sort();
    expect(states).toEqual(['revoke-failed', 'revoke-failed', 'revoke-failed', 'revoking', 'revoking']);
    expect((await journal.list()).filter((e) => e.state === 'revoke-failed')).toHaveLength(3);
  });

  it('keeps a failed revocation (journal, audit, state) and retries it with backoff', async () => {
    const { clock, manager, leaseApi, journal, audit } = setup();
    const fake = clock as FakeClock;
    const s = await manager.add(db(3));
    leaseApi.revokeFailure = () => new Error('Vault unreachable: connect ECONNREFUSED 127.0.0.1:8200');

    const first = await manager.end(s.id, 'command-exit');
    expect(first).toEqual({ sessionId: s.id, status: 'revoke-failed', error: 'Vault unreachable: connect ECONNREFUSED 127.0.0.1:8200' });
    expect(manager.get(s.id)).toMatchObject({ state: 'revoke-failed', revokeAttempts: 1, endReason: 'command-exit' });
    expect(await journal.list()).toMatchObject([
      { sessionId: s.id, state: 'revoke-failed', revokeAttempts: 1, lastError: expect.stringContaining('ECONNREFUSED') },
    ]);
    expect(audit.actions(s.id)).toEqual(['issued', 'revoke-failed']);

    // Second failure after 5 s, then success after another 10 s.
    await fake.advance(5000);
    await manager.whenIdle();
    expect(manager.get(s.id)?.revokeAttempts).toBe(2);
    leaseApi.revokeFailure = () => undefined;
    await fake.advance(9999);
    expect(leaseApi.revoked).toEqual([]);
    await fake.advance(1);
    await manager.whenIdle();

    expect(leaseApi.revoked).toEqual([leaseIdFor(3)]);
    expect(manager.get(s.id)).toBeUndefined();
    expect(await journal.list()).toEqual([]);
    expect(audit.entries.at(-1)).toMatchObject({ action: 'revoked', reason: 'command-exit' });
  });

  it('runs the cleanup hook once, even when the revocation is retried', async () => {
    const { clock, manager, leaseApi } = setup();
    let hookRuns = 0;
    const s = await manager.add({ ...db(1), onEnd: () => void hookRuns++ });
    leaseApi.revokeFailure = () => new Error('503');
    await manager.end(s.id, 'revoked');
    leaseApi.revokeFailure = () => undefined;
    await (clock as FakeClock).advance(60_000);
    await manager.whenIdle();
    expect(hookRuns).toBe(1);
    expect(leaseApi.revoked).toHaveLength(1);
  });

  it('does not let a hanging cleanup hook hold up the revocation', async () => {
    const { clock, manager, leaseApi, audit } = setup();
    const s = await manager.add({ ...db(2), onEnd: () => new Promise<void>(() => {}) });
    const outcome = manager.end(s.id, 'lock');
    await (clock as FakeClock).advance(2000);
    expect(await outcome).toMatchObject({ status: 'ended', detail: 'cleanup failed: did not finish within 2000 ms' });
    expect(leaseApi.revoked).toEqual([leaseIdFor(2)]);
    expect(audit.entries.at(-1)).toMatchObject({ action: 'revoked', reason: 'lock', detail: 'cleanup failed: did not finish within 2000 ms' });
  });

  it('shares one revocation between concurrent end calls', async () => {
    const { manager, leaseApi, audit } = setup();
    const s = await manager.add(db(1));
    const [a, b] = await Promise.all([manager.end(s.id, 'revoked'), manager.end(s.id, 'logout')]);
    expect(a).toEqual(b);
    expect(leaseApi.revoked).toHaveLength(1);
    expect(audit.actions(s.id)).toEqual(['issued', 'revoked']);
    expect(await manager.end(s.id, 'revoked')).toEqual({ sessionId: s.id, status: 'not-found' });
  });

  it('ends a session without a lease (SSH) by running its cleanup', async () => {
    const { manager, leaseApi, audit } = setup();
    let agentKilled = false;
    const s = await manager.add({ targetId: 'web-ssh', kind: 'ssh', ttlSeconds: 1800, renewable: false, onEnd: () => void (agentKilled = true) });
    expect(await manager.end(s.id, 'command-exit')).toMatchObject({ status: 'ended' });
    expect(agentKilled).toBe(true);
    expect(leaseApi.revoked).toEqual([]);
    expect(audit.entries.at(-1)).toMatchObject({ action: 'revoked', reason: 'command-exit', detail: 'no Vault lease to revoke' });
  });

  it('revokes what it issued when the journal cannot record it', async () => {
    const { manager, leaseApi, journal } = setup();
    journal.put = () => Promise.reject(new Error('EACCES: journal.json'));
    await expect(manager.add(db(9))).rejects.toThrow('EACCES');
    expect(leaseApi.revoked).toEqual([leaseIdFor(9)]);
    expect(manager.list()).toEqual([]);
  });

  it('emits added, updated and ended events, and listeners can unsubscribe', async () => {
    const { manager } = setup();
    const seen: string[] = [];
    const subs = [
      manager.onDidAddSession((s) => seen.push(`added ${s.state}`)),
      manager.onDidUpdateSession((s) => seen.push(`updated ${s.state}`)),
      manager.onDidEndSession(({ reason }) => seen.push(`ended ${reason}`)),
    ];
    const s = await manager.add(db(1));
    await manager.end(s.id, 'logout');
    expect(seen).toEqual(['added active', 'updated revoking', 'ended logout']);
    subs.forEach((d) => d.dispose());
    await manager.add(db(2));
    expect(seen).toHaveLength(3);
  });

  it('stops a session another keyfob process was asked to revoke even when that revoke failed, and keeps it for a retry', async () => {
    const { manager, journal, leaseApi, clock } = setup();
    let commandStopped = false;
    const s = await manager.add({ ...db(6), onEnd: () => void (commandStopped = true) });
    const unreachable = new FakeLeaseApi();
    unreachable.revokeFailure = () => new Error('Vault could not be reached');
    const elsewhere = { journal, leaseApi: unreachable, audit: new MemoryAudit(), clock };
    expect((await revokeJournaledSession(s.id, 'revoked', elsewhere)).status).toBe('revoke-failed');

    expect(await manager.reconcile()).toEqual([s.id]);
    await manager.whenIdle();
    expect(commandStopped).toBe(true);
    expect(leaseApi.revoked).toEqual([]);
    expect((await journal.list()).find((e) => e.sessionId === s.id)).toMatchObject({ state: 'revoke-failed' });
  });

  it('stops a session that another keyfob process revoked, without revoking or auditing twice', async () => {
    const { manager, journal, leaseApi, audit } = setup();
    const ended: EndReason[] = [];
    manager.onDidEndSession(({ reason }) => ended.push(reason));
    let commandStopped = false;
    const s = await manager.add({ ...db(4), onEnd: () => void (commandStopped = true) });
    const other = await manager.add(db(5));

    // `keyfob revoke <id>` in another terminal: its own lease client and audit.
    const elsewhere = { journal, leaseApi: new FakeLeaseApi(), audit: new MemoryAudit() };
    expect((await revokeJournaledSession(s.id, 'revoked', elsewhere)).status).toBe('revoked');

    expect(await manager.reconcile()).toEqual([s.id]);
    await manager.whenIdle();
    expect(commandStopped).toBe(true);
    expect(ended).toEqual(['revoked']);
    expect(manager.list().map((x) => x.id)).toEqual([other.id]);
    expect(leaseApi.revoked).toEqual([]);
    expect(audit.actions(s.id)).toEqual(['issued']);
    expect(elsewhere.audit.actions(s.id)).toEqual(['revoked']);
  });

  it('revokes a session whose journal entry was lost (no removal said why), instead of dropping it unrevoked', async () => {
    const { manager, journal, leaseApi, audit } = setup();
    let commandStopped = false;
    const s = await manager.add({ ...db(7), onEnd: () => void (commandStopped = true) });
    journal.lose(); // the journal file deleted, or moved aside as unreadable

    expect(await manager.reconcile()).toEqual([]);
    await manager.whenIdle();
    expect(commandStopped).toBe(true);
    expect(leaseApi.revoked).toEqual([leaseIdFor(7)]);
    expect(audit.actions(s.id)).toEqual(['issued', 'revoked']);
    expect(manager.list()).toEqual([]);
  });
});
