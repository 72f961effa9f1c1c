// Any failure the tray catches becomes an ErrorView: the engine's coded errors keep their code and
// (already redacted) message; anything else is an internal error with a fixed sentence, because
// an unknown error's text may hold anything.
import { errorViewSchema } from '../../../common/errors.ts';
import type { ErrorView } from '../ports.ts';
import { plainText } from './notices.ts';

export function toErrorView(error: unknown): ErrorView {
  const candidate =
    typeof error === 'object' && error !== null ? { code: (error as { code?: unknown }).code, message: (error as { message?: unknown }).message } : {};
  const parsed = errorViewSchema.safeParse(candidate);
  if (parsed.success) return { code: parsed.data.code, message: plainText(parsed.data.message) };
  return { code: 'internal', message: 'Keyfob hit an unexpected error; try again, and report it if it persists.' };
}
