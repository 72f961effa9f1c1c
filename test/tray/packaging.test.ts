// electron-builder.yml is only run on a release machine, so it is checked here: against the JSON
// schema app-builder-lib ships, and for the settings the security model depends on.
import { Ajv } from 'ajv';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('electron-builder.yml', () => {
  it("is valid for app-builder-lib's schema", () => {
    const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  it('a misspelt key fails the schema (the check above can fail)', () => {
    const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as object;
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNodeX: false } })).toBe(false);
  });

  it('burns the fuses: no run-as-node, NODE_OPTIONS or inspector; cookies encrypted; only the integrity-checked asar loads', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('registers keyfob:// (with its MimeType on Linux), hides from the Dock, signs with the hardened runtime', () => {
    expect(config.protocols).toEqual([{ name: 'Keyfob', schemes: ['keyfob'] }]);
    expect(config.linux.mimeTypes).toContain('x-scheme-handler/keyfob');
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.asarUnpack).toEqual(expect.arrayContaining([expect.stringContaining('@napi-rs/keyring')]));
  });

  it('ships the CLI launchers that run the app binary in CLI mode', () => {
    expect(config.extraResources).toEqual([{ from: 'build/cli', to: 'bin', filter: ['keyfob', 'keyfob.cmd'] }]);
    expect(readFileSync('build/cli/keyfob', 'utf8')).toContain('--keyfob-cli "$@"');
    expect(statSync('build/cli/keyfob').mode & 0o111).not.toBe(0);
    expect(readFileSync('build/cli/keyfob.cmd', 'utf8')).toContain('Keyfob.exe" --keyfob-cli %*');
  });
});
