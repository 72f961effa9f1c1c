#!/usr/bin/env node
// The installed CLI runs the bundle from `npm run build`; in the repo, `npm run keyfob` runs the sources.
// Node's compile cache (in the OS temp dir) keeps V8's compiled code of the bundle between runs:
// a command starts without compiling its modules again.
(await import('node:module')).enableCompileCache?.();
const { main } = await import('../dist/cli/keyfob.js');
process.exit(await main(process.argv.slice(2), process.env));
