// One build for every process: esbuild bundles main (ESM, Node), preload (CommonJS, because a
// sandboxed preload cannot load ESM), the renderer (browser) and the CLI (scripts/cliBuild.ts).
//   node scripts/build.ts [--outdir DIR]      (default dist/)
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeTrayIcons } from './trayIcons.ts';
import { buildCli, cliBuildId } from './cliBuild.ts';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const out = (path: string) => join(values.outdir, path);

const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'es2023' } as const;

await rm(values.outdir, { recursive: true, force: true });
await Promise.all([
  // The same build id as the CLI's (config/buildId.ts): the packaged app's --keyfob-cli mode runs from this bundle.
  build({
    ...common,
    entryPoints: ['main/index.ts'],
    outfile: out('main/index.js'),
    platform: 'node',
    format: 'esm',
    packages: 'external',
    define: { KEYFOB_BUILD_ID: JSON.stringify(cliBuildId()) },
  }),
  buildCli(out('cli')),
  build({ ...common, entryPoints: ['preload/index.ts'], outfile: out('preload/index.cjs'), platform: 'node', format: 'cjs', external: ['electron'] }),
  build({
    ...common,
    entryPoints: ['renderer/index.tsx'],
    outfile: out('renderer/app.js'),
    platform: 'browser',
    format: 'esm',
    minify: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
  }),
]);
await mkdir(out('renderer'), { recursive: true });
await copyFile('renderer/index.html', out('renderer/index.html'));
// The tray looks its icons up next to the main bundle (main/index.ts: dist/icons/).
writeTrayIcons(out('icons'));
console.log(`built ${values.outdir}/: main, preload, renderer, cli, icons`);
