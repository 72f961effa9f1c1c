// Text from outside (an IdP's error_description, Vault's error text, a display name) may carry
// terminal control sequences: `ESC ] 52` writes the clipboard in common terminals, CSI moves the
// cursor or rewrites what was printed. Anything that will be shown or recorded is made plain here.

// C0 controls except tab and newline, DEL, and the C1 block (U+0080–U+009F, 8-bit CSI/OSC/ST).
// Matching control characters is the point here.
/* eslint-disable no-control-regex */
const CONTROL_KEEPING_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */

/**
 * Removes control characters. A newline is kept only where a caller prints several lines; in a
 * one-line field (the default) it becomes a space, so outside text cannot forge a line of its own.
 */
export function plainText(text: string, options: { keepNewlines?: boolean } = {}): string {
  if (options.keepNewlines) return text.replace(/\r\n?/g, '\n').replace(CONTROL_KEEPING_NEWLINE, '');
  return text.replace(/\r\n?|\n/g, ' ').replace(CONTROL, '');
}
