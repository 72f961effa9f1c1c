// The stable error codes every face understands: the CLI maps them to exit codes, IPC passes
// `{ code, message }` to the window, the tray maps them to notifications. A contract: add codes,
// never rename one (docs/cli.md lists them with their exit codes).
import { z } from 'zod';

export const ERROR_CODES = [
  'usage',
  'config-invalid',
  'state-dir-unsafe',
  'not-signed-in',
  'unknown-target',
  'unknown-session',
  'guard-rail',
  'sign-in-refused',
  'sign-in-timeout',
  'sign-in-cancelled',
  'vault-unreachable',
  'vault-denied',
  'vault-error',
  'not-renewable',
  'revoke-failed',
  'keychain-unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What crosses a process boundary: a code and one redacted sentence, never a stack trace. */
export const errorViewSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() }).strict();
export type ErrorView = z.infer<typeof errorViewSchema>;
