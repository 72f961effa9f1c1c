// The access policy in-process: org rules checked at config load, and the access decision
// (TTL cap, reason and ticket pattern, on call as the signed-in person, confirmation) against
// the stack's PagerDuty look-alike on loopback. Every decision must reach the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type KeyfobConfig, type Target } from '../../main/core/config/index.ts';
import { MemorySecretStore } from '../../main/core/keychain/index.ts';
import { GuardRailError } from '../../main/core/policy/errors.ts';
import { checkAccess, type AccessDeps } from '../../main/core/policy/guardRails.ts';
import { signedInEmail } from '../../main/core/policy/identity.ts';
import { shiftWarningAt } from '../../main/core/policy/onCall.ts';
import { savePagerDutyToken } from '../../main/core/policy/pagerDutyToken.ts';
import { effectiveRules, isElevated } from '../../main/core/policy/rules.ts';
import { startPagerDuty, type PagerDuty } from '../stack/pagerduty.ts';
import { MemoryAudit } from './sessions.fakes.ts';

const HOUR = 3600_000;
const t0 = Date.UTC(2025, 0, 15, 9, 0, 0);

function configText(pagerDutyUrl: string, extra = ''): string {
  return `
version: 1
vault: { address: "http://127.0.0.1:8200" }
auth: { default: vault-oidc, vaultOidc: { role: engineer } }
onCall: { pagerduty: { url: "${pagerDutyUrl}", scheduleIds: [PSCHED1], tokenEnv: TEST_PD_TOKEN } }
policy:
  ticketPattern: "^(INC|CHG)-[0-9]+"
  impacts:
    high: { maxTtl: 1h, requireReason: true, requireOnCall: true }
    medium: { maxTtl: 4h }
targets:
  - { id: orders-ro, name: Orders RO, kind: database, impact: medium, grants: SELECT on orders, scope: orders, ttl: 1h, maxTtl: 4h,
      database: { vaultRole: orders-ro, host: 127.0.0.1, name: orders } }
  - { id: orders-rw, name: Orders RW, kind: database, impact: high, grants: read/write on orders, scope: orders, ttl: 15m, maxTtl: 1h,
      database: { vaultRole: orders-rw, host: 127.0.0.1, name: orders } }
  - { id: billing, name: Billing, kind: database, impact: low, grants: SELECT on billing, scope: billing, ttl: 15m, maxTtl: 1h, requireConfirmation: true,
      database: { vaultRole: billing, host: 127.0.0.1, name: billing } }
${extra}`;
}

let pd: PagerDuty;
let config: KeyfobConfig;

beforeAll(async () => {
  pd = await startPagerDuty({
    oncalls: [
      { user: 'alice', email: 'alice@example.com', scheduleId: 'PSCHED1', start: new Date(t0 - 4 * HOUR), end: new Date(t0 + 4 * HOUR) },
      { user: 'bob', email: 'bob@example.com', scheduleId: 'PSCHED1', start: new Date(t0 + 4 * HOUR), end: new Date(t0 + 28 * HOUR) },
    ],
  });
  config = parseConfig(configText(pd.url), '/etc/keyfob/config.yaml');
});
afterAll(() => pd.stop());

const target = (id: string): Target => config.targets.find((t) => t.id === id)!;

async function deps(who: 'alice' | 'bob', token: string | undefined, audit = new MemoryAudit()): Promise<AccessDeps & { audit: MemoryAudit }> {
  const store = new MemorySecretStore('test');
  if (token) await savePagerDutyToken(store, config.onCall!, token);
  return { config, audit, identity: `${who}@example.com`, store, env: {}, now: () => t0 };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GuardRailError);
  return (error as Error).message;
}

