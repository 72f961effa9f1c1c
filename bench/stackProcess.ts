// The local stack as a process of its own for the bench (`node test/stack/cli.ts`): Vault, the
// IdP and the rest then answer on their own thread and core, as a real Vault on another machine
// does, instead of taking turns on the bench's event loop with the client being measured (which
// charged the server's work for 100 revocations to the revoke-all figure).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack, StackInfo } from '../test/stack/stack.ts';

const READY = 'stack ready';
const START_TIMEOUT_MS = 60_000;

export async function startStackProcess(dir: string): Promise<Stack> {
  const cli = join(import.meta.dirname, '..', 'test', 'stack', 'cli.ts');
  const child = spawn(process.execPath, [cli, '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready = false;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(`the stack did not start within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`${why}:\n${output}`));
    };
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready && output.includes(READY)) {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.once('exit', (code) => {
      if (!ready) fail(`the stack exited (${code})`);
    });
  });
  const stackFile = join(dir, 'stack.json');
  const info = JSON.parse(readFileSync(stackFile, 'utf8')) as StackInfo;
  let stopping: Promise<void> | undefined;
  return {
    info,
    stackFile,
    configFile: join(dir, 'config.yaml'),
    // SIGTERM: the stack stops its own children (postgres, sshd) and exits.
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      })()),
  };
}
