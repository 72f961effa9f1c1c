import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { needsDurability } from '../../main/core/sessions/journalFile.ts';
import type { JournalEntry } from '../../main/core/sessions/index.ts';

const base: JournalEntry = {
  sessionId: 's00001',
  leaseId: 'database/creds/ro/abc',
  targetId: 'orders-ro',
  kind: 'database',
  issuedAt: 1_000,
  expiresAt: 601_000,
  pid: 4242,
  pidStartTime: null,
  hostname: hostname(),
  state: 'active',
  revokeAttempts: 0,
};

// What waits for the disk: only changes a crash must not lose (a lease no start would revoke).
describe('needsDurability', () => {
  it('is needed for a new entry: its credential is handed out next', () => {
    expect(needsDurability([], [base])).toBe(true);
  });

  it('is needed when a renewal moves the expiry later', () => {
    expect(needsDurability([base], [{ ...base, expiresAt: base.expiresAt + 60_000 }])).toBe(true);
  });

  it('is not needed for the revoking mark, a failure note or a removal: a lost one means one extra revoke at the next start', () => {
    expect(needsDurability([base], [{ ...base, state: 'revoking', endReason: 'command-exit' }])).toBe(false);
    expect(needsDurability([base], [{ ...base, state: 'revoke-failed', revokeAttempts: 1, lastError: 'Vault is sealed' }])).toBe(false);
    expect(needsDurability([base], [])).toBe(false);
  });
});
