// Stable codes so the CLI can map them to exit codes and the UI can switch on them.
import { KeyfobError } from '../base/keyfobError.ts';

export { errorMessage } from '../base/keyfobError.ts';

export type SessionErrorCode = 'SESSION_NOT_FOUND' | 'LEASE_NOT_RENEWABLE' | 'SESSION_ENDING' | 'JOURNAL_DUPLICATE_SESSION' | 'JOURNAL_INVALID_ENTRY';

const FACE_CODES = {
  SESSION_NOT_FOUND: 'unknown-session',
  LEASE_NOT_RENEWABLE: 'not-renewable',
  SESSION_ENDING: 'not-renewable',
  JOURNAL_DUPLICATE_SESSION: 'internal',
  JOURNAL_INVALID_ENTRY: 'internal',
} as const;

/** A KeyfobError whose `reason` says which session rule refused (tests and retries switch on it). */
export class SessionError extends KeyfobError {
  readonly reason: SessionErrorCode;

  constructor(reason: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(FACE_CODES[reason], message, options);
    this.reason = reason;
  }
}
