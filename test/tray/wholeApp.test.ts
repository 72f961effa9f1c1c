// The tray as shipped: the BUILT main bundle (npm run build's dist/main/index.js) in its own Node
// process under the recording electron stub, against the local stack (real Vault-compatible
// server, PostgreSQL, OpenID Provider, Secret Service). The CLI signs in first, as a user would in
// a terminal; the test then acts as the user (menu clicks) and the OS (lock, second instance,
// quit) over the stub's control channel. One stack, one build, one app start for the file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useStack } from '../integration/support/stack.ts';
import { eventually, keyfobScript, makeKeyfobUser, noSecretServiceReason, nodeBin, type KeyfobUser } from '../cli/support/keyfob.ts';
import { readAudit, roleExists, signIn } from '../cli/support/state.ts';
import { startBuiltApp, type AppProcess } from './support/appProcess.ts';
import type { StubState } from '../electron-stub/control.ts';

const fakeTerminal = new URL('./support/fakeTerminal.mjs', import.meta.url).pathname;
const RO = 'Orders DB (read-only)';
const RW = 'Orders DB (read-write)';
const ROLE = /role=(v-[\w-]+)/;
const sessionItem = (state: StubState, target: string) => state.menu.find((line) => line.startsWith(`${target} · `) && line.endsWith(' left'));
/** No item for a session of `target` at all (a session being revoked reads `… · revoking…`). */
const noSession = (state: StubState, target: string) => !state.menu.some((line) => line.startsWith(`${target} · `) && !line.endsWith('high impact'));
const skipped = noSecretServiceReason !== undefined;

