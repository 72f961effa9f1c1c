// One revoke path for every end: a command's exit in this process, `keyfob revoke ID` from another
// terminal and crash recovery at start all leave the same record in the journal and the audit log.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/core/audit/index.ts';
import {
  FakeClock,
  Journal,
  MemoryJournal,
  SessionManager,
  endSession,
  recoverOrphans,
  revokeJournaledSession,
  settle,
  type JournalEntry,
  type ProcessIdentity,
} from '../../main/core/sessions/index.ts';
import { FakeLeaseApi, MemoryAudit, leaseIdFor } from './sessions.fakes.ts';

const me: ProcessIdentity = { pid: process.pid, pidStartTime: null, hostname: 'test-host' };
const OTHER_TERMINAL = 77_001; // a keyfob exec running in another terminal
const CRASHED = 77_002; // a keyfob killed with SIGKILL
const isOwnerAlive = (owner: ProcessIdentity) => owner.pid !== CRASHED;

function journaled(n: number, clock: FakeClock, changes: Partial<JournalEntry> = {}): JournalEntry {
  return {
    sessionId: `s${String(n).padStart(5, '0')}`,
    leaseId: leaseIdFor(n),
    targetId: 'orders-ro',
    kind: 'database',
    issuedAt: clock.now(),
    expiresAt: clock.now() + 1800_000,
    pid: OTHER_TERMINAL,
    pidStartTime: null,
    hostname: 'test-host',
    state: 'active',
    revokeAttempts: 0,
    ...changes,
  };
}

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'keyfob-revoke-path-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('the one revoke path', () => {
  it('records a failed revocation the same way for a command exit, keyfob revoke ID and crash recovery, and each is retried until Vault answers', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournal();
    const audit = new MemoryAudit();
    const leaseApi = new FakeLeaseApi();
    const token = `hvs.${randomBytes(24).toString('base64url')}`;
    leaseApi.revokeFailure = () => new Error(`Vault unreachable (token ${token})`);
    const manager = new SessionManager({ clock, leaseApi, journal, audit, owner: me, random: () => 0.5 });
    const problems: string[] = [];
    manager.onDidReportProblem((p) => problems.push(p));

    const mine = await manager.add({ targetId: 'orders-ro', kind: 'database', leaseId: leaseIdFor(1), ttlSeconds: 1800, renewable: true });
    await journal.put(journaled(2, clock));
    await journal.put(journaled(3, clock, { pid: CRASHED }));

    expect(await manager.end(mine.id, 'command-exit')).toMatchObject({ status: 'revoke-failed' });
    expect(await revokeJournaledSession('s00002', 'revoked', { journal, leaseApi, audit, clock })).toMatchObject({
      status: 'revoke-failed',
      revokeAttempts: 1,
    });
    const recovery = await recoverOrphans(journal, leaseApi, audit, clock, { self: me, isOwnerAlive });
    expect(recovery.failed.map((e) => e.sessionId)).toEqual(['s00003']);

    // The journal keeps all three, each with its error (redacted) and its owner, for a retry.
    const kept = await journal.list();
    expect(kept.map((e) => [e.sessionId, e.state, e.revokeAttempts, e.pid])).toEqual([
      [mine.id, 'revoke-failed', 1, me.pid],
      ['s00002', 'revoke-failed', 1, OTHER_TERMINAL],
      ['s00003', 'revoke-failed', 1, CRASHED],
    ]);
    for (const e of kept) expect(e.lastError).toBe('Vault unreachable (token [redacted])');
    expect(audit.entries.filter((e) => e.action === 'revoke-failed')).toEqual([
      {
        target: 'orders-ro',
        action: 'revoke-failed',
        reason: 'command-exit',
        sessionId: mine.id,
        leaseId: leaseIdFor(1),
        detail: 'Vault unreachable (token [redacted]); retry in 5s',
      },
      {
        target: 'orders-ro',
        action: 'revoke-failed',
        reason: 'revoked',
        sessionId: 's00002',
        leaseId: leaseIdFor(2),
        detail: `session of pid ${OTHER_TERMINAL}; Vault unreachable (token [redacted]); retried at next start`,
      },
      {
        target: 'orders-ro',
        action: 'revoke-failed',
        reason: 'crash-recovery',
        sessionId: 's00003',
        leaseId: leaseIdFor(3),
        detail: `owner pid ${CRASHED} is gone; Vault unreachable (token [redacted]); retried at next start`,
      },
    ]);

    // Vault is back: the manager's timer retries its own; the next start retries the orphan.
    leaseApi.revokeFailure = () => undefined;
    await clock.advance(5000);
    await manager.whenIdle();
    expect((await revokeJournaledSession('s00002', 'revoked', { journal, leaseApi, audit, clock })).status).toBe('revoked');
    expect((await recoverOrphans(journal, leaseApi, audit, clock, { self: me, isOwnerAlive })).revoked.map((e) => e.sessionId)).toEqual(['s00003']);

    expect(await journal.list()).toEqual([]);
    expect(leaseApi.revoked).toEqual([leaseIdFor(1), leaseIdFor(2), leaseIdFor(3)]);
    expect(audit.entries.filter((e) => e.action === 'revoked').map((e) => `${e.sessionId} ${e.reason}`)).toEqual([
      `${mine.id} command-exit`,
      's00002 revoked',
      's00003 crash-recovery',
    ]);
    expect(problems).toEqual([]);
    manager.dispose();
  });

  it('does not revoke or audit again a session its owner ended first', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournal();
    const audit = new MemoryAudit();
    const leaseApi = new FakeLeaseApi();
    const seen = journaled(4, clock);
    await journal.put(seen);
    await journal.remove(seen.sessionId); // the exec in the other terminal exited meanwhile

    expect(await endSession(seen, 'revoked', { journal, leaseApi, audit, clock }, { onlyIfJournaled: true })).toEqual({ status: 'not-found' });
    expect((await revokeJournaledSession(seen.sessionId, 'revoked', { journal, leaseApi, audit, clock })).status).toBe('not-found');
    expect(leaseApi.revoked).toEqual([]);
    expect(audit.entries).toEqual([]);
  });

  it('records a revoke that fails after the lease expired as expired, with nothing left to retry', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournal();
    const audit = new MemoryAudit();
    const leaseApi = new FakeLeaseApi();
    leaseApi.revokeFailure = () => new Error('Vault unreachable');
    await journal.put(journaled(5, clock, { expiresAt: clock.now() + 60_000 }));
    await clock.advance(61_000);

    expect((await revokeJournaledSession('s00005', 'revoked', { journal, leaseApi, audit, clock })).status).toBe('expired');
    expect(await journal.list()).toEqual([]);
    expect(audit.entries).toEqual([
      {
        target: 'orders-ro',
        action: 'expired',
        reason: 'revoked',
        sessionId: 's00005',
        leaseId: leaseIdFor(5),
        detail: `session of pid ${OTHER_TERMINAL}; revoke failed after expiry (Vault unreachable); Vault expires the lease on its own`,
      },
    ]);
  });

  it('crash recovery stops waiting at its deadline and leaves what it did not finish to the next start', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournal();
    const audit = new MemoryAudit();
    const leaseApi = new FakeLeaseApi();
    leaseApi.hang = true; // Vault accepts the connection and never answers
    for (let n = 1; n <= 3; n++) await journal.put(journaled(n, clock, { pid: CRASHED }));

    const recovering = recoverOrphans(journal, leaseApi, audit, clock, { self: me, isOwnerAlive, concurrency: 1, deadlineMs: 5000 });
    await settle(); // the orphans are claimed and the first revoke is under way
    expect(leaseApi.inFlight).toBe(1);
    await clock.advance(5000);
    const report = await recovering;

    expect(report.pending.map((e) => e.sessionId)).toEqual(['s00001', 's00002', 's00003']);
    expect(report.revoked).toEqual([]);
    expect(report.failed).toEqual([]);
    expect((await journal.list()).map((e) => [e.sessionId, e.state, e.pid])).toEqual([
      ['s00001', 'active', CRASHED],
      ['s00002', 'active', CRASHED],
      ['s00003', 'active', CRASHED],
    ]);
    expect(audit.entries).toEqual([]);
  });

  it('two keyfob processes starting at once revoke and audit each orphan once', async () => {
    const clock = new FakeClock();
    const seed = new Journal(home);
    for (let n = 1; n <= 6; n++) await seed.put(journaled(n, clock, { pid: CRASHED, hostname: hostname() }));
    await seed.put(journaled(7, clock, { pid: CRASHED, hostname: hostname(), expiresAt: clock.now() - 1000 }));
    const leaseApi = new FakeLeaseApi();
    leaseApi.revokeDelayMs = 20;
    const audit = new AuditLog({ dir: home });

    // Each with its own journal handle on the same file, as two processes have.
    const [a, b] = await Promise.all([
      recoverOrphans(new Journal(home), leaseApi, audit, clock, { self: { ...me, hostname: hostname() }, isOwnerAlive }),
      recoverOrphans(new Journal(home), leaseApi, audit, clock, { self: { ...me, hostname: hostname() }, isOwnerAlive }),
    ]);

    expect([...a.revoked, ...b.revoked].map((e) => e.sessionId).sort()).toEqual(['s00001', 's00002', 's00003', 's00004', 's00005', 's00006']);
    expect([...a.expired, ...b.expired].map((e) => e.sessionId)).toEqual(['s00007']);
    expect(leaseApi.revoked.slice().sort()).toEqual([1, 2, 3, 4, 5, 6].map(leaseIdFor).sort());
    const lines = audit.read();
    expect(lines).toHaveLength(7);
    expect(new Set(lines.map((e) => e.sessionId)).size).toBe(7);
    expect(lines.find((e) => e.sessionId === 's00007')).toMatchObject({
      action: 'expired',
      reason: 'crash-recovery',
      detail: expect.stringMatching(new RegExp(`^owner pid ${CRASHED} is gone; the lease expired at \\d\\d:\\d\\d$`)),
    });
    expect(await seed.list()).toEqual([]);
  });

  it('ends a session through its child token, says when that token had already ended, and forgets the token whichever way the session ends', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournal();
    const audit = new MemoryAudit();
    const leaseApi = new FakeLeaseApi();
    const manager = new SessionManager({ clock, leaseApi, journal, audit, owner: me });
    const own = await manager.add({
      targetId: 'orders-ro',
      kind: 'database',
      leaseId: leaseIdFor(1),
      childAccessor: 'acc-1',
      ttlSeconds: 600,
      renewable: true,
    });
    expect((await journal.list())[0]).toMatchObject({ childAccessor: 'acc-1' });
    await manager.renew(own.id, 600);
    leaseApi.revokeNote = "the session's Vault token had already ended, and Vault revoked its lease with it";
    expect(await manager.end(own.id, 'command-exit')).toMatchObject({ status: 'ended' });
    expect(leaseApi.accessors).toEqual([
      { call: 'renew', leaseId: leaseIdFor(1), childAccessor: 'acc-1' },
      { call: 'revoke', leaseId: leaseIdFor(1), childAccessor: 'acc-1' },
    ]);
    expect(audit.entries.at(-1)).toMatchObject({ action: 'revoked', detail: leaseApi.revokeNote });

    // A crashed keyfob's session past Vault's expiry: nothing is sent, the token is forgotten all the same.
    await journal.put(journaled(2, clock, { pid: CRASHED, childAccessor: 'acc-2', expiresAt: clock.now() - 1000 }));
    await recoverOrphans(journal, leaseApi, audit, clock, { self: me, isOwnerAlive });
    expect(leaseApi.accessors).toHaveLength(2);
    expect(leaseApi.forgotten).toEqual(['acc-1', 'acc-2']);

    // A revocation that fails keeps the token for the retry.
    await journal.put(journaled(3, clock, { pid: CRASHED, childAccessor: 'acc-3' }));
    leaseApi.revokeFailure = () => new Error("the session's Vault token is not in this machine's keychain");
    const report = await recoverOrphans(journal, leaseApi, audit, clock, { self: me, isOwnerAlive });
    expect(report.failed.map((e) => e.childAccessor)).toEqual(['acc-3']);
    expect(leaseApi.forgotten).toEqual(['acc-1', 'acc-2']);
    manager.dispose();
  });
});
