// How the CLI is bundled, shared by `npm run build` and the benchmark, so `npm run bench` measures
// what ships. Chosen by measurement (`npm run bench`, docs/performance.md):
// - code splitting, so each command's modules (and packages) load when that command runs: without
//   it, esbuild hoists every package import of every command to the top of one file, and
//   `keyfob --help` paid for zod, yaml, node-vault and the AWS SDK;
// - pure-JS packages bundled in (tree-shaken, no per-file module resolution at start-up); only the
//   native keychain addon, electron and the AWS SDK (large, loaded by aws-sso alone) stay external;
// - a `require` for the CommonJS packages bundled into ESM (node-vault, sshpk), which call it for
//   Node built-ins;
// - node-vault without axios: node-vault requires it at load, but uses it only when it is given no
//   `request-promise`, and Keyfob always gives it its own transport (vault/transport.ts). axios
//   brought form-data, mime-db and Node's fetch (undici) into every command that calls Vault.
// bin/keyfob.js turns on Node's compile cache before loading the bundle.
import { build, type BuildOptions, type Plugin } from 'esbuild';

export const cliExternal = ['@napi-rs/keyring', 'electron', '@aws-sdk/*', '@smithy/*', '@aws-crypto/*'];

const withoutAxios: Plugin = {
  name: 'keyfob-without-axios',
  setup(b) {
    b.onResolve({ filter: /^axios$/ }, () => ({ path: 'axios', namespace: 'keyfob-unused' }));
    b.onLoad({ filter: /.*/, namespace: 'keyfob-unused' }, () => ({
      contents: "module.exports = { create() { throw new Error('axios is not bundled: Keyfob gives node-vault its own transport'); } };",
      loader: 'js',
    }));
  },
};

export function cliBuildOptions(outdir: string): BuildOptions {
  return {
    entryPoints: ['main/cli/keyfob.ts'],
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'es2023',
    sourcemap: true,
    logLevel: 'warning',
    external: cliExternal,
    plugins: [withoutAxios],
    banner: { js: "import { createRequire as __keyfobRequire } from 'node:module'; const require = __keyfobRequire(import.meta.url);" },
  };
}

export async function buildCli(outdir: string, options: { cwd?: string } = {}): Promise<void> {
  await build({ ...cliBuildOptions(outdir), ...(options.cwd ? { absWorkingDir: options.cwd } : {}) });
}
