import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The real package downloads the Electron binary on import; tests never load it.
    alias: { electron: fileURLToPath(new URL('./test/electron-stub.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share one local stack per file; keep files from starving 2 cores.
    maxWorkers: 2,
    // electron-store imports electron at top level: inline it so the alias above applies to it too.
    server: { deps: { inline: ['electron-store'] } },
  },
});
