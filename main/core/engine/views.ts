// The one mapper from what core knows of a session (a journal entry of any process, or a
// session of this one) to the SessionView every face shows: status, events and IPC alike.
// Also the target, sign-in and status views (common/views.ts).
import type { SessionView, SignInView, StatusView, TargetView } from '../../../common/views.ts';
import type { KeyfobConfig, Target } from '../config/index.ts';
import type { StoredVaultToken } from '../keychain/index.ts';
import { effectiveRules, isElevated } from '../policy/rules.ts';
import { remainingSeconds, type JournalEntry, type Session } from '../sessions/index.ts';

export interface ViewContext {
  now: number;
  targets: readonly Target[];
  /** The pid of the process producing the view (this one unless a test says otherwise). */
  pid?: number;
}

export function toSessionView(session: JournalEntry | Session, ctx: ViewContext): SessionView {
  const journaled = 'sessionId' in session;
  const id = journaled ? session.sessionId : session.id;
  const target = ctx.targets.find((t) => t.id === session.targetId);
  const thisProcess = session.pid === (ctx.pid ?? process.pid);
  return {
    id,
    target: session.targetId,
    targetName: target?.name ?? session.targetId,
    kind: session.kind,
    impact: target?.impact ?? 'low',
    leaseId: session.leaseId ?? null,
    issuedAt: new Date(session.issuedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    remainingSeconds: remainingSeconds(session, ctx.now),
    renewable: session.renewable ?? false,
    // `ended` is the engine's own last state; the view keeps the state it ended from.
    state: session.state === 'ended' ? 'revoking' : session.state,
    pid: session.pid,
    ownedByThisProcess: thisProcess,
    owner: { pid: session.pid, thisProcess, label: thisProcess ? 'this process' : `keyfob pid ${session.pid}` },
    lastError: session.lastError ?? null,
  };
}

/** Sessions worth showing: not yet expired, or waiting for a retry of their revocation. */
export function isLive(entry: Pick<JournalEntry, 'expiresAt' | 'state'>, now: number): boolean {
  return entry.expiresAt > now || entry.state === 'revoke-failed';
}

/** A target with the rules that apply to it: its own flags joined with its impact's org rule (docs/policy.md). */
export function toTargetView(t: Target, config: Pick<KeyfobConfig, 'policy'>): TargetView {
  const rules = effectiveRules(config, t);
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    impact: t.impact,
    grants: t.grants,
    scope: t.scope,
    ttlSeconds: t.ttl,
    maxTtlSeconds: rules.maxTtl,
    requireReason: rules.requireReason,
    requireOnCall: rules.requireOnCall,
    requireConfirmation: rules.requireConfirmation,
    ticketPattern: rules.ticketPattern?.source ?? null,
    // A static secret has no session for a handoff to revoke.
    elevated: t.kind !== 'static' && isElevated(config, t),
    ...(t.kind === 'static' ? { rotationSeconds: t.static.rotation } : {}),
  };
}

export function targetViews(engine: { config: Pick<KeyfobConfig, 'targets' | 'policy'> }): TargetView[] {
  return engine.config.targets.map((t) => toTargetView(t, engine.config));
}

export function toSignInView(token: StoredVaultToken | null): SignInView {
  return {
    signedIn: token !== null,
    name: token?.displayName ?? null,
    method: token?.method ?? null,
    expiresAt: token?.expiresAt ? new Date(Date.parse(token.expiresAt)).toISOString() : null,
  };
}

export interface StatusInput {
  configPath: string;
  vaultAddress: string;
  token: StoredVaultToken | null;
  awsSso: { expiresAt: number } | null | undefined;
  keychain: StatusView['keychain'];
  entries: readonly JournalEntry[];
  ctx: ViewContext;
}

export function toStatusView(input: StatusInput): StatusView {
  const { token, ctx } = input;
  const expiresAt = token?.expiresAt ? Date.parse(token.expiresAt) : null;
  return {
    config: input.configPath,
    vault: { address: input.vaultAddress },
    identity: {
      signedIn: token !== null,
      name: token?.displayName ?? null,
      method: token?.method ?? null,
      tokenExpiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      tokenRemainingSeconds: expiresAt === null ? null : Math.max(0, Math.floor((expiresAt - ctx.now) / 1000)),
      renewable: token?.renewable ?? null,
    },
    awsSso:
      input.awsSso === undefined ? null : { signedIn: input.awsSso !== null, expiresAt: input.awsSso ? new Date(input.awsSso.expiresAt).toISOString() : null },
    keychain: input.keychain,
    sessions: input.entries.filter((e) => isLive(e, ctx.now)).map((e) => toSessionView(e, ctx)),
    pendingRevocations: input.entries.filter((e) => e.state === 'revoke-failed').length,
  };
}
