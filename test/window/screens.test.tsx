// @vitest-environment jsdom
// Each screen's states as a user meets them, driven through the real handlers over a fake engine.
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { Screen } from '../../common/ipc.ts';
import { App } from '../../renderer/App.tsx';
import type { IntervalTimers } from '../../renderer/state/useNow.ts';
import { inProcessBridge } from './fakeBridge.ts';
import { FakeEngine, fakeHost } from './fakeEngine.ts';

afterEach(cleanup);

class ManualTimers implements IntervalTimers {
  armed = new Map<number, () => void>();
  #next = 1;
  setInterval(fn: () => void) {
    const id = this.#next++;
    this.armed.set(id, fn);
    return id;
  }
  clearInterval(id: unknown) {
    this.armed.delete(id as number);
  }
  tick() {
    this.armed.forEach((fn) => fn());
  }
}

function setup(options: { signedIn?: boolean; screen?: Screen; engine?: FakeEngine; terminal?: boolean } = {}) {
  let now = Date.parse('2026-03-02T09:00:00Z');
  const engine = options.engine ?? new FakeEngine({ signedIn: options.signedIn ?? true, now: () => now });
  const host = fakeHost(engine, { terminal: options.terminal ?? true });
  const bridge = inProcessBridge(engine, host);
  const timers = new ManualTimers();
  const clock = { now: () => now, timers };
  const user = userEvent.setup();
  render(<App api={bridge.api} initialScreen={options.screen ?? 'sessions'} clock={clock} />);
  return { engine, host, bridge, user, timers, advance: (ms: number) => (now += ms) };
}

const setVisibility = (state: 'visible' | 'hidden') => {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
};

