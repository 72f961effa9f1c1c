// The one place a credential leaves main's memory: the user pressed Copy. A database gives its
// connection string; AWS gives `export` lines a shell can paste.
import type { TargetView } from '../../../common/views.ts';
import { WindowError } from './errorView.ts';
import type { IssuedSession } from './windowEngine.ts';

export async function copyCredential(
  kind: TargetView['kind'],
  credential: IssuedSession['credential'],
  clipboard: { writeText(text: string): void | Promise<void> },
): Promise<{ label: string; value: string }> {
  if (kind === 'database' && credential.connectionUri) {
    await clipboard.writeText(credential.connectionUri);
    return { label: 'connection string', value: credential.connectionUri };
  }
  if (kind === 'aws') {
    const lines = Object.entries(credential.env)
      .filter(([name]) => /^AWS_[A-Z_]+$/.test(name))
      .map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    if (lines.length > 0) {
      const value = `${lines.join('\n')}\n`;
      await clipboard.writeText(value);
      return { label: 'credentials', value };
    }
  }
  throw new WindowError('internal', 'Keyfob issued the session but has nothing to copy for it; revoke it and use Open in terminal.');
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
