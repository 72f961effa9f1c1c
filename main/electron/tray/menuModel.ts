// The tray menu as data: a pure function of what the engine says, so every state can be tested
// without Electron and the labels stay the contract written in docs/tray.md. Clicks are actions
// (plain values); app.ts turns them into engine calls.
import { formatClockTime } from '../../core/sessions/session.ts';
import type { ErrorView, LoginMethod, SessionView, SignInView, TargetView } from '../ports.ts';
import { formatTimeLeft, secondsLeft } from './countdown.ts';
import { DOT, LABELS, LOGIN_METHOD_LABELS } from './labels.ts';

export type TrayAction =
  | { type: 'sign-in'; method: LoginMethod }
  | { type: 'cancel-sign-in' }
  | { type: 'sign-out' }
  | { type: 'extend'; sessionId: string }
  | { type: 'revoke'; sessionId: string }
  | { type: 'copy-session'; sessionId: string }
  | { type: 'revoke-all' }
  | { type: 'open-terminal'; targetId: string }
  | { type: 'copy-target'; targetId: string }
  | { type: 'copy-static'; targetId: string }
  | { type: 'open-window' }
  | { type: 'quit' };

export type MenuItemModel = { type: 'separator' } | { type: 'item'; label: string; enabled: boolean; action?: TrayAction; submenu?: MenuItemModel[] };

export interface TrayState {
  now: number;
  signIn: SignInView;
  /** The configured methods, the default first. */
  loginMethods: LoginMethod[];
  signingIn: boolean;
  sessions: SessionView[];
  targets: TargetView[];
  /** Ids of sessions whose credential this app holds in memory (it issued them for a copy). */
  held: ReadonlySet<string>;
  /** The last problem the engine reported, until something succeeds again. */
  problem: ErrorView | null;
  /** The config's warnBefore: a session this close to its end shows as expiring. */
  warnBeforeSeconds: number;
}

const separator: MenuItemModel = { type: 'separator' };
const item = (label: string, action?: TrayAction, enabled = true): MenuItemModel => ({ type: 'item', label, enabled, ...(action ? { action } : {}) });
const info = (label: string): MenuItemModel => ({ type: 'item', label, enabled: false });
const submenu = (label: string, items: MenuItemModel[]): MenuItemModel => ({ type: 'item', label, enabled: true, submenu: items });

export function buildTrayMenu(state: TrayState): MenuItemModel[] {
  const menu: MenuItemModel[] = [info(identityLine(state.signIn))];
  if (state.problem) menu.push(info(`Problem: ${state.problem.message}`));
  menu.push(...signInItems(state), separator);

  const live = sortedSessions(state.sessions);
  for (const session of live) menu.push(sessionItem(session, state));
  menu.push(item(LABELS.revokeAll, { type: 'revoke-all' }, live.some(canRevoke)), separator);

  for (const target of state.targets) menu.push(targetItem(target));
  if (state.targets.length > 0) menu.push(separator);

  menu.push(item(LABELS.openKeyfob, { type: 'open-window' }), item(LABELS.quit, { type: 'quit' }));
  return menu;
}

export function identityLine(signIn: SignInView): string {
  if (!signIn.signedIn) return LABELS.notSignedIn;
  const who = `Signed in as ${signIn.name ?? 'unknown user'}`;
  return signIn.expiresAt ? `${who}${DOT}until ${formatClockTime(Date.parse(signIn.expiresAt))}` : who;
}

function signInItems(state: TrayState): MenuItemModel[] {
  if (state.signingIn) return [info(LABELS.signingIn), item(LABELS.cancelSignIn, { type: 'cancel-sign-in' })];
  if (state.signIn.signedIn) return [item(LABELS.signOut, { type: 'sign-out' })];
  const [only, ...others] = state.loginMethods;
  if (!only) return [info(LABELS.signIn)];
  if (others.length === 0) return [item(LABELS.signIn, { type: 'sign-in', method: only })];
  return [
    submenu(
      LABELS.signIn,
      state.loginMethods.map((method) => item(LOGIN_METHOD_LABELS[method], { type: 'sign-in', method })),
    ),
  ];
}

/** Soonest expiry first: the top of the list is what needs attention. */
export function sortedSessions(sessions: readonly SessionView[]): SessionView[] {
  return [...sessions].sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt) || a.id.localeCompare(b.id));
}

const canRevoke = (s: SessionView) => s.state !== 'revoking';

export function targetName(session: SessionView, targets: readonly TargetView[]): string {
  return session.targetName || (targets.find((t) => t.id === session.target)?.name ?? session.target);
}

export function sessionLabel(session: SessionView, state: Pick<TrayState, 'now' | 'targets'>): string {
  const name = targetName(session, state.targets);
  if (session.state === 'revoking') return `${name}${DOT}revoking…`;
  if (session.state === 'revoke-failed') return `${name}${DOT}revoke failed`;
  return `${name}${DOT}${formatTimeLeft(secondsLeft(Date.parse(session.expiresAt), state.now))} left`;
}

export function ownerLabel(session: SessionView): string {
  return session.owner.thisProcess ? 'Keyfob (this app)' : session.owner.label;
}

function sessionItem(session: SessionView, state: TrayState): MenuItemModel {
  const items: MenuItemModel[] = [info(`Owner: ${ownerLabel(session)}`)];
  if (session.state === 'revoke-failed' && session.lastError) items.push(info(session.lastError));
  const ending = session.state === 'revoking';
  items.push(item(LABELS.extend, { type: 'extend', sessionId: session.id }, session.renewable && !ending && session.state !== 'revoke-failed'));
  items.push(item(LABELS.revoke, { type: 'revoke', sessionId: session.id }, !ending));
  if (state.held.has(session.id) && !ending && session.kind !== 'ssh') {
    items.push(item(session.kind === 'database' ? LABELS.copyConnectionString : LABELS.copyCredentials, { type: 'copy-session', sessionId: session.id }));
  }
  return submenu(sessionLabel(session, state), items);
}

export function targetLabel(target: TargetView): string {
  return target.impact === 'high' ? `${target.name}${DOT}high impact` : target.name;
}

function targetItem(target: TargetView): MenuItemModel {
  // A static secret is copied, never issued: no session, so no terminal to open.
  if (target.kind === 'static') return submenu(targetLabel(target), [item(LABELS.copySecret, { type: 'copy-static', targetId: target.id })]);
  const items: MenuItemModel[] = [item(LABELS.openInTerminal, { type: 'open-terminal', targetId: target.id })];
  if (target.kind === 'database') items.push(item(LABELS.copyConnectionString, { type: 'copy-target', targetId: target.id }));
  if (target.kind === 'aws') items.push(item(LABELS.copyCredentials, { type: 'copy-target', targetId: target.id }));
  return submenu(targetLabel(target), items);
}
