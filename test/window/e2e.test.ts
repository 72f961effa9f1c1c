// The window end to end: Debian's Chromium drives `npm run dev:web -- --stack DIR` (its own
// process, the real engine) against the local stack. Sign in (the stack's `browser` command does
// the SSO step), open orders-ro by copy and see a real PostgreSQL role appear, watch its countdown
// fall, extend it, revoke it (the role is gone), see each event in Activity; a request for
// orders-rw without a reason is refused and issues nothing. Every screen, light and dark, passes
// axe-core on the real engine and is photographed into a folder this test prints (not committed).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Screen } from '../../common/ipc.ts';
import { withPg } from '../integration/support/postgres.ts';
import { useStack } from '../integration/support/stack.ts';
import { chromiumOrSkip, launchChromium, seriousAxeViolations } from './chromium.ts';

const haveChromium = chromiumOrSkip('window end-to-end tests');

const ORDERS_RO = 'Orders DB (read-only)';
const ORDERS_RW = 'Orders DB (read-write)';

describe.skipIf(!haveChromium)('the window end to end on the real engine and the stack', () => {
  // Long enough that nothing expires during the test, short enough that Extend visibly moves the end.
  const fixture = useStack({ databaseTtl: '5m', databaseMaxTtl: '10m' });
  const out = join('out', `window-e2e-${process.pid}`);
  const home = mkdtempSync(join(tmpdir(), 'keyfob-e2e-home-'));
  const shots = mkdtempSync(join(tmpdir(), 'keyfob-e2e-screens-'));
  let devWeb: ChildProcess | undefined;
  let devWebLog = '';
  let url = '';
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.ts', '--outdir', out], { stdio: 'pipe' });
    url = await startDevWeb();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 900, height: 680 } });
    page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    console.log(`screenshots: ${shots}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    // SIGTERM is dev:web's quit: it revokes what it issued before the stack stops.
    if (devWeb && devWeb.exitCode === null) {
      const exited = new Promise((resolve) => devWeb!.once('exit', resolve));
      devWeb.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
    }
    rmSync(out, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  /** Runs the real command line and waits for its one `ui ready <URL>` line. */
  function startDevWeb(): Promise<string> {
    const child = spawn(process.execPath, ['scripts/devWeb/cli.ts', '--stack', fixture.dir, '--state', home, '--renderer', join(out, 'renderer')], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    devWeb = child;
    return new Promise((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        devWebLog += chunk;
        const ready = /^ui ready (\S+)$/m.exec(devWebLog);
        if (ready) resolve(ready[1]!);
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (devWebLog += chunk));
      child.once('exit', (code) => reject(new Error(`dev:web exited (${code}) before it was ready:\n${devWebLog}`)));
    });
  }

  /** Vault's database logins in PostgreSQL right now, asked as the stack's admin. */
  async function vaultRoles(): Promise<string[]> {
    const info = fixture.stack.info;
    return withPg(info, info.postgres.adminUser, info.postgres.adminPassword, async (client) => {
      const res = await client.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%' ORDER BY rolname");
      return res.rows.map((r) => r.rolname);
    });
  }

  const tab = (name: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: new RegExp(`^${name}`) });
  const sessionCard = (name: string) => page.getByRole('article', { name: new RegExp(`^${name.replace(/[()]/g, '\\$&')}, `) });
  const targetCard = (name: string) => page.getByRole('article', { name, exact: true });
  const countdown = async (name: string) => toSeconds((await sessionCard(name).locator('.countdown-text').textContent()) ?? '');

  async function checkScreen(p: Page, screen: Screen, scheme: string) {
    expect(await seriousAxeViolations(p, `${screen} (${scheme})`)).toEqual([]);
    await p.screenshot({ path: join(shots, `${screen}-${scheme}.png`), fullPage: true });
  }

  it("signs in with SSO: the stack's browser command completes the browser step", async () => {
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor()).resolves.toBeUndefined();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await checkScreen(page, 'sign-in', scheme);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Sign in with SSO (Vault)' }).click();
    await page.getByText('Signed in as').waitFor({ timeout: 60_000 });
    expect(await page.locator('.identity strong').textContent()).toMatch(/alice/);
  }, 90_000);

  let role = '';

  it('opens orders-ro by copy: a PostgreSQL role appears and its countdown falls', async () => {
    const before = await vaultRoles();
    await tab('Targets').click();
    await targetCard(ORDERS_RO).getByRole('button', { name: 'Copy connection string' }).click();
    await targetCard(ORDERS_RO).getByText(`Copied the connection string for ${ORDERS_RO}`).waitFor();
    const added = (await vaultRoles()).filter((r) => !before.includes(r));
    expect(added).toHaveLength(1);
    role = added[0]!;
    expect(role).toMatch(/orders-r/);

    await tab('Sessions').click();
    await sessionCard(ORDERS_RO).waitFor();
    expect(await sessionCard(ORDERS_RO).textContent()).toMatch(/held by Keyfob \(this app\)/);
    const first = await countdown(ORDERS_RO);
    expect(first).toBeGreaterThan(280);
    expect(first).toBeLessThanOrEqual(300);
    await page.waitForFunction(
      (start) => {
        const text = document.querySelector('.countdown-text')?.textContent ?? '';
        const [m, s] = text.split(':').map(Number);
        return (m ?? 0) * 60 + (s ?? 0) <= start - 3;
      },
      first,
      { timeout: 10_000 },
    );
    expect(await countdown(ORDERS_RO)).toBeLessThanOrEqual(first - 3);
  }, 60_000);

  it('extends it: the countdown goes back up to what Vault granted', async () => {
    const beforeExtend = await countdown(ORDERS_RO);
    await sessionCard(ORDERS_RO)
      .getByRole('button', { name: `Extend ${ORDERS_RO}` })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `${ORDERS_RO} extended, ends` })
      .waitFor();
    // Vault granted the target's 5 minutes again from now: more than was left before.
    await expect.poll(() => countdown(ORDERS_RO)).toBeGreaterThan(beforeExtend + 1);
  });

  it('revokes it: the card goes and the role is gone from PostgreSQL', async () => {
    expect(await vaultRoles()).toContain(role);
    await sessionCard(ORDERS_RO)
      .getByRole('button', { name: `Revoke ${ORDERS_RO}` })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `${ORDERS_RO} revoked.` })
      .waitFor();
    await sessionCard(ORDERS_RO).waitFor({ state: 'detached' });
    expect(await vaultRoles()).not.toContain(role);
  });

  it('shows each event in Activity, from the real audit log', async () => {
    await tab('Activity').click();
    const rows = page.locator('table.activity tbody tr');
    await expect.poll(async () => (await rows.allTextContents()).filter((t) => t.includes(ORDERS_RO)).length).toBeGreaterThanOrEqual(3);
    const actions = await page.locator('table.activity tbody tr').filter({ hasText: ORDERS_RO }).locator('.action').allTextContents();
    // Newest first.
    expect(actions.slice(0, 3)).toEqual(['revoked', 'renewed', 'issued']);
    expect(readFileSync(join(home, 'audit.jsonl'), 'utf8')).not.toContain('postgresql://');
  });

  it('refuses orders-rw without a reason, on the page and in the engine, and issues nothing', async () => {
    const before = await vaultRoles();
    await tab('Targets').click();
    await targetCard(ORDERS_RW).getByRole('button', { name: 'Copy connection string' }).click();
    await expect(targetCard(ORDERS_RW).getByRole('alert').textContent()).resolves.toMatch(/needs a reason/);
    // The same request through the page's own API reaches the engine, whose guard rail refuses it.
    const answer = await page.evaluate(() =>
      (window as unknown as { keyfob: import('../../common/ipc.ts').KeyfobApi }).keyfob.sessions.issue({ targetId: 'orders-rw', deliver: 'copy' }),
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'guard-rail' } });
    expect(!answer.ok && answer.error.message).toMatch(/needs a reason/);
    expect(await vaultRoles()).toEqual(before);
    const activity = await page.evaluate(() =>
      (window as unknown as { keyfob: import('../../common/ipc.ts').KeyfobApi }).keyfob.activity.list({ targetId: 'orders-rw' }),
    );
    // The engine's refusal is audited (docs/policy.md) and Activity shows it; nothing was issued.
    if (!activity.ok) throw new Error(activity.error.message);
    expect(activity.value.map((e) => [e.action, e.sessionId])).toEqual([['refused', null]]);
    expect(activity.value[0]!.detail).toMatch(/needs a reason/);
  });

  it('every signed-in screen, light and dark, with a live session: no serious axe violation, a screenshot', async () => {
    await tab('Targets').click();
    await targetCard(ORDERS_RO).getByRole('button', { name: 'Copy connection string' }).click();
    await targetCard(ORDERS_RO).getByText('Copied the connection string').waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [screen, name] of [
        ['sessions', 'Sessions'],
        ['targets', 'Targets'],
        ['exposure', 'Exposure'],
        ['activity', 'Activity'],
        ['settings', 'Settings'],
      ] as const) {
        await tab(name).click();
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        await checkScreen(page, screen, scheme);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('stopping dev:web is a quit: the session it still held is revoked in PostgreSQL', async () => {
    const held = await vaultRoles();
    expect(held.filter((r) => r.includes('orders-r'))).toHaveLength(1);
    const exited = new Promise<number | null>((resolve) => devWeb!.once('exit', resolve));
    devWeb!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await vaultRoles()).filter((r) => r.includes('orders-r'))).toEqual([]);
  }, 30_000);
});

function toSeconds(text: string): number {
  const parts = text.trim().split(':').map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}
