// The parsed-YAML cache in the state dir (config/parsedCache.ts): a start with an unchanged config
// skips YAML, but what it gets is always the file's current content, validated by the schema.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync, symlinkSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../main/core/config/index.ts';
import { parseConfigCached } from '../../main/core/config/parsedCache.ts';

const config = (address: string, ttl = '1h') => `
version: 1
vault: { address: "${address}" }
auth: { default: vault-oidc, vaultOidc: { role: engineer } }
targets:
  - id: orders-ro
    name: Orders DB (read-only)
    kind: database
    impact: medium
    grants: SELECT on orders
    scope: orders (production)
    ttl: ${ttl}
    maxTtl: 4h
    database: { vaultRole: orders-ro, host: 127.0.0.1, name: orders }
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-config-cache-'));
  dirs.push(dir);
  const state = join(dir, 'state');
  mkdirSync(state, { mode: 0o700 });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config('https://vault.corp:8200'));
  const cacheFile = join(state, 'config-cache.json');
  const load = () => loadConfig({ path: file, env: {}, cacheDir: state });
  return { dir, state, file, cacheFile, load };
}

describe('the config parse cache', () => {
  it('keeps the parsed file owner-only in the state dir and gives the same config from it', async () => {
    const { cacheFile, load } = setup();
    const first = await load();
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(await load()).toEqual(first);
    expect(first.config.vault.address).toBe('https://vault.corp:8200');
  });

  it('follows every change to the file, and reports a broken edit with its line even when a good version is cached', async () => {
    const { file, load } = setup();
    await load();
    writeFileSync(file, config('https://vault2.corp:8200', '2h'));
    const changed = await load();
    expect(changed.config.vault.address).toBe('https://vault2.corp:8200');
    expect(changed.config.targets[0]!.ttl).toBe(7200);
    writeFileSync(file, config('https://vault2.corp:8200', 'soon'));
    await expect(load()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/config\.yaml:\d+: targets\[0\]\.ttl/) });
  });

  it('validates what it reads from the cache: a cached value the schema refuses is not used', async () => {
    const { cacheFile, load } = setup();
    await load();
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
    cache.entries[0].value.vault.address = 'http://vault.corp:8200'; // plain http off loopback: refused by the schema
    writeFileSync(cacheFile, JSON.stringify(cache));
    expect((await load()).config.vault.address).toBe('https://vault.corp:8200');
    // And the cache was replaced by the file's parse.
    expect(JSON.parse(readFileSync(cacheFile, 'utf8')).entries[0].value.vault.address).toBe('https://vault.corp:8200');
  });

  it('is only kept where asked: no cacheDir, no file; a garbled cache is a miss', async () => {
    const { file, cacheFile, state, load } = setup();
    await loadConfig({ path: file, env: {} });
    expect(existsSync(cacheFile)).toBe(false);
    writeFileSync(cacheFile, '{"format":1,"entries":[{"path":');
    expect((await load()).config.targets.map((t) => t.id)).toEqual(['orders-ro']);
    expect(JSON.parse(readFileSync(join(state, 'config-cache.json'), 'utf8')).entries).toHaveLength(1);
  });
});

describe('the validated config kept by a bundled CLI (its build id)', () => {
  const at = async (file: string, state: string, build: string | undefined) => {
    const text = readFileSync(file, 'utf8');
    return parseConfigCached(text, file, statSync(file), state, build);
  };

  it('is used by the same build alone: another build, or none (the sources, the tray), validates the plain value again', async () => {
    const { file, state, cacheFile } = setup();
    const first = await at(file, state, 'build-a');
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(cache.entries[0].validated).toEqual({ build: 'build-a', config: JSON.parse(JSON.stringify(first)) });
    // What build-a validated is what build-a gets back (here edited, to tell it apart from a new validation).
    cache.entries[0].validated.config.vault.address = 'https://cached.corp:8200';
    writeFileSync(cacheFile, JSON.stringify(cache));
    expect((await at(file, state, 'build-a')).vault.address).toBe('https://cached.corp:8200');
    // Another Keyfob never trusts it, and keeps its own.
    expect((await at(file, state, 'build-b')).vault.address).toBe('https://vault.corp:8200');
    expect(JSON.parse(readFileSync(cacheFile, 'utf8')).entries[0].validated.build).toBe('build-b');
    expect((await at(file, state, undefined)).vault.address).toBe('https://vault.corp:8200');
  });

  it('follows every change to the file', async () => {
    const { file, state } = setup();
    await at(file, state, 'build-a');
    writeFileSync(file, config('https://vault2.corp:8200', '2h'));
    const changed = await at(file, state, 'build-a');
    expect(changed.vault.address).toBe('https://vault2.corp:8200');
    expect(changed.targets[0]!.ttl).toBe(7200);
  });

  it('is not read through a symbolic link', async () => {
    const { dir, file, state, cacheFile } = setup();
    await at(file, state, 'build-a');
    const planted = JSON.parse(readFileSync(cacheFile, 'utf8'));
    planted.entries[0].validated.config.vault.address = 'https://planted.corp:8200';
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify(planted));
    rmSync(cacheFile);
    symlinkSync(elsewhere, cacheFile);
    expect((await at(file, state, 'build-a')).vault.address).toBe('https://vault.corp:8200');
    expect(lstatSync(cacheFile).isSymbolicLink()).toBe(false);
  });
});
