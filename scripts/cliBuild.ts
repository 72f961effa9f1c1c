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
// - KEYFOB_BUILD_ID: a SHA-256 of the sources and the lockfile, so the validated config cached in
//   the state dir is trusted only by the build that wrote it (config/buildId.ts).
// bin/keyfob.js turns on Node's compile cache before loading the bundle.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** A hash of everything the CLI bundle is made of: the sources (main/, common/) and the lockfile (the packages' versions). */
export function cliBuildId(cwd = process.cwd()): string {
  const hash = createHash('sha256');
  for (const dir of ['main', 'common']) {
    const files = readdirSync(join(cwd, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|tsx|js|json)$/.test(f))
      .sort();
    for (const f of files)
      hash
        .update(`${dir}/${f}\0`)
        .update(readFileSync(join(cwd, dir, f)))
        .update('\0');
  }
  hash.update(readFileSync(join(cwd, 'package-lock.json')));
  return hash.digest('hex').slice(0, 32);
}

export function cliBuildOptions(outdir: string, buildId = cliBuildId()): BuildOptions {
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
    define: { KEYFOB_BUILD_ID: JSON.stringify(buildId) },
    banner: { js: "import { createRequire as __keyfobRequire } from 'node:module'; const require = __keyfobRequire(import.meta.url);" },
  };
}

export async function buildCli(outdir: string, options: { cwd?: string } = {}): Promise<void> {
  await build({ ...cliBuildOptions(outdir, cliBuildId(options.cwd)), ...(options.cwd ? { absWorkingDir: options.cwd } : {}) });
}
