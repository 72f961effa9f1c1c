#!/usr/bin/env node
// The installed CLI runs the bundle from `npm run build`; in the repo, `npm run keyfob` runs the sources.
const { main } = await import('../dist/cli/keyfob.js');
process.exit(await main(process.argv.slice(2), process.env));
