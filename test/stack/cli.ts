// `npm run stack -- --dir DIR`: start the local stack, print `stack ready`, stop it all on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startStack, type Stack } from './stack.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' } } });
if (!values.dir) {
  console.error('usage: npm run stack -- --dir DIR');
  process.exit(2);
}

// A reader that went away (closed terminal, killed pipe) must not crash us before the children are stopped.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

let stack: Stack | undefined;
let stopping = false;
const shutdown = async (reason: string) => {
  if (stopping) {
    // A second signal: give up on a clean stop. The exit hook in processes.ts SIGKILLs the children.
    process.exit(130);
  }
  stopping = true;
  console.log(`stack: ${reason}, stopping`);
  // A signal during start-up is handled when startStack settles (it stops what it started on failure).
  if (!stack) return;
  await stack.stop();
  process.exit(0);
};
// Handlers go in before anything starts, so a signal during start-up cannot kill us with postgres running.
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));

// `npm run` forwards SIGTERM to its `sh -c`, which dies without passing it on: we would be left
// running, reparented. So losing our parent counts as a stop request too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('parent process gone');
}, 500).unref();

try {
  stack = await startStack({ dir: resolve(values.dir) });
} catch (error) {
  console.error(`stack: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
if (stopping) {
  await stack.stop();
  process.exit(0);
}
console.log(`vault     ${stack.info.vault.addr}`);
console.log(`oidc      ${stack.info.oidc.issuer}`);
console.log(`postgres  ${stack.info.postgres.host}:${stack.info.postgres.port}`);
console.log(`sshd      ${stack.info.sshd.host}:${stack.info.sshd.port}`);
console.log(`config    ${stack.configFile}`);
console.log(`stack     ${stack.stackFile}`);
console.log('stack ready');
