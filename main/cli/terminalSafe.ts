// Everything the CLI prints to a terminal goes through here: nothing a server said (IdP error
// text, Vault errors, a journaled lastError) may reach the terminal as a control sequence.
import { plainText } from '../core/base/plainText.ts';

/** Text for stdout or stderr: control characters removed, the caller's newlines kept. */
export function terminalSafe(text: string): string {
  return plainText(text, { keepNewlines: true });
}
