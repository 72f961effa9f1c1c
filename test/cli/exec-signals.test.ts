// Every way `exec` can die still revokes: Ctrl-\ (SIGQUIT) is handled like SIGTERM instead of
// killing keyfob with its credential out, and a Ctrl-C that lands while the credential is being
// issued (before the command runs) still ends in a revoke.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { useStack } from '../integration/support/stack.ts';
import { makeKeyfobUser, noSecretServiceReason, type KeyfobUser } from './support/keyfob.ts';
import { readAudit, roleExists, SESSION_LINE, signIn, vaultMadeRoles } from './support/state.ts';

const skipped = noSecretServiceReason !== undefined;

/** An HTTP proxy to Vault that holds answers to database/creds until released, telling when one is held. */
async function holdingProxy(target: string) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let held: () => void = () => {};
  const heldOne = new Promise<void>((resolve) => (held = resolve));
  const upstream = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, async (answer) => {
      if (req.url?.startsWith('/v1/database/creds/')) {
        held();
        await released;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heldOne,
    release,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(skipped)(`exec revokes however it is stopped${skipped ? ` (skipped: ${noSecretServiceReason})` : ''}`, () => {
  const fixture = useStack();
  const users: KeyfobUser[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'keyfob-exec-signals-'));
  afterAll(() => {
    for (const u of users) u.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('Ctrl-\\ (SIGQUIT) ends the command and revokes the role; keyfob does not die of it', async () => {
    const user = makeKeyfobUser(fixture.stack);
    users.push(user);
    await signIn(user);
    const exec = user.start(['exec', 'orders-ro', '--', 'sh', '-c', 'echo "role=$PGUSER"; exec sleep 30']);
    const [, role] = (await exec.waitForStdout(/role=(\S+)/)) as [string, string];
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    exec.signalGroup('SIGQUIT'); // what a terminal's Ctrl-\ delivers
    const end = await exec.exited;
    expect(end.signal, 'keyfob itself must not be killed by SIGQUIT').toBeNull();
    expect(end.code, end.stderr).toBe(128 + 3);
    expect(await roleExists(fixture.stack.info, role)).toBe(false);
    expect(readAudit(user.home)).toContainEqual(expect.objectContaining({ sessionId: id, action: 'revoked', reason: 'command-exit' }));
  });

  it('Ctrl-C while the credential is being issued still revokes it, and the command never runs', async () => {
    const proxy = await holdingProxy(fixture.stack.info.vault.addr);
    try {
      const config = parseYaml(readFileSync(fixture.stack.configFile, 'utf8')) as { vault: { address: string } };
      config.vault.address = proxy.address;
      const file = join(scratch, 'config.yaml');
      writeFileSync(file, stringifyYaml(config), { mode: 0o600 });
      const user = makeKeyfobUser(fixture.stack, { env: { KEYFOB_CONFIG: file } });
      users.push(user);
      await signIn(user);
      const marker = join(scratch, 'ran');
      const exec = user.start(['exec', 'orders-ro', '--', 'sh', '-c', `touch ${marker}`]);
      await proxy.heldOne; // keyfob is waiting for Vault's answer: the role exists, keyfob does not know it yet
      exec.signalGroup('SIGINT');
      await new Promise((resolve) => setImmediate(resolve));
      proxy.release();
      const end = await exec.exited;
      expect(end.signal, end.stderr).toBeNull();
      expect(end.code, end.stderr).toBe(130);
      expect(end.stderr).toMatch(/interrupted \(SIGINT\) before the command started; revoking/);
      expect(await vaultMadeRoles(fixture.stack.info), 'no role left').toEqual([]);
      const audit = readAudit(user.home);
      expect(audit.map((e) => e.action)).toEqual(['granted', 'issued', 'revoked']);
      expect(() => readFileSync(marker)).toThrow();
    } finally {
      await proxy.close();
    }
  });
});
