// Ending an SSH session must end SSH access. An ssh ControlMaster (ControlPersist) keeps an
// authenticated connection open after its first client exits and opens new shells over it
// without the agent, so killing the agent would not end anything. Keyfob cannot edit the user's
// ~/.ssh/config, but it controls the command's environment: the session's PATH starts with a
// private dir whose `ssh` runs the real one with multiplexing off. Options given on ssh's command
// line take precedence over every config file (ssh_config(5): the first value obtained wins),
// and ours come first, so neither a config file nor the user's own `-o ControlMaster=auto` can
// turn it back on. git, rsync and scp find `ssh` on PATH and get the same.
import { accessSync, constants } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** What the wrapper puts before the user's arguments. */
export const NO_MULTIPLEXING = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'ControlPersist=no'] as const;

/** The first executable `name` on `searchPath`, skipping `skipDir` (the wrapper's own dir). */
export function findOnPath(name: string, searchPath: string, skipDir?: string): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir || !isAbsolute(dir) || dir === skipDir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The wrapper script: the real ssh, multiplexing off, then whatever the user asked for. */
export function wrapperScript(realSsh: string): string {
  return `#!/bin/sh\n# Written by Keyfob for one session: ssh without connection sharing (see docs/security.md).\nexec ${shellQuote(realSsh)} ${NO_MULTIPLEXING.join(' ')} "$@"\n`;
}

/**
 * Writes `dir/bin/ssh` and returns the PATH the session's command gets, or undefined when there
 * is nothing to wrap (no ssh on PATH) or no POSIX shell to run the wrapper (Windows: a gap,
 * docs/security.md). `dir` is the session's private 0700 dir; it goes when the session ends.
 */
export async function noMultiplexingPath(
  dir: string,
  searchPath: string | undefined,
  platform: NodeJS.Platform = process.platform,
): Promise<string | undefined> {
  if (platform === 'win32' || !searchPath) return undefined;
  const bin = join(dir, 'bin');
  const realSsh = findOnPath('ssh', searchPath, bin);
  if (!realSsh) return undefined;
  await mkdir(bin, { mode: 0o700 });
  const wrapper = join(bin, 'ssh');
  await writeFile(wrapper, wrapperScript(realSsh), { mode: 0o700, flag: 'wx' });
  await chmod(wrapper, 0o700);
  return `${bin}${delimiter}${searchPath}`;
}
