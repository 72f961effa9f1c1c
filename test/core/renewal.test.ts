// A renewal never brings an ending session back: an entry that is revoking or revoke-failed
// (ended meanwhile, perhaps by another keyfob) keeps its state, and only Vault's new expiry of the
// lease is kept, so its revocation goes on being retried until then.
import { describe, expect, it } from 'vitest';
import { MemoryJournal, type JournalEntry } from '../../main/core/sessions/journal.ts';
import { journalRenewal } from '../../main/core/sessions/renewal.ts';

const entry = (sessionId: string, state: JournalEntry['state']): JournalEntry => ({
  sessionId,
  leaseId: `database/creds/orders-ro/${sessionId}`,
  targetId: 'orders-ro',
  kind: 'database',
  issuedAt: 1_000,
  expiresAt: 61_000,
  leaseExpiresAt: 61_000,
  pid: 4242,
  pidStartTime: null,
  hostname: 'laptop',
  state,
  revokeAttempts: state === 'revoke-failed' ? 1 : 0,
  ...(state === 'revoke-failed' ? { lastError: 'Vault unreachable' } : {}),
});

describe('journalRenewal', () => {
  it('extends an active or expiring session', async () => {
    const journal = new MemoryJournal();
    await journal.put(entry('a', 'expiring'));
    expect(await journalRenewal(journal, 'a', { expiresAt: 900_000, renewable: true })).toBe(true);
    expect((await journal.list())[0]).toMatchObject({ state: 'active', expiresAt: 900_000, leaseExpiresAt: 900_000, renewable: true });
  });

  it.each(['revoking', 'revoke-failed'] as const)('leaves a %s session %s, recording only the lease’s later expiry', async (state) => {
    const journal = new MemoryJournal();
    await journal.put(entry('b', state));
    expect(await journalRenewal(journal, 'b', { expiresAt: 900_000, renewable: true })).toBe(false);
    expect((await journal.list())[0]).toMatchObject({ state, expiresAt: 61_000, leaseExpiresAt: 900_000 });
  });

  it('does nothing for a session no longer journaled', async () => {
    const journal = new MemoryJournal();
    expect(await journalRenewal(journal, 'gone', { expiresAt: 900_000 })).toBe(false);
    expect(await journal.list()).toEqual([]);
  });
});
