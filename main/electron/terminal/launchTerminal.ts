// Starts the terminal and lets it go: the session belongs to the `keyfob exec` inside it, which
// revokes when it exits, and the tray follows it through the journal like any other session.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TerminalLaunch } from './findTerminal.ts';

export type LaunchTerminal = (launch: TerminalLaunch, env: NodeJS.ProcessEnv) => Promise<void>;

export const launchTerminal: LaunchTerminal = async (launch, env) => {
  const args = [...launch.args];
  if (launch.script !== undefined) {
    // mkdtemp makes a 0700 directory; the script holds only the command words (no secret).
    const dir = await mkdtemp(join(tmpdir(), 'keyfob-terminal-'));
    const path = join(dir, 'keyfob-session.command');
    await writeFile(path, launch.script, { mode: 0o700 });
    args.push(path);
  }
  await new Promise<void>((resolve, reject) => {
    // detached: the terminal outlives a tray restart; on Windows it also gets its own console.
    const child = spawn(launch.file, args, { env, detached: true, stdio: 'ignore' });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(error.code === 'ENOENT' ? `the terminal "${launch.file}" was not found` : `could not start the terminal "${launch.file}": ${error.message}`),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
};
