// Every failure reaches the user as one line on stderr and a non-zero exit. Messages from core
// are written for people and never carry a token; anything unexpected is reduced to its message.
import { redactSecrets } from '../core/audit/index.ts';
import { plainText } from '../core/audit/plainText.ts';

export class UsageError extends Error {}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function reportFailure(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`keyfob: ${plainText(redactSecrets(message.split('\n')[0] ?? message))}\n`);
  if (error instanceof UsageError) {
    process.stderr.write('Run keyfob --help for usage.\n');
    return EXIT_USAGE;
  }
  return EXIT_FAILURE;
}
