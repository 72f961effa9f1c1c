// The system clipboard from a terminal: the platform's own tools, no shell. The tray uses
// Electron's clipboard instead; core takes either as an injected function.
import { execFile, spawn } from 'node:child_process';

type Tool = [string, string[]];

function readTools(env: NodeJS.ProcessEnv): Tool[] {
  if (process.platform === 'darwin') return [['pbpaste', []]];
  if (process.platform === 'win32') return [['powershell.exe', ['-NoProfile', '-Command', 'Get-Clipboard -Raw']]];
  return [
    ...(env.WAYLAND_DISPLAY ? [['wl-paste', ['--no-newline']] as Tool] : []),
    ['xclip', ['-selection', 'clipboard', '-o']],
    ['xsel', ['--clipboard', '--output']],
  ];
}

function writeTools(env: NodeJS.ProcessEnv): Tool[] {
  if (process.platform === 'darwin') return [['pbcopy', []]];
  if (process.platform === 'win32') return [['clip.exe', []]];
  return [...(env.WAYLAND_DISPLAY ? [['wl-copy', []] as Tool] : []), ['xclip', ['-selection', 'clipboard', '-i']], ['xsel', ['--clipboard', '--input']]];
}

export async function readClipboard(env: NodeJS.ProcessEnv): Promise<string> {
  const tried: string[] = [];
  for (const [cmd, args] of readTools(env)) {
    const result = await new Promise<string | undefined>((resolve) => {
      execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout) => resolve(error ? undefined : stdout));
    });
    if (result !== undefined) return result;
    tried.push(cmd);
  }
  throw new Error(`cannot read the clipboard (tried ${tried.join(', ')}); install one of them, or pipe the text to keyfob scan -`);
}

export async function writeClipboard(env: NodeJS.ProcessEnv, text: string): Promise<void> {
  const tried: string[] = [];
  for (const [cmd, args] of writeTools(env)) {
    const ok = await new Promise<boolean>((resolve) => {
      const child = spawn(cmd, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('error', () => resolve(false));
      child.on('close', (code) => resolve(code === 0));
      child.stdin.end(text);
    });
    if (ok) return;
    tried.push(cmd);
  }
  throw new Error(`cannot write the clipboard (tried ${tried.join(', ')})`);
}
