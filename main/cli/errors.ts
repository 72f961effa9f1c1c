// Every failure reaches the user as one line on stderr and an exit code chosen by the error's
// code (docs/cli.md, "Exit codes"). Messages from core are written for people and redacted
// when made; anything unexpected is reduced to its message and redacted here.
import type { ErrorCode } from '../../common/errors.ts';
import { cleanMessage, isKeyfobError, KeyfobError } from '../core/base/index.ts';

/** A command line that cannot be understood: exit 2 with a pointer to --help. */
export class UsageError extends KeyfobError {
  constructor(message: string) {
    super('usage', message);
  }
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The exit code for each error code: usage errors 2, every other failure 1. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  usage: EXIT_USAGE,
  'config-invalid': EXIT_FAILURE,
  'state-dir-unsafe': EXIT_FAILURE,
  'not-signed-in': EXIT_FAILURE,
  'unknown-target': EXIT_FAILURE,
  'unknown-session': EXIT_FAILURE,
  'guard-rail': EXIT_FAILURE,
  'sign-in-refused': EXIT_FAILURE,
  'sign-in-timeout': EXIT_FAILURE,
  'sign-in-cancelled': EXIT_FAILURE,
  'vault-unreachable': EXIT_FAILURE,
  'vault-denied': EXIT_FAILURE,
  'vault-error': EXIT_FAILURE,
  'not-renewable': EXIT_FAILURE,
  'revoke-failed': EXIT_FAILURE,
  'keychain-unavailable': EXIT_FAILURE,
  internal: EXIT_FAILURE,
};

export function reportFailure(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`keyfob: ${cleanMessage(message.split('\n')[0] ?? message)}\n`);
  const code = isKeyfobError(error) ? error.code : 'internal';
  if (code === 'usage') process.stderr.write('Run keyfob --help for usage.\n');
  return EXIT_CODES[code];
}
