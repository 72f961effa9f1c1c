// Builds the status and targets views (common/views.ts) from the journal, the keychain and the config.
import type { StatusView, TargetView } from '../../../common/views.ts';
import { describePendingRevocations, pendingRevocations, remainingSeconds, type JournalEntry } from '../sessions/index.ts';
import type { Engine } from './engine.ts';
import { storedAwsSso } from './awsSsoSession.ts';
import { effectiveRules, isElevated } from '../policy/rules.ts';

export function targetViews(engine: Pick<Engine, 'config'>): TargetView[] {
  return engine.config.targets.map((t) => {
    const rules = effectiveRules(engine.config, t);
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
      elevated: isElevated(engine.config, t),
    };
  });
}

export async function statusView(engine: Engine): Promise<{ view: StatusView; pendingNote: string | undefined }> {
  const now = engine.clock.now();
  const token = engine.signIn();
  const entries: JournalEntry[] = await engine.journal.list();
  const expiresAt = token?.expiresAt ? Date.parse(token.expiresAt) : null;
  const sso = engine.config.auth.awsSso ? await storedAwsSso(engine.store, engine.config.auth.awsSso, now) : undefined;
  const view: StatusView = {
    config: engine.configPath,
    vault: { address: engine.config.vault.address },
    identity: {
      signedIn: token !== null,
      name: token?.displayName ?? null,
      method: token?.method ?? null,
      tokenExpiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      tokenRemainingSeconds: expiresAt === null ? null : Math.max(0, Math.floor((expiresAt - now) / 1000)),
      renewable: token?.renewable ?? null,
    },
    awsSso: sso === undefined ? null : { signedIn: sso !== null, expiresAt: sso ? new Date(sso.expiresAt).toISOString() : null },
    keychain: { kind: engine.store.kind, note: engine.store.kind === 'memory' ? `tokens are kept in memory only: ${engine.store.reason}` : null },
    sessions: entries
      .filter((e) => e.expiresAt > now || e.state === 'revoke-failed')
      .map((e) => ({
        id: e.sessionId,
        target: e.targetId,
        kind: e.kind,
        leaseId: e.leaseId ?? null,
        issuedAt: new Date(e.issuedAt).toISOString(),
        expiresAt: new Date(e.expiresAt).toISOString(),
        remainingSeconds: remainingSeconds(e, now),
        renewable: e.renewable ?? false,
        state: e.state,
        pid: e.pid,
        ownedByThisProcess: e.pid === process.pid,
        lastError: e.lastError ?? null,
      })),
    pendingRevocations: pendingRevocations(entries).length,
  };
  return { view, pendingNote: describePendingRevocations(entries) };
}
