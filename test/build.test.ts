// The one build (scripts/build.ts) emits what Electron and the CLI load, in the module formats they
// need; electron-builder.yml packages exactly that. Packaging itself runs on a release machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const out = join('out', `build-test-${process.pid}`); // inside the repo, so bundles resolve node_modules
const node = process.execPath;

beforeAll(() => {
  execFileSync(node, ['scripts/build.ts', '--outdir', out], { stdio: 'pipe' });
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run build', () => {
  it('emits a CommonJS preload for the sandboxed renderer, with electron left to the runtime', () => {
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    expect(preload).toContain('require("electron")');
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('emits an ESM main that imports electron at run time instead of bundling it', () => {
    const main = readFileSync(join(out, 'main/index.js'), 'utf8');
    expect(main).toMatch(/from "electron"/);
    expect(main).toContain('sandbox: true');
  });

  it('emits the renderer page with its strict CSP and its script', () => {
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    expect(html).toContain("default-src 'none'");
    expect(existsSync(join(out, 'renderer/app.js'))).toBe(true);
  });

  it("the built main runs the CLI in its --keyfob-cli mode (the packaged app's CLI), here under the electron stub", () => {
    const help = execFileSync(node, ['--import', './test/support/registerElectronStub.mjs', join(out, 'main/index.js'), '--keyfob-cli', '--help']).toString();
    expect(help).toContain('keyfob [--config FILE] <command>');
  });

  it('emits a CLI bundle that runs', () => {
    const help = execFileSync(node, [join(out, 'cli/keyfob.js'), '--help']).toString();
    expect(help).toContain('keyfob [--config FILE] <command>');
  });
});

describe('electron-builder.yml', () => {
  const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown> & {
    extraMetadata: { main: string };
    files: string[];
    protocols: { schemes: string[] }[];
  };

  it('packages the build output and starts the built main', () => {
    expect(config.files).toContain('dist/**');
    expect(config.extraMetadata.main).toBe('dist/main/index.js');
    expect(JSON.parse(readFileSync('package.json', 'utf8')).main).toBe(config.extraMetadata.main);
  });

  it('registers the keyfob:// scheme for deep links and keeps the keychain addon unpacked', () => {
    expect(config.protocols.flatMap((p) => p.schemes)).toContain('keyfob');
    expect(config.asarUnpack).toEqual(expect.arrayContaining([expect.stringContaining('@napi-rs/keyring')]));
  });
});
