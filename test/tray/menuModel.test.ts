// The tray menu contract (docs/tray.md), state by state, from engine-shaped state alone.
import { describe, expect, it } from 'vitest';
import { formatTimeLeft, nextRefreshAt } from '../../main/electron/tray/countdown.ts';
import { buildTrayMenu, type MenuItemModel } from '../../main/electron/tray/menuModel.ts';
import { iconState, tooltipText, titleText } from '../../main/electron/tray/trayStatus.ts';
import { clockTime, sessionFixture, signedIn, signedOut, stateFixture, T0 } from './fixtures.ts';

/** The menu as the user reads it: labels, `(disabled)` marks, submenus indented. */
function render(items: MenuItemModel[], depth = 0): string[] {
  return items.flatMap((item) => {
    const pad = '  '.repeat(depth);
    if (item.type === 'separator') return [`${pad}---`];
    return [`${pad}${item.label}${item.enabled ? '' : ' (disabled)'}`, ...(item.submenu ? render(item.submenu, depth + 1) : [])];
  });
}

const targetsBlock = [
  'Orders (read-only)',
  '  Open in terminal',
  '  Copy connection string',
  'Orders admin · high impact',
  '  Open in terminal',
  '  Copy connection string',
  'Bastion',
  '  Open in terminal',
  'AWS read-only',
  '  Open in terminal',
  '  Copy credentials',
  '---',
  'Open Keyfob',
  'Quit Keyfob',
];

describe('tray menu per state', () => {
  it('signed out: says so, offers Sign in, nothing to revoke', () => {
    const state = stateFixture();
    expect(render(buildTrayMenu(state))).toEqual(['Not signed in (disabled)', 'Sign in', '---', 'Revoke all (disabled)', '---', ...targetsBlock]);
    expect(tooltipText(state)).toBe('Keyfob · Not signed in');
    expect(titleText(state)).toBe('');
    expect(iconState(state)).toBe('signed-out');
  });

  it('signed out with several methods: Sign in is a submenu of them, the default first', () => {
    const menu = render(buildTrayMenu(stateFixture({ loginMethods: ['aws-sso', 'vault-oidc'] })));
    expect(menu.slice(0, 4)).toEqual(['Not signed in (disabled)', 'Sign in', '  AWS IAM Identity Center', '  Vault (OIDC)']);
  });

  it('signed in: the identity and its end, Sign out', () => {
    const state = stateFixture({ signIn: signedIn() });
    const until = clockTime(T0 + 8 * 3600_000);
    expect(render(buildTrayMenu(state)).slice(0, 3)).toEqual([`Signed in as alice@example.com · until ${until} (disabled)`, 'Sign out', '---']);
    expect(tooltipText(state)).toBe(`Keyfob · Signed in as alice@example.com · until ${until}`);
    expect(iconState(state)).toBe('signed-in');
  });

  it('a static secret offers only Copy secret: nothing is issued, so there is no terminal to open', () => {
    const webhook = {
      id: 'webhook',
      name: 'Webhook signing key',
      kind: 'static' as const,
      impact: 'medium' as const,
      grants: 'sign webhooks',
      scope: 'payments',
      ttlSeconds: 0,
      maxTtlSeconds: 0,
      requireReason: false,
      requireOnCall: false,
      requireConfirmation: false,
      ticketPattern: null,
      elevated: false,
    };
    const menu = render(buildTrayMenu(stateFixture({ signIn: signedIn(), targets: [webhook] })));
    const at = menu.indexOf('Webhook signing key');
    expect(menu.slice(at, at + 3)).toEqual(['Webhook signing key', '  Copy secret', '---']);
  });

  it('sessions: one item per session, soonest first, with owner, Extend, Revoke, and Copy only where the app holds the credential', () => {
    const mine = sessionFixture({ id: 'aaaaaa', ownedByThisProcess: true, expiresAt: new Date(T0 + 12 * 60_000).toISOString() });
    const terminal = sessionFixture({
      id: 'bbbbbb',
      target: 'bastion',
      kind: 'ssh',
      renewable: false,
      expiresAt: new Date(T0 + 40 * 60_000).toISOString(),
      owner: { pid: 777, thisProcess: false, label: 'keyfob exec bastion (pid 777)' },
    });
    const state = stateFixture({ signIn: signedIn(), sessions: [terminal, mine], held: new Set(['aaaaaa']) });
    expect(render(buildTrayMenu(state)).slice(2, 14)).toEqual([
      '---',
      'Orders (read-only) · 12m left',
      '  Owner: Keyfob (this app) (disabled)',
      '  Extend',
      '  Revoke',
      '  Copy connection string',
      'Bastion · 40m left',
      '  Owner: keyfob exec bastion (pid 777) (disabled)',
      '  Extend (disabled)',
      '  Revoke',
      'Revoke all',
      '---',
    ]);
    expect(tooltipText(state)).toBe('Keyfob · Orders (read-only) · 12m left (+1 more)');
    expect(titleText(state)).toBe('12m');
    expect(iconState(state)).toBe('sessions');
  });

  it('one expiring: the icon says so, and the last minute counts in seconds', () => {
    const soon = sessionFixture({ id: 'aaaaaa', expiresAt: new Date(T0 + 45_000).toISOString() });
    const state = stateFixture({ signIn: signedIn(), sessions: [soon] });
    expect(render(buildTrayMenu(state))[3]).toBe('Orders (read-only) · 45s left');
    expect(tooltipText(state)).toBe('Keyfob · Orders (read-only) · 45s left');
    expect(iconState(state)).toBe('expiring');
    // Inside warnBefore (5 min) but above a minute: expiring, in minutes.
    expect(iconState(stateFixture({ sessions: [sessionFixture({ id: 'a', expiresAt: new Date(T0 + 4 * 60_000).toISOString() })] }))).toBe('expiring');
  });

  it('error: the problem shows in the menu and tooltip and the icon turns to error', () => {
    const state = stateFixture({ signIn: signedIn(), problem: { code: 'vault-unreachable', message: 'Vault at https://vault.example.com did not answer' } });
    expect(render(buildTrayMenu(state))[1]).toBe('Problem: Vault at https://vault.example.com did not answer (disabled)');
    expect(tooltipText(state).split('\n')[1]).toBe('Problem: Vault at https://vault.example.com did not answer');
    expect(iconState(state)).toBe('error');
  });

  it('a revocation that failed shows as such and turns the icon to error; a revoking one cannot be revoked again', () => {
    const failed = sessionFixture({ id: 'aaaaaa', state: 'revoke-failed', lastError: 'Vault did not answer' });
    const revoking = sessionFixture({ id: 'bbbbbb', state: 'revoking', expiresAt: new Date(T0 + 20 * 60_000).toISOString() });
    const state = stateFixture({ signIn: signedIn(), sessions: [failed, revoking] });
    const menu = render(buildTrayMenu(state));
    expect(menu.slice(3, 12)).toEqual([
      'Orders (read-only) · revoke failed',
      '  Owner: keyfob pid 4242 (disabled)',
      '  Vault did not answer (disabled)',
      '  Extend (disabled)',
      '  Revoke',
      'Orders (read-only) · revoking…',
      '  Owner: keyfob pid 4242 (disabled)',
      '  Extend (disabled)',
      '  Revoke (disabled)',
    ]);
    expect(iconState(state)).toBe('error');
  });

  it('while signing in: no second sign-in, a way to cancel', () => {
    const menu = render(buildTrayMenu(stateFixture({ signIn: signedOut, signingIn: true })));
    expect(menu.slice(0, 3)).toEqual(['Not signed in (disabled)', 'Signing in… (disabled)', 'Cancel sign-in']);
  });
});

