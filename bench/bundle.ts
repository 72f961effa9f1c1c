// The CLI as it ships: built by scripts/cliBuild.ts (what `npm run build` does) and started through
// bin/keyfob.js, so the whole-process benchmark measures what users run. Built into a temp dir
// that sees the repo's node_modules through a symlink (and has the package's module type), and
// removed afterwards.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildCli, cliBuildOptions } from '../scripts/cliBuild.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

export interface CliBundle {
  file: string;
  /** bench/statusFloor.ts bundled the same way: what `status` cannot skip, without Keyfob's code. */
  floor: string;
  dispose(): void;
}

export async function buildCliBundle(): Promise<CliBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-bench-bundle-'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The package's "type": "module", as the shipped dist/ has from package.json: without it Node
  // must sniff each chunk's syntax (ESM or CommonJS?) before loading it, a cost users never pay.
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  await buildCli(join(dir, 'cli'), { cwd: repo });
  // Run the way bin/keyfob.js runs it (compile cache on), from a copy pointing at this bundle.
  const file = join(dir, 'bin', 'keyfob.js');
  mkdirSync(dirname(file));
  writeFileSync(file, readFileSync(join(repo, 'bin/keyfob.js'), 'utf8').replace('../dist/cli/keyfob.js', '../cli/keyfob.js'));
  const floorDir = join(dir, 'floor');
  // The floor reads no config, so it needs no build id: no second hash of the sources.
  await build({ ...cliBuildOptions(floorDir, 'status-floor'), entryPoints: ['bench/statusFloor.ts'], splitting: false, absWorkingDir: repo });
  // Started as the CLI is: Node's compile cache on before the bundle loads.
  const floor = join(floorDir, 'run.js');
  writeFileSync(floor, "(await import('node:module')).enableCompileCache?.();\nawait import('./statusFloor.js');\n");
  return { file, floor, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
