// Stable codes so the CLI can map them to exit codes and the UI can switch on them.
export type SessionErrorCode =
  | 'SESSION_NOT_FOUND'
  | 'LEASE_NOT_RENEWABLE'
  | 'SESSION_ENDING'
  | 'JOURNAL_LOCK_TIMEOUT'
  | 'JOURNAL_DUPLICATE_SESSION'
  | 'JOURNAL_INVALID_ENTRY'
  | 'STATE_DIR_UNSAFE';

export class SessionError extends Error {
  readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionError';
    this.code = code;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
