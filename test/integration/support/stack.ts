// One local stack per test file: started in beforeAll through the same startStack that
// `npm run stack` uses, stopped (and its dir removed) in afterAll.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startStack, type Stack, type StackOptions } from '../../stack/stack.ts';

export interface StackFixture {
  /** The running stack; only valid inside tests (after beforeAll). */
  readonly stack: Stack;
  readonly dir: string;
  /** How long startStack took, for the report. */
  readonly startMs: number;
}

/** Register beforeAll/afterAll hooks that start one stack for the calling test file. */
export function useStack(options: Omit<StackOptions, 'dir'> = {}): StackFixture {
  let stack: Stack | undefined;
  let dir: string | undefined;
  let startMs = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyfob-stack-it-'));
    const started = Date.now();
    stack = await startStack({ dir, ...options });
    startMs = Date.now() - started;
    console.info(`local stack started in ${startMs} ms (${dir})`);
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get stack() {
      if (!stack) throw new Error('the stack is not running (used outside a test, or beforeAll failed)');
      return stack;
    },
    get dir() {
      if (!dir) throw new Error('no stack dir yet');
      return dir;
    },
    get startMs() {
      return startMs;
    },
  };
}
