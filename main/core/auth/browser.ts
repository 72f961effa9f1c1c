// Opens a login or verification URL: BROWSER if set (a command that gets the URL as its last
// argument), else the system default. The caller prints the URL as well.
import { spawn } from 'node:child_process';

export type OpenUrl = (url: string) => Promise<void>;

/**
 * Told the URL a sign-in needs opened, before the browser is asked to open it, so a face can
 * show it too (the browser may not open). `userCode` is the device code to compare (aws-sso).
 */
export type OnAuthUrl = (url: string, info?: { userCode?: string }) => void;

/** Splits a BROWSER value into argv, honouring simple quotes ("…" and '…'). */
export function splitCommand(command: string): string[] {
  const argv: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) argv.push(m[1] ?? m[2] ?? m[3]!);
  return argv;
}

function systemOpener(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""'];
  return ['xdg-open'];
}

/**
 * Starts the browser and does not wait for it (a real browser keeps running). A BROWSER command
 * that fails at once is reported, because then the login can never complete: `onProblem` hears
 * of one that exits with an error later (core does not write to stderr; the face decides).
 */
export function browserOpener(env: NodeJS.ProcessEnv, platform = process.platform, onProblem: (message: string) => void = () => {}): OpenUrl {
  return (url) =>
    new Promise((resolve, reject) => {
      const argv = env.BROWSER ? splitCommand(env.BROWSER) : systemOpener(platform);
      const [cmd, ...args] = argv;
      if (!cmd) return reject(new Error('BROWSER is set but empty'));
      const child = spawn(cmd, [...args, url], { stdio: ['ignore', 'ignore', 'pipe'], env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      child.once('error', (e) => reject(new Error(`could not start the browser (${cmd}): ${e.message}`)));
      child.once('spawn', () => resolve());
      child.once('exit', (code) => {
        if (code) onProblem(`the browser command exited with ${code}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
      });
    });
}
