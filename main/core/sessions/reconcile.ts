// Cross-process reconcile, the decision part: what another keyfob process's change to the
// journal means for a live session of this one. The manager acts on the verdict.
import type { JournalEntry } from './journal.ts';
import type { EndReason, Session } from './session.ts';

export type ReconcileVerdict =
  | { kind: 'unchanged' }
  /** Another process (`keyfob renew`) changed the lease: adopt its expiry, later or earlier. */
  | { kind: 'adopt-expiry'; expiresAt: number }
  /** Another process ended it, or was asked to: stop using it here too. */
  | { kind: 'ended-elsewhere'; reason: EndReason }
  /**
   * The entry vanished with no removal line (the file deleted, moved aside as unreadable, or
   * rewritten by hand): nobody revoked it, and this process still holds it, so it revokes.
   */
  | { kind: 'journal-lost' };

/**
 * `entry` is the session's journal entry as another process left it (undefined: gone), and
 * `removedFor` the end reason its removal line gave (undefined: no removal line was read).
 * "revoking", or "revoke-failed" while this process thinks the session is live, means another
 * keyfob process was asked to end it (a failed revoke stays journaled and is retried by the next
 * keyfob start after this one).
 */
export function reconcileVerdict(session: Pick<Session, 'expiresAt'>, entry: JournalEntry | undefined, removedFor: EndReason | undefined): ReconcileVerdict {
  if (!entry) return removedFor ? { kind: 'ended-elsewhere', reason: removedFor } : { kind: 'journal-lost' };
  if (entry.state === 'revoking' || entry.state === 'revoke-failed') return { kind: 'ended-elsewhere', reason: entry.endReason ?? 'revoked' };
  if (entry.expiresAt !== session.expiresAt) return { kind: 'adopt-expiry', expiresAt: entry.expiresAt };
  return { kind: 'unchanged' };
}