describe('countdown text and steps', () => {
  it.each([
    [0, '0s'],
    [1, '1s'],
    [45, '45s'],
    [59, '59s'],
    [60, '1m'],
    [61, '2m'],
    [720, '12m'],
    [3599, '1h'],
    [3601, '1h 1m'],
    [7200, '2h'],
  ])('%i s left reads %s', (seconds, text) => {
    expect(formatTimeLeft(seconds)).toBe(text);
  });

  it('redraws at minute steps, then every second in the last minute, and not at all with nothing counting', () => {
    const expiresAt = T0 + 12 * 60_000 + 30_000; // 12m30s left: "13m" until 12m left
    expect(nextRefreshAt([expiresAt], T0)).toBe(T0 + 30_000);
    expect(nextRefreshAt([expiresAt], T0 + 30_000)).toBe(T0 + 90_000);
    expect(nextRefreshAt([T0 + 60_000], T0)).toBe(T0 + 1000);
    expect(nextRefreshAt([T0 + 45_500], T0)).toBe(T0 + 500);
    expect(nextRefreshAt([T0 + 10 * 60_000, T0 + 30_000], T0)).toBe(T0 + 1000);
    expect(nextRefreshAt([], T0)).toBeNull();
    expect(nextRefreshAt([T0 - 1], T0)).toBeNull();
  });

  it('each refresh instant is where the label actually changes', () => {
    const expiresAt = T0 + 3 * 60_000 + 7_250;
    let now = T0;
    const labels: string[] = [];
    for (let at = nextRefreshAt([expiresAt], now); at !== null; at = nextRefreshAt([expiresAt], now)) {
      expect(formatTimeLeft(Math.ceil((expiresAt - at) / 1000))).not.toBe(formatTimeLeft(Math.ceil((expiresAt - (at - 1)) / 1000)));
      labels.push(formatTimeLeft(Math.ceil((expiresAt - at) / 1000)));
      now = at;
    }
    expect(labels.slice(0, 4)).toEqual(['3m', '2m', '1m', '59s']);
    expect(labels.length).toBe(3 + 60);
    expect(labels.at(-1)).toBe('0s');
  });
});
