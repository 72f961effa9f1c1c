// The session's ssh wrapper: whatever the user's config or flags say, ssh runs with connection
// sharing off, because options first on the command line win (ssh_config(5)).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { noMultiplexingPath } from '../../main/core/ssh/noMultiplexing.ts';

describe.skipIf(process.platform === 'win32')('noMultiplexingPath', () => {
  const root = mkdtempSync(join(tmpdir(), 'keyfob-nomux-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("puts an ssh first on PATH that passes ControlMaster=no and ControlPath=none before the user's own options", async () => {
    // A stand-in for the real ssh, in a dir with a quote in its name, that prints its argv.
    const realDir = join(root, "real ssh's dir");
    execFileSync('mkdir', ['-p', realDir]);
    writeFileSync(join(realDir, 'ssh'), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
    chmodSync(join(realDir, 'ssh'), 0o755);
    const session = mkdtempSync(join(root, 'session-'));
    const path = await noMultiplexingPath(session, `${realDir}${delimiter}/usr/bin${delimiter}/bin`);
    expect(path?.split(delimiter)[0]).toBe(join(session, 'bin'));
    const argv = execFileSync('ssh', ['-o', 'ControlMaster=auto', 'host'], { env: { PATH: path! }, encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(argv).toEqual(['-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'ControlPersist=no', '-o', 'ControlMaster=auto', 'host']);
  });

  it('wraps nothing when there is no ssh on PATH', async () => {
    const session = mkdtempSync(join(root, 'session-'));
    expect(await noMultiplexingPath(session, join(root, 'empty'))).toBeUndefined();
  });
});
