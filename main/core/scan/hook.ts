// `keyfob scan --install-hook`: a git pre-commit hook that runs `keyfob scan --staged`. It writes
// where git looks (core.hooksPath honoured) and never replaces a hook it did not write.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { git, repoRoot } from './sources.ts';

export const HOOK_MARKER = '# installed by keyfob scan --install-hook';

export class ForeignHookError extends Error {}

/** `command` is how the hook starts keyfob: argv words, quoted for sh here. */
export async function installPreCommitHook(cwd: string, command: string[]): Promise<{ path: string; replaced: boolean }> {
  const root = await repoRoot(cwd);
  const hooksDir = (await git(root, ['rev-parse', '--git-path', 'hooks'])).trim();
  const dir = isAbsolute(hooksDir) ? hooksDir : join(root, hooksDir);
  const path = join(dir, 'pre-commit');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing !== undefined && !existing.includes(HOOK_MARKER)) {
    throw new ForeignHookError(
      `${path} exists and was not written by keyfob; add "keyfob scan --staged" to it yourself, or use the pre-commit framework (the repository's .pre-commit-hooks.yaml, hook id keyfob-scan)`,
    );
  }
  const script = [
    '#!/bin/sh',
    HOOK_MARKER,
    '# Stops a commit that adds a secret: exit 0 clean, 1 found, 2 error (docs/cli.md, keyfob scan).',
    `exec ${[...command, 'scan', '--staged'].map(shQuote).join(' ')}`,
    '',
  ].join('\n');
  await mkdir(dir, { recursive: true });
  await writeFile(path, script, { mode: 0o755 });
  await chmod(path, 0o755);
  return { path, replaced: existing !== undefined };
}

function shQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
