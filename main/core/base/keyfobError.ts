// The one error type the engine throws: a stable code from common/errors.ts (the CLI maps it to
// an exit code, IPC passes it to the window) and one sentence a person can act on. The message
// is redacted when the error is made, so no face can print a token or a control character.
import type { ErrorCode, ErrorView } from '../../../common/errors.ts';
import { redactSecrets } from './secretGuard.ts';

export class KeyfobError extends Error {
  override readonly name = 'KeyfobError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(cleanMessage(message), options);
    this.code = code;
  }

  toView(): ErrorView {
    return { code: this.code, message: this.message };
  }
}

/** Checks the name as well, so errors from another copy of this module (another realm) count. */
export function isKeyfobError(error: unknown): error is KeyfobError {
  return error instanceof KeyfobError || (error instanceof Error && error.name === 'KeyfobError' && 'code' in error);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Terminal escapes in a server's error text could rewrite what the user sees: keep newlines and
// tabs (multi-line hints), replace every other control character.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Redacts secrets and control characters from text that will be shown to a person. */
export function cleanMessage(text: string): string {
  return redactSecrets(text).replace(CONTROL, '?');
}
