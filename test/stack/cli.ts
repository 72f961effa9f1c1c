// `npm run stack -- --dir DIR`: start the local stack, print `stack ready`, stop it all on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startStack } from './stack.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' } } });
if (!values.dir) {
  console.error('usage: npm run stack -- --dir DIR');
  process.exit(2);
}
const stack = await startStack({ dir: resolve(values.dir) });
console.log(`vault     ${stack.info.vault.addr}`);
console.log(`oidc      ${stack.info.oidc.issuer}`);
console.log(`postgres  ${stack.info.postgres.host}:${stack.info.postgres.port}`);
console.log(`sshd      ${stack.info.sshd.host}:${stack.info.sshd.port}`);
console.log(`config    ${stack.configFile}`);
console.log('stack ready');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`stack: ${signal}, stopping`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
