// One build for every process: esbuild bundles main (ESM, Node), preload (CommonJS, because a
// sandboxed preload cannot load ESM), the renderer (browser) and the CLI.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';

const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'es2023' } as const;

await rm('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: ['main/index.ts'], outfile: 'dist/main/index.js', platform: 'node', format: 'esm', packages: 'external' }),
  build({ ...common, entryPoints: ['main/cli/keyfob.ts'], outfile: 'dist/cli/keyfob.js', platform: 'node', format: 'esm', packages: 'external' }),
  build({ ...common, entryPoints: ['preload/index.ts'], outfile: 'dist/preload/index.cjs', platform: 'node', format: 'cjs', external: ['electron'] }),
  build({ ...common, entryPoints: ['renderer/index.tsx'], outfile: 'dist/renderer/app.js', platform: 'browser', format: 'esm', minify: true, jsx: 'automatic' }),
]);
await mkdir('dist/renderer', { recursive: true });
await copyFile('renderer/index.html', 'dist/renderer/index.html');
console.log('built dist/main, dist/preload, dist/renderer, dist/cli');
