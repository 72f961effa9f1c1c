// Turns anything thrown behind a handler into the one shape that crosses to the window: a known
// code and one redacted line. Unknown errors become `internal` with no detail (no stack, no path).
import { ERROR_CODES, type ErrorCode, type ErrorView } from '../../../common/errors.ts';
import { redactSecrets } from '../../core/audit/index.ts';

const MAX_MESSAGE = 300;
const codes: ReadonlySet<string> = new Set(ERROR_CODES);

export function toErrorView(error: unknown): ErrorView {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (error instanceof Error && typeof code === 'string' && codes.has(code)) return { code: code as ErrorCode, message: cleanMessage(error.message) };
  return { code: 'internal', message: 'Something went wrong inside Keyfob. Try again; if it keeps happening, run `keyfob status` in a terminal.' };
}

/** One line, no control characters, no secret-looking values, bounded. */
export function cleanMessage(message: string): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  const redacted = redactSecrets(oneLine);
  return redacted.length > MAX_MESSAGE ? `${redacted.slice(0, MAX_MESSAGE - 1)}…` : redacted || 'Keyfob could not do that.';
}

/** An error with a contract code, thrown by the window's own handlers. */
export class WindowError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'WindowError';
    this.code = code;
  }
}
