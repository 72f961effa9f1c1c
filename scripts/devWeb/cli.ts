// npm run dev:web -- [--stack DIR [--state DIR] | --fake] [--port N] [--renderer DIR]
// Serves the built renderer with a WebSocket bridge to an engine; prints `ui ready <URL>`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { openDevWebEngine } from './engineSource.ts';
import { startDevWebServer } from './server.ts';

const { values } = parseArgs({
  options: {
    stack: { type: 'string' },
    state: { type: 'string' },
    fake: { type: 'boolean', default: false },
    port: { type: 'string' },
    renderer: { type: 'string', default: 'dist/renderer' },
  },
});
if (!values.stack && !values.fake) {
  console.error('dev:web: give --stack DIR (a running `npm run stack -- --dir DIR`) or --fake');
  process.exit(2);
}
if (!existsSync(join(values.renderer, 'index.html'))) execFileSync(process.execPath, ['scripts/build.ts'], { stdio: 'inherit' });

try {
  const source = await openDevWebEngine({
    ...(values.stack ? { stackDir: values.stack } : {}),
    ...(values.state ? { stateDir: values.state } : {}),
    fake: values.fake,
    env: process.env,
  });
  const server = await startDevWebServer({
    engine: source.engine,
    host: source.host,
    rendererDir: values.renderer,
    ...(values.port ? { port: Number(values.port) } : {}),
  });
  console.log(`ui ready ${server.url}`);
  const stop = async () => {
    await server.close();
    await source.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (error) {
  console.error(`dev:web: ${(error as Error).message}`);
  process.exit(1);
}
