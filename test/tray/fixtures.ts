// Engine-shaped values for tray tests: a session, a target and a tray state, each from a partial.
import type { TargetView } from '../../common/views.ts';
import type { SessionView, SignInView } from '../../main/electron/ports.ts';
import type { TrayState } from '../../main/electron/tray/menuModel.ts';

export const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);

/** A target as the engine shows one with no org rule on it: medium impact, 15 minutes, up to an hour. */
export function targetFixture(partial: Partial<TargetView> & Pick<TargetView, 'id' | 'name' | 'kind' | 'grants' | 'scope'>): TargetView {
  return {
    impact: 'medium',
    ttlSeconds: 900,
    maxTtlSeconds: 3600,
    requireReason: false,
    requireOnCall: false,
    requireConfirmation: false,
    ticketPattern: null,
    elevated: false,
    ...partial,
  };
}

export const targetsFixture: TargetView[] = [
  targetFixture({ id: 'orders-ro', name: 'Orders (read-only)', kind: 'database', grants: 'SELECT', scope: 'orders' }),
  targetFixture({
    id: 'orders-admin',
    name: 'Orders admin',
    kind: 'database',
    impact: 'high',
    grants: 'ALL',
    scope: 'orders',
    maxTtlSeconds: 1800,
    requireReason: true,
    elevated: true,
  }),
  targetFixture({ id: 'bastion', name: 'Bastion', kind: 'ssh', grants: 'shell', scope: 'bastion' }),
  targetFixture({ id: 'aws-ro', name: 'AWS read-only', kind: 'aws', impact: 'low', grants: 'ReadOnly', scope: 'prod' }),
];

export function sessionFixture(partial: Partial<SessionView> & { id: string }, now = T0): SessionView {
  const expiresAt = partial.expiresAt ?? new Date(now + 12 * 60_000).toISOString();
  const target = partial.target ?? 'orders-ro';
  const known = targetsFixture.find((t) => t.id === target);
  return {
    target,
    targetName: known?.name ?? target,
    kind: 'database',
    impact: known?.impact ?? 'medium',
    owner: {
      pid: partial.pid ?? 4242,
      thisProcess: partial.ownedByThisProcess ?? false,
      label: partial.ownedByThisProcess ? 'this process' : `keyfob pid ${partial.pid ?? 4242}`,
    },
    leaseId: `database/creds/orders-ro/${partial.id}`,
    issuedAt: new Date(now).toISOString(),
    remainingSeconds: Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000)),
    renewable: true,
    state: 'active',
    pid: 4242,
    ownedByThisProcess: false,
    lastError: null,
    ...partial,
    expiresAt,
  };
}

export const signedOut: SignInView = { signedIn: false, name: null, method: null, expiresAt: null };
export const signedIn = (now = T0): SignInView => ({
  signedIn: true,
  name: 'alice@example.com',
  method: 'vault-oidc',
  expiresAt: new Date(now + 8 * 3600_000).toISOString(),
});

export function stateFixture(partial: Partial<TrayState> = {}): TrayState {
  return {
    now: T0,
    signIn: signedOut,
    loginMethods: ['vault-oidc'],
    signingIn: false,
    sessions: [],
    targets: targetsFixture,
    held: new Set(),
    problem: null,
    warnBeforeSeconds: 300,
    ...partial,
  };
}

/** HH:MM as the tray prints it in this machine's time zone. */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
