// State dirs belong to the user, and only to the user: a dir another local user could write (or
// own) is refused, files are never written or read through a symlink, and a journal entry planted
// there cannot make the user's token revoke a lease outside the config's Vault paths.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/core/audit/index.ts';
import type { Target } from '../../main/core/config/index.ts';
import { leaseScopeFor } from '../../main/core/engine/leaseScope.ts';
import { ensureStateDir, FakeClock, Journal, MemoryJournal, recoverOrphans, type JournalEntry } from '../../main/core/sessions/index.ts';
import { FakeLeaseApi, MemoryAudit, leaseIdFor } from './sessions.fakes.ts';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keyfob-statedir-'));
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

describe('the state dir', () => {
  it('is created 0700 when missing', () => {
    const dir = ensureStateDir(join(scratch, 'new'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('is refused when group or others may write it (0777, 0770), saying how to fix it', () => {
    for (const mode of [0o777, 0o770]) {
      const dir = join(scratch, `open-${mode.toString(8)}`);
      mkdirSync(dir);
      chmodSync(dir, mode);
      expect(() => ensureStateDir(dir)).toThrow(`is writable by others (mode ${mode.toString(8)}); run chmod 700 ${dir}`);
    }
  });

  it('is accepted at 0755 (readable, not writable, by others)', () => {
    const dir = join(scratch, 'readable');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(ensureStateDir(dir)).toBe(dir);
  });

  it.skipIf(!isRoot)('is refused when another user owns it (needs root to chown)', () => {
    const dir = join(scratch, 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    expect(() => ensureStateDir(dir)).toThrow(/belongs to uid 65534, not to you .*KEYFOB_HOME/);
    expect(() => new Journal(dir)).toThrow(/belongs to uid 65534/);
  });
});

describe('files in the state dir are never followed through a symlink', () => {
  it('refuses to append the audit log through a symlink, and leaves its target alone', () => {
    const victim = join(scratch, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const dir = ensureStateDir(join(scratch, 'home'));
    symlinkSync(victim, join(dir, 'audit.jsonl'));
    const log = new AuditLog({ dir, user: () => 'alice' });
    expect(() => log.append({ target: 'orders-ro', sessionId: 'k7m2qx', action: 'issued' })).toThrow(/audit\.jsonl is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('refuses to read a journal that is a symlink', async () => {
    const planted = join(scratch, 'planted.json');
    writeFileSync(planted, JSON.stringify({ version: 1, entries: [] }));
    const dir = ensureStateDir(join(scratch, 'home'));
    symlinkSync(planted, join(dir, 'journal.json'));
    await expect(new Journal(dir).list()).rejects.toThrow(/journal\.json is a symbolic link/);
  });
});

describe('a planted journal entry', () => {
  const targets = [
    { id: 'orders-ro', kind: 'database', database: { vaultMount: 'database', vaultRole: 'orders-ro' } },
    { id: 'aws-dev', kind: 'aws', aws: { source: 'vault', vaultMount: 'aws', vaultRole: 'dev', credentialType: 'sts' } },
  ] as unknown as Target[];
  const clock = new FakeClock(Date.UTC(2025, 0, 15, 9, 0, 0));
  const entry = (sessionId: string, targetId: string, leaseId: string): JournalEntry => ({
    sessionId,
    targetId,
    leaseId,
    kind: 'database',
    issuedAt: clock.now(),
    expiresAt: clock.now() + 600_000,
    pid: 999_999,
    pidStartTime: null,
    hostname: 'test-host',
    state: 'active',
    revokeAttempts: 0,
  });

  it("is not revoked when its lease is outside its target's Vault path or its target is unknown; a real orphan is", async () => {
    const journal = new MemoryJournal();
    await journal.put(entry('real01', 'orders-ro', leaseIdFor(1)));
    await journal.put(entry('plant1', 'orders-ro', 'database/creds/app-payments/AbCdEf0123456789XyZaBcDe'));
    await journal.put(entry('plant2', 'billing-admin', 'database/creds/billing-admin/AbCdEf0123456789XyZaBcDe'));
    await journal.put(entry('plant3', 'aws-dev', 'aws/sts/dev-admin/AbCdEf0123456789XyZaBcDe'));
    const leaseApi = new FakeLeaseApi();
    const audit = new MemoryAudit();
    const report = await recoverOrphans(journal, leaseApi, audit, clock, { isOwnerAlive: () => false, leaseScope: leaseScopeFor(targets) });
    expect(leaseApi.revoked).toEqual([leaseIdFor(1)]);
    expect(report.revoked.map((e) => e.sessionId)).toEqual(['real01']);
    expect(report.failed.map((e) => e.sessionId).sort()).toEqual(['plant1', 'plant2', 'plant3']);
    const kept = await journal.list();
    expect(kept.find((e) => e.sessionId === 'plant2')?.lastError).toMatch(/target "billing-admin" is not in this config/);
    expect(kept.find((e) => e.sessionId === 'plant1')?.lastError).toMatch(/issues from database\/creds\/orders-ro, not there/);
  });
});
