// Which terminal opens a session: the preference, then KEYFOB_TERMINAL (words split like
// BROWSER), then the platform's usual ones. A terminal the user named gets the command appended
// as separate arguments (`kitty`, `alacritty -e`, `gnome-terminal --`); the built-in list knows
// each terminal's own convention. Pure: the PATH lookup and the platform are injected.
import { splitCommand } from '../../core/auth/browser.ts';

/** Argument-vector terminals take the command after their own words; macOS apps get a script. */
export type Terminal = { source: TerminalSource; kind: 'argv'; argv: string[] } | { source: TerminalSource; kind: 'mac-app'; app: 'Terminal' | 'iTerm' };

export type TerminalSource = 'preference' | 'KEYFOB_TERMINAL' | 'platform';

export interface FindTerminalOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The terminal preference, as the user typed it ('' or null when unset). */
  preference: string | null;
  /** True when `name` is an executable on PATH. */
  onPath: (name: string) => boolean;
}

// Debian's x-terminal-emulator alternative first: it is the terminal the system chose.
const LINUX_TERMINALS: readonly string[][] = [
  ['x-terminal-emulator', '-e'],
  ['gnome-terminal', '--'],
  ['konsole', '-e'],
  ['kitty'],
  ['alacritty', '-e'],
  ['xterm', '-e'],
];

export function findTerminal(options: FindTerminalOptions): Terminal | null {
  const named = fromText(options.preference, 'preference', options.platform) ?? fromText(options.env.KEYFOB_TERMINAL, 'KEYFOB_TERMINAL', options.platform);
  if (named) return named;
  switch (options.platform) {
    case 'darwin':
      return { source: 'platform', kind: 'mac-app', app: 'Terminal' };
    case 'win32':
      return options.onPath('wt.exe')
        ? { source: 'platform', kind: 'argv', argv: ['wt.exe'] }
        : // A detached process gets its own console window on Windows (see launchTerminal).
          { source: 'platform', kind: 'argv', argv: [options.env.ComSpec || 'cmd.exe', '/k'] };
    default: {
      const found = LINUX_TERMINALS.find(([name]) => options.onPath(name!));
      return found ? { source: 'platform', kind: 'argv', argv: [...found] } : null;
    }
  }
}

function fromText(text: string | null | undefined, source: TerminalSource, platform: NodeJS.Platform): Terminal | null {
  const words = splitCommand(text?.trim() ?? '');
  if (words.length === 0) return null;
  // On macOS the two GUI terminals are named, not run: they cannot take a command as arguments.
  if (platform === 'darwin' && words.length === 1) {
    const app = words[0]!.toLowerCase();
    if (app === 'terminal' || app === 'terminal.app') return { source, kind: 'mac-app', app: 'Terminal' };
    if (app === 'iterm' || app === 'iterm2' || app === 'iterm.app') return { source, kind: 'mac-app', app: 'iTerm' };
  }
  return { source, kind: 'argv', argv: words };
}

/** How to start `terminal` running `command`: a process, plus a script file for macOS apps. */
export interface TerminalLaunch {
  file: string;
  args: string[];
  /** Written to a private file whose path is appended to `args` (macOS `open -a`). */
  script?: string;
}

export function terminalLaunch(terminal: Terminal, command: readonly string[]): TerminalLaunch {
  if (terminal.kind === 'mac-app') {
    return { file: 'open', args: ['-a', terminal.app], script: `#!/bin/sh\nexec ${command.map(shellQuote).join(' ')}\n` };
  }
  const [file, ...args] = terminal.argv as [string, ...string[]];
  return { file, args: [...args, ...command] };
}

/** POSIX single quotes: the script runs exactly these words (no expansion, no injection). */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