describe('org rules at config load', () => {
  const refused = (text: string) => {
    try {
      parseConfig(text, '/etc/keyfob/config.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected the config to be refused');
  };

  it('refuses a target whose TTL or maxTtl is above its impact cap', () => {
    expect(
      refused(
        configText('http://127.0.0.1:1').replace(
          'ttl: 15m, maxTtl: 1h,\n      database: { vaultRole: orders-rw',
          'ttl: 15m, maxTtl: 2h,\n      database: { vaultRole: orders-rw',
        ),
      ),
    ).toMatch(/targets\[1\]\.maxTtl \(target "orders-rw"\): 2h is above the high-impact cap of 1h \(policy\.impacts\.high\.maxTtl\)/);
    expect(refused(configText('http://127.0.0.1:1').replace('high: { maxTtl: 1h', 'high: { maxTtl: 10m'))).toMatch(
      /targets\[1\]\.ttl .*15m is above the high-impact cap of 10m/,
    );
  });

  it('refuses a ticket pattern that is not a regular expression, and on call per impact without onCall', () => {
    expect(refused(configText('http://127.0.0.1:1').replace('"^(INC|CHG)-[0-9]+"', '"^(INC"'))).toMatch(
      /policy\.ticketPattern: is not a valid regular expression/,
    );
    const noOnCall = configText('http://127.0.0.1:1').replace(/onCall: .*\n/, '');
    expect(refused(noOnCall)).toMatch(/policy\.impacts\.high\.requireOnCall: is true, but there is no onCall section/);
  });

  it('joins target flags with the impact rule, the rule being a floor', () => {
    expect(effectiveRules(config, target('orders-rw'))).toMatchObject({ maxTtl: 3600, requireReason: true, requireOnCall: true, requireConfirmation: false });
    expect(effectiveRules(config, target('orders-ro'))).toMatchObject({ maxTtl: 14400, requireReason: false, requireOnCall: false, ticketPattern: undefined });
    expect(effectiveRules(config, target('billing'))).toMatchObject({ requireConfirmation: true });
    expect([isElevated(config, target('orders-rw')), isElevated(config, target('orders-ro'))]).toEqual([true, false]);
  });
});

describe('the access decision', () => {
  it('refuses orders-rw without a reason, and audits the refusal', async () => {
    const d = await deps('alice', pd.tokenFor('alice'));
    expect(await refusal(checkAccess(target('orders-rw'), {}, d))).toBe(
      'orders-rw is high impact and needs a reason: add --reason "INC-123 what you are doing"',
    );
    expect(d.audit.entries).toEqual([expect.objectContaining({ target: 'orders-rw', action: 'refused', detail: expect.stringContaining('needs a reason') })]);
  });

  it('refuses a reason that does not match the ticket pattern', async () => {
    const d = await deps('alice', pd.tokenFor('alice'));
    expect(await refusal(checkAccess(target('orders-rw'), { reason: 'fixing things' }, d))).toMatch(
      /needs a reason that starts with a ticket matching \^\(INC\|CHG\)-\[0-9\]\+/,
    );
    expect(d.audit.entries[0]).toMatchObject({ action: 'refused', reason: 'fixing things' });
  });

  it('refuses bob, who is not on call, naming him', async () => {
    const d = await deps('bob', pd.tokenFor('bob'));
    expect(await refusal(checkAccess(target('orders-rw'), { reason: 'INC-7 hotfix' }, d))).toBe(
      'orders-rw requires being on call, and PagerDuty says bob@example.com is not on call now in PSCHED1',
    );
  });

  it("refuses bob using alice's PagerDuty token, saying whose it is", async () => {
    const d = await deps('bob', pd.tokenFor('alice'));
    expect(await refusal(checkAccess(target('orders-rw'), { reason: 'INC-7 hotfix' }, d))).toBe(
      'the PagerDuty token belongs to alice@example.com, but you are signed in as bob@example.com: run keyfob login --pagerduty with your own API token',
    );
  });

  it('says how to give Keyfob a PagerDuty token when there is none, and falls back to the env variable', async () => {
    const d = await deps('alice', undefined);
    expect(await refusal(checkAccess(target('orders-rw'), { reason: 'INC-7 hotfix' }, d))).toMatch(
      /no PagerDuty token: run keyfob login --pagerduty .*or set TEST_PD_TOKEN/,
    );
    const granted = await checkAccess(target('orders-rw'), { reason: 'INC-7 hotfix' }, { ...d, env: { TEST_PD_TOKEN: pd.tokenFor('alice') } });
    expect(granted.ttlSeconds).toBe(900);
  });

  it('grants alice, on call with a ticket, with her shift and the reason in the audit log', async () => {
    const d = await deps('alice', pd.tokenFor('alice'));
    const granted = await checkAccess(target('orders-rw'), { reason: 'INC-42 refund stuck orders' }, d);
    expect(granted).toMatchObject({
      ttlSeconds: 900,
      onCall: { onCall: true, email: 'alice@example.com', shift: { scheduleId: 'PSCHED1', endsAt: t0 + 4 * HOUR } },
    });
    expect(d.audit.entries).toEqual([
      expect.objectContaining({
        target: 'orders-rw',
        action: 'granted',
        reason: 'INC-42 refund stuck orders',
        detail: expect.stringContaining('on call as alice@example.com in PSCHED1'),
      }),
    ]);
  });

  it('refuses a TTL above the impact cap at request time too', async () => {
    // A config written before the cap (or edited by hand) must not get past the request.
    const loose = { ...config, policy: { ...config.policy, impacts: { ...config.policy.impacts, high: { maxTtl: 1800 } } } };
    const d = { ...(await deps('alice', pd.tokenFor('alice'))), config: loose };
    expect(await refusal(checkAccess(target('orders-rw'), { ttlSeconds: 3600, reason: 'INC-1 x' }, d))).toBe(
      '--ttl 1h is above the high-impact cap of 30m: ask for 30m or less',
    );
    expect(await refusal(checkAccess(target('orders-ro'), { ttlSeconds: 5 * 3600 }, d))).toBe(
      "--ttl 5h is above orders-ro's maximum of 4h: ask for 4h or less",
    );
  });

  it('asks for a confirmation where the target wants one', async () => {
    const d = await deps('alice', undefined);
    expect(await refusal(checkAccess(target('billing'), {}, d))).toMatch(/billing is low impact and needs a confirmation: add --yes/);
    expect((await checkAccess(target('billing'), { confirmed: true }, d)).ttlSeconds).toBe(900);
    expect(d.audit.actions()).toEqual(['refused', 'granted']);
  });
});

describe('identity and shift', () => {
  it('reads the email from the Vault display name of either login mount', () => {
    const auth = {
      auth: {
        default: 'vault-oidc' as const,
        vaultOidc: { mount: 'oidc', role: 'e', callbackPort: 0 },
        oidc: { issuer: 'x', clientId: 'c', scopes: [], vaultMount: 'corp/jwt', vaultRole: 'e', redirectPort: 0 },
      },
    };
    expect(signedInEmail({ displayName: 'oidc-Alice@Example.com' }, auth)).toBe('alice@example.com');
    expect(signedInEmail({ displayName: 'corp-jwt-bob@example.com' }, auth)).toBe('bob@example.com');
    expect(signedInEmail({ displayName: 'oidc-4f1c9a' }, auth)).toBeUndefined();
    expect(signedInEmail(null, auth)).toBeUndefined();
  });

  it('warns warnBefore ahead of the shift end, at once inside that window, never after it', () => {
    expect(shiftWarningAt(t0 + HOUR, 900, t0)).toBe(t0 + HOUR - 900_000);
    expect(shiftWarningAt(t0 + 60_000, 900, t0)).toBe(t0);
    expect(shiftWarningAt(t0 - 1, 900, t0)).toBeNull();
    expect(shiftWarningAt(null, 900, t0)).toBeNull();
  });
});
