// The CLI as it would ship: one esbuild bundle of Keyfob's own sources (packages stay external,
// as scripts/build.ts does), so the whole-process benchmark can tell the cost of Node stripping
// types from ~70 source files apart from the cost of loading the packages. Built into a temp dir
// that sees the repo's node_modules through a symlink, and removed afterwards.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = fileURLToPath(new URL('..', import.meta.url));

export interface CliBundle {
  file: string;
  dispose(): void;
}

export async function buildCliBundle(): Promise<CliBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-bench-bundle-'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const file = join(dir, 'keyfob.mjs');
  await build({ entryPoints: [join(repo, 'main/cli/keyfob.ts')], outfile: file, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'es2023', logLevel: 'warning' });
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
