import { END_REASONS, SESSION_KINDS } from '../../../common/lists.ts';
import type { EndReason, SessionKind } from '../../../common/views.ts';

// One session model for every kind of credential. It holds identifiers and times only:
// the secret itself stays with the broker that issued it.

export { SESSION_KINDS, type SessionKind };

export const SESSION_STATES = ['active', 'expiring', 'revoking', 'ended', 'revoke-failed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export { END_REASONS, type EndReason };

/** What a renewal that hit Vault's max TTL left behind, for the UI to say so. */
export interface RenewalCap {
  /** The effective max TTL of the lease, in seconds. */
  maxTtlSeconds: number;
  expiresAt: number;
  /** e.g. "capped at max TTL 4h: expires 18:02" */
  message: string;
}

export interface Session {
  /** Short, unique and easy to type: `keyfob revoke k7m2qx`. */
  readonly id: string;
  readonly targetId: string;
  readonly kind: SessionKind;
  /** Absent for credentials Vault cannot revoke (SSH certificates). */
  readonly leaseId?: string;
  /** Epoch milliseconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** When Vault itself expires the lease, if later than the session's end (journaled for recovery). */
  readonly leaseExpiresAt?: number;
  /** The accessor of the child Vault token that owns the lease (its revoke-self ends the session). */
  readonly childAccessor?: string;
  readonly renewable: boolean;
  /** The latest the lease can be extended to, when known. */
  readonly maxExpiresAt?: number;
  readonly state: SessionState;
  readonly endReason?: EndReason;
  /** The process that owns the session (its command, its agent). */
  readonly pid: number;
  readonly cap?: RenewalCap;
  readonly revokeAttempts: number;
  readonly lastError?: string;
  /** The per-session ssh-agent, journaled so a session ended by a crash still stops it. */
  readonly agentPid?: number;
  readonly agentStartTime?: number;
}

// No 0/o, 1/l/i: an id read aloud or off a screen is typed right the first time.
const ID_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const ID_LENGTH = 6;
const ID_PATTERN = new RegExp(`^[${ID_ALPHABET}]{${ID_LENGTH}}$`);

export function newSessionId(): string {
  let id = '';
  // node:crypto is taken here, not imported: loading it is ~5 ms that a cached credential_process
  // answer (which reads the journal and makes no session) would pay at every start.
  const { randomInt } = process.getBuiltinModule('node:crypto');
  for (let i = 0; i < ID_LENGTH; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

export function isSessionId(text: string): boolean {
  return ID_PATTERN.test(text);
}

export function remainingSeconds(session: Pick<Session, 'expiresAt'>, now: number): number {
  return Math.max(0, Math.floor((session.expiresAt - now) / 1000));
}

/** Local wall-clock time as the tray shows it: "18:02". */
export function formatClockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
