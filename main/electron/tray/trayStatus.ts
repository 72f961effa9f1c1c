// What the tray shows besides its menu: the icon state, the tooltip and (macOS) the title, all
// pure functions of the same state as the menu.
import { formatTimeLeft, secondsLeft } from './countdown.ts';
import { DOT, LABELS } from './labels.ts';
import { identityLine, sortedSessions, targetName, type TrayState } from './menuModel.ts';

export const ICON_STATES = ['signed-out', 'signed-in', 'sessions', 'expiring', 'error'] as const;
export type IconState = (typeof ICON_STATES)[number];

const counting = (state: TrayState) => sortedSessions(state.sessions).filter((s) => s.state === 'active' || s.state === 'expiring');

export function iconState(state: TrayState): IconState {
  if (state.problem || state.sessions.some((s) => s.state === 'revoke-failed')) return 'error';
  const live = counting(state);
  if (live.some((s) => s.state === 'expiring' || secondsLeft(Date.parse(s.expiresAt), state.now) <= state.warnBeforeSeconds)) return 'expiring';
  if (state.sessions.length > 0) return 'sessions';
  return state.signIn.signedIn ? 'signed-in' : 'signed-out';
}

/** "Keyfob · Orders (read-only) · 12m left (+1 more)", or the sign-in line; a problem adds a line. */
export function tooltipText(state: TrayState): string {
  const [soonest, ...others] = counting(state);
  const status = soonest
    ? `Keyfob${DOT}${targetName(soonest, state.targets)}${DOT}${timeLeft(soonest.expiresAt, state.now)} left${others.length ? ` (+${others.length} more)` : ''}`
    : `Keyfob${DOT}${state.signingIn ? LABELS.signingIn : identityLine(state.signIn)}`;
  return state.problem ? `${status}\nProblem: ${state.problem.message}` : status;
}

/** The macOS menu-bar title: the soonest time left, or nothing. */
export function titleText(state: TrayState): string {
  const [soonest] = counting(state);
  return soonest ? timeLeft(soonest.expiresAt, state.now) : '';
}

const timeLeft = (expiresAt: string, now: number) => formatTimeLeft(secondsLeft(Date.parse(expiresAt), now));

/** The icon file for a state: template images on macOS so the menu bar tints them. */
export function iconFileName(state: IconState, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
}
