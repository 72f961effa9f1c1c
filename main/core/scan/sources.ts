// Where `keyfob scan` reads from: the staged changes of a git repository (only the lines a commit
// would add), files, stdin. Each yields Chunks with real line numbers. No shell: git is run
// with an argument list.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Chunk } from './detect.ts';

export class ScanSourceError extends Error {}

/** Runs git in `cwd`; resolves stdout, fails with git's own first line. */
export function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed or not on PATH' : (stderr.trim().split('\n')[0] ?? error.message);
      reject(new ScanSourceError(`git ${args[0]} failed: ${why}`));
    });
  });
}

export async function repoRoot(cwd: string): Promise<string> {
  return (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
}

/** The lines the staged changes add, as one chunk per hunk (renames and copies included). */
export async function stagedChunks(cwd: string): Promise<Chunk[]> {
  const diff = await git(cwd, [
    '-c',
    'core.quotePath=false',
    'diff',
    '--cached',
    '--no-color',
    '--no-ext-diff',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    '-U0',
    '--diff-filter=ACMRT',
  ]);
  return parseAddedLines(diff);
}

/** Parses a unified diff (-U0) into the added lines of each hunk. */
export function parseAddedLines(diff: string): Chunk[] {
  const chunks: Chunk[] = [];
  let path = '';
  let current: { path: string; startLine: number; lines: string[] } | undefined;
  let nextLine = 0;
  const flush = () => {
    if (current && current.lines.length > 0) chunks.push({ path: current.path, startLine: current.startLine, text: current.lines.join('\n') });
    current = undefined;
  };
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      flush();
      path = '';
    } else if (line.startsWith('+++ ')) {
      path = unquote(line.slice(4)).replace(/^b\//, '');
    } else if (line.startsWith('@@')) {
      flush();
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      nextLine = m ? Number(m[1]) : 0;
      current = { path, startLine: nextLine, lines: [] };
    } else if (current && line.startsWith('+')) {
      current.lines.push(line.slice(1));
      nextLine++;
    } else if (current && line.startsWith(' ')) {
      // context (not with -U0, but harmless): ends the run of added lines
      flush();
      nextLine++;
      current = { path, startLine: nextLine, lines: [] };
    }
  }
  flush();
  return chunks;
}

/** git quotes paths with unusual characters: "b/dir/na\tme". */
function unquote(text: string): string {
  const t = text.replace(/\t$/, '');
  if (!t.startsWith('"')) return t;
  try {
    return JSON.parse(t) as string;
  } catch {
    return t.slice(1, -1);
  }
}

/** A file as one chunk; binary files (a NUL in the first 8 KiB) are skipped, as git does. */
export async function fileChunk(path: string): Promise<Chunk | undefined> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    throw new ScanSourceError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (data.subarray(0, 8192).includes(0)) return undefined;
  return { path, startLine: 1, text: data.toString('utf8') };
}

export async function streamChunk(name: string, stream: AsyncIterable<Buffer | string>): Promise<Chunk> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(typeof part === 'string' ? Buffer.from(part) : part);
  return { path: name, startLine: 1, text: Buffer.concat(parts).toString('utf8') };
}