describe.skipIf(skipped)(`the built tray app against the local stack${skipped ? ` (skipped: ${noSecretServiceReason})` : ''}`, () => {
  const fixture = useStack();
  const out = join('out', `tray-app-test-${process.pid}`); // inside the repo, so the bundle resolves node_modules
  let terminals: string;
  let user: KeyfobUser;
  let app: AppProcess;

  /** The fake terminals started so far (their logs), and one's log once it shows a login. */
  const terminalLogs = () => readdirSync(terminals).filter((f) => f.endsWith('.log'));
  const readLog = (file: string) => readFileSync(join(terminals, file), 'utf8');

  beforeAll(async () => {
    execFileSync(nodeBin, ['scripts/build.ts', '--outdir', out], { stdio: 'pipe' });
    terminals = mkdtempSync(join(tmpdir(), 'keyfob-terminals-'));
    user = makeKeyfobUser(fixture.stack, { env: { KEYFOB_PAGERDUTY_TOKEN: fixture.stack.info.pagerduty.token } });
    await signIn(user);
    app = startBuiltApp({
      bundle: join(out, 'main/index.js'),
      nodeBin,
      env: { ...user.env, KEYFOB_TERMINAL: `${nodeBin} ${fakeTerminal}`, KEYFOB_CLI: `${nodeBin} ${keyfobScript}`, KEYFOB_TEST_TERMINAL_DIR: terminals },
    });
  });

  afterAll(() => {
    app?.kill();
    user?.dispose();
    rmSync(out, { recursive: true, force: true });
    if (terminals) rmSync(terminals, { recursive: true, force: true });
  });

  it('shows the identity the CLI signed in with', async () => {
    const state = await app.waitFor('the signed-in line', (s) => /^Signed in as \S+.* \(disabled\)$/.test(s.menu[0] ?? ''));
    expect(state.menu[0]).toMatch(/^Signed in as .+ · until \d\d:\d\d \(disabled\)$/);
    expect(state.menu).toContain('Sign out');
    expect(state.errorBoxes).toEqual([]);
    // The icon for the state, drawn by the build next to the bundle (scripts/trayIcons.ts).
    expect(state.image).toMatch(/icons\/tray-signed-in\.png$/);
    expect(readFileSync(state.image).subarray(1, 4).toString()).toBe('PNG');
  });

  it('Copy connection string on orders-ro: a URI psql logs in with, a session in the menu, and Revoke drops the role', async () => {
    await app.request({ op: 'click', path: [RO, 'Copy connection string'] });
    const copied = await app.waitFor('a connection string on the clipboard', (s) => s.clipboardText.startsWith('postgresql://'));
    const role = execFileSync('psql', [copied.clipboardText, '-tAc', 'select current_user'], { encoding: 'utf8' }).trim();
    expect(role).toMatch(/^v-[\w-]+$/);
    const withSession = await app.waitFor('the copied session in the menu', (s) => sessionItem(s, RO) !== undefined);
    expect(sessionItem(withSession, RO)).toBe(`${RO} · 10m left`);
    // What the tray said about it names the target, never the credential.
    expect(JSON.stringify(withSession.notifications)).not.toContain(copied.clipboardText);

    await app.request({ op: 'click', path: [sessionItem(withSession, RO)!, 'Revoke'] });
    await app.waitFor('the session gone from the menu', (s) => noSession(s, RO));
    expect(await roleExists(fixture.stack.info, role)).toBe(false);
  });

  it('Open in terminal runs KEYFOB_TERMINAL with keyfob exec: it logs in, and closing it drops the role and the menu item', async () => {
    await app.request({ op: 'click', path: [RO, 'Open in terminal'] });
    await eventually('a terminal that logged in', () => terminalLogs().some((f) => ROLE.test(readLog(f))));
    const log = terminalLogs().find((f) => ROLE.test(readLog(f)))!;
    const role = ROLE.exec(readLog(log))![1]!;
    // Only the CLI, the config, the target and the command are on its command line.
    expect(readLog(log)).toContain(`"exec","orders-ro","--","psql"`);
    const state = await app.waitFor("the terminal's session in the menu", (s) => sessionItem(s, RO) !== undefined);
    expect(await roleExists(fixture.stack.info, role)).toBe(true);
    expect(state.menu.join('\n')).toMatch(/Owner: keyfob pid \d+/);

    process.kill(Number(log.replace('.log', '')), 'SIGTERM'); // the user closes the terminal
    await eventually('the terminal to exit', () => readLog(log).includes('exited 0'));
    await app.waitFor('the session gone from the menu', (s) => noSession(s, RO));
    expect(await roleExists(fixture.stack.info, role)).toBe(false);
  });

  it('a session started by the CLI in another process appears within a second; lock-screen revokes a high-impact one (its command stops) and keeps a medium one', async () => {
    const hold = ['--', 'sh', '-c', 'echo "role=$PGUSER"; exec sleep 120'];
    const medium = user.start(['exec', 'orders-ro', ...hold]);
    const mediumRole = (await medium.waitForStdout(ROLE))[1]!;
    const seenAt = Date.now();
    await app.waitFor('the CLI session in the menu within a second', (s) => sessionItem(s, RO) !== undefined, 1000);
    console.info(`a CLI session reached the tray's menu ${Date.now() - seenAt} ms after its command started`);

    const high = user.start(['exec', 'orders-rw', '--reason', 'INC-1 whole-app lock test', ...hold]);
    const highRole = (await high.waitForStdout(ROLE))[1]!;
    await app.waitFor('the high-impact session in the menu', (s) => sessionItem(s, RW) !== undefined);

    await app.request({ op: 'emitPower', event: 'lock-screen' });
    const ended = await high.exited;
    expect(ended.stderr).toMatch(/revoked|lock/i);
    const after = await app.waitFor('the lock notice', (s) => s.notifications.some((n) => n.title === 'Revoked 1 high-impact session(s): the screen locked'));
    expect(sessionItem(after, RW)).toBeUndefined();
    // One summary for the lock, not a second "was revoked" when the journal watch reports the end.
    await app.waitFor('the session gone', (s) => noSession(s, RW));
    expect((await app.state()).notifications.filter((n) => n.title.startsWith(RW))).toEqual([]);
    expect(sessionItem(after, RO)).toBeDefined();
    expect(await roleExists(fixture.stack.info, highRole)).toBe(false);
    expect(await roleExists(fixture.stack.info, mediumRole)).toBe(true);

    medium.signalGroup('SIGTERM');
    await medium.exited;
    await app.waitFor('the medium session gone', (s) => noSession(s, RO));
    expect(await roleExists(fixture.stack.info, mediumRole)).toBe(false);
  });

  it("a second instance's hostile links open nothing; a valid one opens the terminal", async () => {
    const before = terminalLogs().length;
    const noticesBefore = (await app.state()).notifications.length;
    const hostile = [
      'keyfob://connect/no-such-target',
      'keyfob://connect/orders-ro?ttl=2h', // the target's max TTL is 30m
      'keyfob://connect/orders-ro/extra',
      'keyfob://connect/../orders-ro',
      `keyfob://connect/orders-ro?ttl=${'9'.repeat(10_240)}`,
    ];
    for (const link of hostile) await app.request({ op: 'emitApp', event: 'second-instance', args: [['/opt/Keyfob/keyfob', link], '/', { deepLink: link }] });
    const refused = await app.waitFor('a refusal per hostile link', (s) => s.notifications.length >= noticesBefore + hostile.length);
    expect(refused.notifications.slice(noticesBefore).every((n) => n.body.endsWith('Nothing was opened.'))).toBe(true);

    const valid = 'keyfob://connect/orders-ro?ttl=5m';
    await app.request({ op: 'emitApp', event: 'second-instance', args: [['/opt/Keyfob/keyfob', valid], '/', { deepLink: valid }] });
    await eventually('a terminal opened by the link', () => terminalLogs().length === before + 1);
    await eventually("the link's terminal logged in", () => terminalLogs().some((f) => readLog(f).includes('"--ttl","300s"') && ROLE.test(readLog(f))));
    const linked = terminalLogs().find((f) => readLog(f).includes('"--ttl","300s"'))!;
    const role = ROLE.exec(readLog(linked))![1]!;
    process.kill(Number(linked.replace('.log', '')), 'SIGTERM');
    await eventually("the link's terminal to exit", () => readLog(linked).includes('exited 0'));
    expect(await roleExists(fixture.stack.info, role)).toBe(false);
    expect(terminalLogs()).toHaveLength(before + 1);
  });

  it("before-quit revokes what the app owns, within the deadline, once; a terminal's session stays with its terminal", async () => {
    const terminalSession = user.start(['exec', 'orders-ro', '--', 'sh', '-c', 'echo "role=$PGUSER"; exec sleep 120']);
    const terminalRole = (await terminalSession.waitForStdout(ROLE))[1]!;
    await app.request({ op: 'click', path: [RO, 'Copy connection string'] });
    const copied = await app.waitFor(
      'an app-owned session',
      (s) => s.clipboardText.startsWith('postgresql://') && s.menu.filter((l) => l.startsWith(`${RO} · `)).length === 2,
    );
    const appRole = decodeURIComponent(new URL(copied.clipboardText).username);
    expect(await roleExists(fixture.stack.info, appRole)).toBe(true);

    const quitAt = performance.now();
    const first = await app.request<{ prevented: boolean }>({ op: 'emitApp', event: 'before-quit', args: [] });
    const second = await app.request<{ prevented: boolean }>({ op: 'emitApp', event: 'before-quit', args: [] }).catch(() => ({ prevented: true }));
    expect(first.prevented).toBe(true);
    expect(second.prevented).toBe(true);
    const exit = await app.exited;
    expect(exit).toMatchObject({ code: 0, exitCalled: true });
    console.info(`quit: revoked and exited ${Math.round(exit.at - quitAt)} ms after before-quit (deadline 5000 ms)`);
    expect(exit.at - quitAt).toBeLessThan(5000 + 2000); // the deadline, plus the process's own teardown

    expect(await roleExists(fixture.stack.info, appRole)).toBe(false);
    expect(await roleExists(fixture.stack.info, terminalRole)).toBe(true);
    // Revoked once: one `revoked` line per session in the audit log, whoever ended it.
    const revokedPerSession = new Map<string, number>();
    for (const entry of readAudit(user.home))
      if (entry.action === 'revoked' && entry.sessionId) revokedPerSession.set(entry.sessionId, (revokedPerSession.get(entry.sessionId) ?? 0) + 1);
    expect([...revokedPerSession.values()].every((n) => n === 1)).toBe(true);

    terminalSession.signalGroup('SIGTERM');
    await terminalSession.exited;
    expect(await roleExists(fixture.stack.info, terminalRole)).toBe(false);
  });
});
