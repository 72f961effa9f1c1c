// Live exposure (design.md journey 8): every live session of this state dir (whichever keyfob
// process holds it) with what it grants and its time left, grouped by impact, worst first, plus
// the Vault sign-in that could ask for more. Built from the journal, the config and the token.
import type { ExposedSession, ExposedSignIn, ExposureView } from '../../../common/exposure.ts';
import type { KeyfobConfig } from '../config/index.ts';
import type { StoredVaultToken } from '../keychain/index.ts';
import { remainingSeconds, type JournalEntry } from '../sessions/index.ts';
import { byImpact, IMPACT_ORDER } from './rules.ts';

export interface ExposureDeps {
  config: KeyfobConfig;
  journal: { list(): Promise<JournalEntry[]> };
  signIn: () => StoredVaultToken | null;
  /** The token's policies (Vault lookup-self); may fail when Vault is unreachable. */
  policies: () => Promise<string[]>;
  now: () => number;
  pid?: number;
}

export async function exposureView(deps: ExposureDeps): Promise<ExposureView> {
  const now = deps.now();
  const pid = deps.pid ?? process.pid;
  const targets = new Map(deps.config.targets.map((t) => [t.id, t]));
  const live = (await deps.journal.list()).filter((e) => e.expiresAt > now || e.state === 'revoke-failed');
  const sessions: ExposedSession[] = live.map((e) => {
    const t = targets.get(e.targetId);
    return {
      sessionId: e.sessionId,
      target: e.targetId,
      // A target no longer in the config is still out there: count it as high until it ends.
      name: t?.name ?? e.targetId,
      kind: e.kind,
      impact: t?.impact ?? 'high',
      grants: t?.grants ?? 'unknown (the target is no longer in the config)',
      scope: t?.scope ?? 'unknown',
      expiresAt: new Date(e.expiresAt).toISOString(),
      remainingSeconds: remainingSeconds(e, now),
      state: e.state,
      pid: e.pid,
      ownedByThisProcess: e.pid === pid,
    };
  });
  const groups = IMPACT_ORDER.map((impact) => ({
    impact,
    sessions: sessions.filter((s) => s.impact === impact).sort((a, b) => b.remainingSeconds - a.remainingSeconds),
  })).filter((g) => g.sessions.length > 0);
  const signIn = await signInExposure(deps, now);
  return { generatedAt: new Date(now).toISOString(), summary: summarize(groups, signIn), groups, signIn };
}

async function signInExposure(deps: ExposureDeps, now: number): Promise<ExposedSignIn | null> {
  const token = deps.signIn();
  if (!token) return null;
  const expires = token.expiresAt ? Date.parse(token.expiresAt) : null;
  const policies = await deps.policies().catch(() => null);
  const canRequest = deps.config.targets
    .filter((t) => !(t.kind === 'aws' && t.aws.source === 'sso'))
    .map((t) => ({ target: t.id, impact: t.impact }))
    .sort((a, b) => byImpact(a.impact, b.impact));
  return {
    identity: token.displayName ?? null,
    method: token.method ?? null,
    expiresAt: expires === null ? null : new Date(expires).toISOString(),
    remainingSeconds: expires === null ? null : Math.max(0, Math.floor((expires - now) / 1000)),
    policies,
    canRequest,
    impact: canRequest[0]?.impact ?? null,
  };
}

/** "for 41 more minutes", "for 1 more minute", "for 30 more seconds". */
export function timeLeft(seconds: number): string {
  if (seconds < 60) return `for ${seconds} more second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `for ${minutes} more minute${minutes === 1 ? '' : 's'}`;
}

function summarize(groups: ExposureView['groups'], signIn: ExposedSignIn | null): string {
  const worst = groups[0];
  if (worst) {
    const items = worst.sessions.map((s) => `${s.name} ${timeLeft(s.remainingSeconds)}`).join(', ');
    const rest = groups.slice(1).map((g) => `${g.sessions.length} ${g.impact}`);
    return `${worst.impact}: ${items}${rest.length ? ` (and ${rest.join(', ')})` : ''}`;
  }
  if (signIn) {
    const until = signIn.remainingSeconds === null ? 'with no expiry' : timeLeft(signIn.remainingSeconds);
    return `no live credentials; the Vault sign-in can ask for ${signIn.impact ?? 'no'}-impact access ${until}`;
  }
  return 'nothing: no live credentials and no Vault sign-in';
}