describe('Sign in', () => {
  it("offers the config's methods, shows progress while the browser step runs, then the identity", async () => {
    const { user } = setup({ signedIn: false });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByText('Not signed in')).toBeTruthy();
    expect(screen.getAllByRole('button', { name: /^Sign in with/ }).map((b) => b.textContent)).toEqual([
      'Sign in with SSO (Vault)',
      'Sign in with AWS IAM Identity Center',
    ]);
    await user.click(screen.getByRole('button', { name: 'Sign in with SSO (Vault)' }));
    expect(await screen.findByText(/Signed in as/)).toBeTruthy();
    expect(screen.getByText('alice@example.com')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });

  it('shows the browser step with a Cancel, and cancelling says so', async () => {
    const engine = new FakeEngine({ loginOutcome: 'hang' });
    const { user } = setup({ engine });
    await user.click(await screen.findByRole('button', { name: 'Sign in with SSO (Vault)' }));
    expect(within(screen.getByRole('status')).getByText(/Finish signing in in your browser/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Sign in with SSO (Vault)' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/cancelled.*Sign in again when you are ready/);
  });

  it.each([
    ['sign-in-timeout', /did not finish within 5 minutes.*took too long\. Try again/],
    ['sign-in-refused', /refused the sign-in.*right account/],
    ['vault-denied', /Vault refused the login.*Ask your admin/],
  ] as const)('explains %s and what to do next', async (outcome, text) => {
    const { user } = setup({ engine: new FakeEngine({ loginOutcome: outcome }) });
    await user.click(await screen.findByRole('button', { name: 'Sign in with SSO (Vault)' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(text);
    expect(screen.getByText('Not signed in')).toBeTruthy();
  });

  it('follows a sign-out done elsewhere', async () => {
    const { engine } = setup();
    expect(await screen.findByText(/Signed in as/)).toBeTruthy();
    engine.signOutElsewhere();
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });
});

describe('Targets', () => {
  it('groups targets by kind and shows each blast radius before anything is requested', async () => {
    setup({ screen: 'targets' });
    const databases = (await screen.findByRole('heading', { name: 'Databases' })).parentElement!;
    expect(screen.getByRole('heading', { name: 'SSH' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'AWS' })).toBeTruthy();
    const card = within(databases).getByRole('article', { name: 'Orders DB (read/write)' });
    expect(within(card).getByText('High impact')).toBeTruthy();
    expect(within(card).getByText('SELECT, INSERT, UPDATE, DELETE on orders')).toBeTruthy();
    expect(within(card).getByText('orders (production)')).toBeTruthy();
    expect(within(card).getByText('15 min by default, at most 1 h')).toBeTruthy();
    expect(within(card).getByText(/Only while you are on call/)).toBeTruthy();
    expect(within(card).getByLabelText('Reason or ticket (required)')).toBeTruthy();
    expect(within(screen.getByRole('article', { name: 'Bastion host' })).queryByRole('button', { name: /Copy/ })).toBeNull();
  });

  it('copies a connection string, says the clipboard clears, and lists the session', async () => {
    const { user, host, engine } = setup({ screen: 'targets' });
    const card = await screen.findByRole('article', { name: 'Orders DB (read-only)' });
    await user.click(within(card).getByRole('button', { name: 'Copy connection string' }));
    expect(await within(card).findByText('Copied the connection string for Orders DB (read-only). The clipboard clears in 30 s.')).toBeTruthy();
    expect(host.clipboardText()).toMatch(/^postgresql:\/\//);
    expect(document.body.textContent).not.toContain(host.clipboardText());
    expect(engine.sessions()).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: /Sessions/ }));
    expect(await screen.findByRole('article', { name: /Orders DB \(read-only\), active/ })).toBeTruthy();
  });

  it('asks for the reason first and issues nothing without it; shows the on-call refusal and issues nothing', async () => {
    const { user, engine } = setup({ screen: 'targets' });
    const card = await screen.findByRole('article', { name: 'Orders DB (read/write)' });
    await user.click(within(card).getByRole('button', { name: 'Copy connection string' }));
    expect((await within(card).findByRole('alert')).textContent).toMatch(/needs a reason/);
    expect(engine.calls.filter((c) => c.startsWith('issue'))).toEqual([]);
    await user.type(within(card).getByLabelText('Reason or ticket (required)'), 'INC-4711');
    await user.click(within(card).getByRole('button', { name: 'Copy connection string' }));
    expect((await within(card).findByRole('alert')).textContent).toMatch(/on call.*PagerDuty says you are not/);
    expect(engine.sessions()).toEqual([]);
  });

  it("caps the time at the target's max", async () => {
    const { user, engine } = setup({ screen: 'targets' });
    const card = await screen.findByRole('article', { name: 'Orders DB (read-only)' });
    const minutes = within(card).getByLabelText('Minutes (at most 240)');
    await user.clear(minutes);
    await user.type(minutes, '999');
    await user.click(within(card).getByRole('button', { name: 'Open in terminal' }));
    expect((await within(card).findByRole('alert')).textContent).toMatch(/between 1 and 240 minutes/);
    expect(engine.sessions()).toEqual([]);
    await user.clear(minutes);
    await user.type(minutes, '90{Enter}');
    expect(await within(card).findByText(/Opened a terminal for Orders DB/)).toBeTruthy();
    expect(engine.sessions()[0]!.remainingSeconds).toBe(90 * 60);
  });
});

describe('Active sessions', () => {
  it('says honestly when nothing is open', async () => {
    setup();
    expect(await screen.findByText(/No sessions are open/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Revoke all' })).toBeNull();
  });

  it('shows a live countdown that ticks only while the window is visible, and the expiring-soon state', async () => {
    const { engine, timers, advance } = setup();
    await screen.findByText(/No sessions are open/);
    engine.addForeignSession('orders-ro', 302);
    const card = await screen.findByRole('article', { name: /Orders DB \(read-only\), active/ });
    expect(within(card).getByText('5:02')).toBeTruthy();
    expect(within(card).getByText(/held by a terminal \(process 9001\)/)).toBeTruthy();
    expect(timers.armed.size).toBe(1);
    advance(3000);
    timers.tick();
    expect(await within(card).findByText('4:59')).toBeTruthy();
    expect(screen.getByRole('article', { name: /expiring soon/ })).toBe(card);
    expect(within(card).getByText(/Expiring soon, ends/)).toBeTruthy();

    setVisibility('hidden');
    expect(timers.armed.size).toBe(0);
    advance(60_000);
    setVisibility('visible');
    expect(timers.armed.size).toBe(1);
    expect(await within(card).findByText('3:59')).toBeTruthy();
  });

  it('extends, saying what Vault allowed, and revokes', async () => {
    const { user, engine, advance } = setup();
    await screen.findByText(/No sessions are open/);
    await engine.issue('orders-ro');
    advance(3 * 3600_000 + 30 * 60_000);
    const card = await screen.findByRole('article', { name: /Orders DB \(read-only\)/ });
    await user.click(within(card).getByRole('button', { name: 'Extend Orders DB (read-only)' }));
    expect((await screen.findByText(/capped at max TTL, ends/)).textContent).toMatch(/^Orders DB \(read-only\): capped at max TTL, ends \d\d:\d\d\.$/);
    await user.click(within(card).getByRole('button', { name: 'Revoke Orders DB (read-only)' }));
    expect(await screen.findByText('Orders DB (read-only) revoked.')).toBeTruthy();
    expect(screen.queryByRole('article', { name: /Orders DB/ })).toBeNull();
    expect(engine.sessions()).toEqual([]);
  });

  it("revokes all after a confirmation, this app's and the terminals'", async () => {
    const { user, engine } = setup();
    await screen.findByText(/No sessions are open/);
    await engine.issue('orders-ro');
    engine.addForeignSession('aws-prod', 1200);
    await user.click(await screen.findByRole('button', { name: 'Revoke all' }));
    expect(engine.sessions()).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Revoke all 2 now' }));
    expect(await screen.findByText('Revoked 2 sessions.')).toBeTruthy();
    expect(engine.sessions()).toEqual([]);
  });

  it('shows an engine refusal with what to do next', async () => {
    const { user, engine } = setup();
    await screen.findByText(/No sessions are open/);
    const session = engine.addForeignSession('bastion', 600);
    const card = await screen.findByRole('article', { name: /Bastion host/ });
    engine.forget(session.id); // ended in another process before the window heard of it
    await user.click(within(card).getByRole('button', { name: 'Revoke Bastion host' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/No session .*It has ended already/);
  });

  it('offers no Extend for a session that cannot be renewed', async () => {
    const { engine } = setup();
    await screen.findByText(/No sessions are open/);
    await engine.issue('bastion');
    const card = await screen.findByRole('article', { name: /Bastion host/ });
    expect(within(card).queryByRole('button', { name: /Extend/ })).toBeNull();
    expect(within(card).getByText(/held by Keyfob \(this app\)/)).toBeTruthy();
  });
});

describe('Exposure', () => {
  it('says the laptop holds nothing when nothing is out', async () => {
    setup({ screen: 'exposure' });
    expect(await screen.findByText(/it would hold nothing/)).toBeTruthy();
  });

  it('lists what is out by impact, highest first, with time left', async () => {
    const { engine } = setup({ screen: 'exposure' });
    await screen.findByText(/it would hold nothing/);
    engine.addForeignSession('orders-ro', 3600);
    engine.addForeignSession('bastion', 41 * 60);
    const items = await screen.findAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      'Medium impact shell as ops on the bastion on bastion.prod for 41 min more',
      'Low impact SELECT on all tables in orders on orders (production) for 1 h more',
    ]);
  });

  it('says what the Vault sign-in itself could still ask for', async () => {
    setup({ screen: 'exposure' });
    expect(await screen.findByText(/The Vault sign-in \(alice@example.com\).* can ask for 4 targets, up to high impact\./)).toBeTruthy();
  });
});

describe('Activity', () => {
  it('shows the audit log newest first and filters it by action and target', async () => {
    const { user, engine } = setup({ screen: 'activity' });
    expect(await screen.findByText(/Nothing in the audit log matches/)).toBeTruthy();
    const s = await engine.issue('orders-ro');
    await engine.issue('aws-prod');
    await engine.revoke(s.session.id);
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(4));
    expect(
      screen
        .getAllByRole('row')
        .slice(1)
        .map((r) => within(r).getAllByRole('cell')[1]!.textContent),
    ).toEqual(['revoked', 'issued', 'issued']);
    await user.selectOptions(screen.getByLabelText('Action'), 'issued');
    await user.selectOptions(screen.getByLabelText('Target'), 'aws-prod');
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
    expect(within(screen.getAllByRole('row')[1]!).getByText('AWS production (read-only)')).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('Action'), 'expired');
    expect(await screen.findByText(/Nothing in the audit log matches/)).toBeTruthy();
  });
});

describe('Settings', () => {
  it('saves the preferences and refuses out-of-range values with a reason', async () => {
    const { user, host } = setup({ screen: 'settings' });
    await user.selectOptions(await screen.findByLabelText('When the laptop sleeps or locks, revoke'), 'all');
    const clip = screen.getByLabelText('Clear the clipboard after (seconds)');
    await user.clear(clip);
    await user.type(clip, '45');
    await user.click(screen.getByLabelText('Start Keyfob when I log in'));
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(host.preferences.get()).toMatchObject({ revokeOnSleepLock: 'all', clipboardClearSeconds: 45, launchAtLogin: true, terminal: null });
    await user.clear(clip);
    await user.type(clip, '1');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/5 to 600 seconds/);
    expect(host.preferences.get().clipboardClearSeconds).toBe(45);
  });
});

describe('Keyboard', () => {
  it('reaches every screen from the tab list with the keyboard alone', async () => {
    const { user } = setup();
    await screen.findByText(/No sessions are open/);
    await user.tab();
    await user.tab();
    expect(document.activeElement?.textContent).toBe('Sessions');
    for (const name of ['Targets', 'Exposure', 'Activity', 'Settings']) {
      await user.tab();
      expect(document.activeElement?.textContent).toBe(name);
    }
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Settings' }).getAttribute('aria-current')).toBe('page');
  });
});
