// One person's machine for in-process engine tests: a state dir and a keychain that every engine
// opened on it shares (as two keyfob processes of one person do), a FakeClock, and the stack's
// browser command as the opener. Engines and homes are cleaned up after each test, and what a
// test left issued is revoked, so the stack's database has no role of ours when the file ends.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { FakeClock } from '../../../main/core/base/index.ts';
import { openEngine, type Engine, type OpenEngineOptions } from '../../../main/core/engine/engine.ts';
import { MemorySecretStore } from '../../../main/core/keychain/index.ts';
import type { useStack } from '../../integration/support/stack.ts';
import { runBrowser } from '../../integration/support/login.ts';

export function engineMachines(fixture: ReturnType<typeof useStack>) {
  const homes: string[] = [];
  const engines: Engine[] = [];

  afterEach(async () => {
    for (const engine of engines.splice(0)) {
      await engine.revokeAll('quit').catch(() => {});
      await engine.dispose();
    }
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });

  /** A fresh machine; `browserOpened` lists every URL one of its engines wanted a browser for. */
  return function machine() {
    const home = mkdtempSync(join(tmpdir(), 'keyfob-engine-test-'));
    homes.push(home);
    const store = new MemorySecretStore('shared by the engines of one test');
    const clock = new FakeClock(Date.now());
    const browserOpened: string[] = [];
    const env: NodeJS.ProcessEnv = { KEYFOB_CONFIG: fixture.stack.configFile, KEYFOB_HOME: home, KEYFOB_PAGERDUTY_TOKEN: randomBytes(12).toString('hex') };
    const open = async (extra: Partial<OpenEngineOptions> = {}) => {
      const openUrl = (url: string) => {
        browserOpened.push(url);
        return runBrowser(fixture.stack.info, url);
      };
      const engine = await openEngine({ env, clock, secretStore: store, openUrl, ...extra });
      engines.push(engine);
      return engine;
    };
    return { home, store, clock, env, open, browserOpened };
  };
}
