// What the tray tells the user in notifications, as pure text: the end of a session the user did
// not choose (with the reason), a warning before expiry, a revocation for sleep or lock. Never a
// secret, never raw control characters (messages come from errors and links).
import type { EndReason, ErrorView, Impact } from '../ports.ts';
import { formatTimeLeft } from './countdown.ts';

export interface Notice {
  title: string;
  body: string;
}

/** Why a session ended, for the ones the user did not ask for; null when no notice is due. */
export function endNotice(targetName: string, reason: EndReason): Notice | null {
  switch (reason) {
    case 'command-exit':
    case 'quit':
      return null;
    case 'expired':
      return { title: `${targetName} expired`, body: 'Its time ran out and the credential no longer works.' };
    case 'sleep':
      return { title: `${targetName} was revoked`, body: 'The computer went to sleep (see Preferences to change this).' };
    case 'lock':
      return { title: `${targetName} was revoked`, body: 'The screen locked (see Preferences to change this).' };
    case 'logout':
    case 'sso-ended':
      return { title: `${targetName} ended`, body: 'Your sign-in ended, and with it every session it gave.' };
    case 'revoked':
      return { title: `${targetName} was revoked`, body: 'It was revoked from another keyfob (a terminal or the CLI).' };
    case 'crash-recovery':
      return { title: `${targetName} was revoked`, body: 'The keyfob process that owned it is gone.' };
    default:
      reason satisfies never;
      return null;
  }
}

export function warningNotice(targetName: string, secondsLeft: number, renewable: boolean): Notice {
  return {
    title: `${targetName} expires in ${formatTimeLeft(secondsLeft)}`,
    body: renewable ? 'Extend it, or revoke it now if you are done.' : 'It cannot be extended; revoke it now if you are done.',
  };
}

export function powerNotice(event: 'sleep' | 'lock', impacts: readonly Impact[], revoked: number, failed: number): Notice | null {
  if (revoked + failed === 0) return null;
  const why = event === 'sleep' ? 'the computer went to sleep' : 'the screen locked';
  const what = `${impacts.join(' and ')}-impact`;
  const body = failed ? `${failed} revocation(s) failed; Keyfob keeps retrying them.` : 'Open a new session when you are back.';
  return { title: `Revoked ${revoked} ${what} session(s): ${why}`, body };
}

/** What a crash recovery revoked (sessions a keyfob process that is gone left behind). */
export function recoveryNotice(targetNames: readonly string[], failed: number): Notice | null {
  if (targetNames.length + failed === 0) return null;
  const body = failed ? `${failed} could not be revoked yet; Keyfob keeps retrying them.` : 'Their credentials no longer work.';
  return { title: `Revoked ${targetNames.length} session(s) left by a keyfob that is gone${targetNames.length ? `: ${targetNames.join(', ')}` : ''}`, body };
}

export function problemNotice(problem: ErrorView): Notice {
  return { title: 'Keyfob', body: problem.message };
}

/** One line of plain text: control characters (terminal escapes, newlines) become spaces. */
export function plainText(text: string, max = 300): string {
  const clean = text.replace(/\p{Cc}+/gu, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
