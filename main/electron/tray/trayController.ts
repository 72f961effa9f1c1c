// The running tray: keeps the icon, tooltip and menu in step with the engine, turns menu clicks,
// notification actions, power events and deep links into engine calls, and says what happened.
// All the words and layout come from the pure modules (menuModel, trayStatus, notices); this
// class only wires them to the engine and to Electron's ports.
import { join } from 'node:path';
import { deepLinkReasonTitle, parseDeepLink } from '../../../common/deepLinks.ts';
import { impactsRevokedOnSleepLock } from '../../../common/preferences.ts';
import type { Target } from '../../core/config/index.ts';
import type { Clock, TimerHandle } from '../../core/base/clock.ts';
import { DisposableStore } from '../../core/base/events.ts';
import type { ElectronPorts, EndReason, ErrorView, Impact, RecoveryView, SessionView, TrayEngine, TrayHandle } from '../ports.ts';
import { findTerminal, terminalLaunch } from '../terminal/findTerminal.ts';
import type { LaunchTerminal } from '../terminal/launchTerminal.ts';
import { cliCommand, terminalSessionArgv } from '../terminal/sessionCommand.ts';
import { ClipboardCopier } from './clipboardCopy.ts';
import { nextRefreshAt, secondsLeft } from './countdown.ts';
import { toErrorView } from './errors.ts';
import { LABELS } from './labels.ts';
import { buildTrayMenu, targetName, type TrayAction, type TrayState } from './menuModel.ts';
import { toMenuTemplate } from './menuTemplate.ts';
import { endNotice, plainText, powerNotice, problemNotice, recoveryNotice, warningNotice, type Notice } from './notices.ts';
import type { PreferenceStore } from './preferences.ts';
import { QuitSequence } from './quit.ts';
import { iconFileName, iconState, titleText, tooltipText, type IconState } from './trayStatus.ts';

export interface TrayControllerDeps {
  electron: ElectronPorts;
  engine: TrayEngine;
  preferences: PreferenceStore;
  openWindow: () => void;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  execPath: string;
  iconDir: string;
  launchTerminal: LaunchTerminal;
  onPath: (name: string) => boolean;
  quitDeadlineMs: number;
}

export class TrayController {
  readonly #deps: TrayControllerDeps;
  readonly #engine: TrayEngine;
  readonly #tray: TrayHandle;
  readonly #copier: ClipboardCopier;
  readonly #subscriptions = new DisposableStore();
  readonly #inFlight = new Set<Promise<void>>();
  /** Credentials this app issued for a copy, by session id: main-process memory only. */
  readonly #held = new Map<string, string>();
  /** Sessions the user ended from this tray: their end needs no notice. */
  readonly #endedHere = new Set<string>();
  /** Sessions already warned about, keyed by id and expiry (an extension re-arms the warning). */
  readonly #warned = new Set<string>();
  #powerBatch: EndReason | undefined;
  #signingIn: AbortController | undefined;
  #problem: ErrorView | null = null;
  #icon: IconState | undefined;
  #timer: TimerHandle | undefined;
  readonly quit: QuitSequence;

  constructor(deps: TrayControllerDeps) {
    this.#deps = deps;
    this.#engine = deps.engine;
    this.#copier = new ClipboardCopier(deps.electron.clipboard, deps.clock);
    this.#tray = deps.electron.createTray(this.#iconPath('signed-out'));
    this.#icon = 'signed-out';
    this.quit = new QuitSequence({
      app: deps.electron.app,
      clock: deps.clock,
      deadlineMs: deps.quitDeadlineMs,
      revokeOwned: (ms) => this.#engine.revokeAll('quit', { owner: 'this-process' }, ms),
      cleanup: () => this.#shutdown(),
    });
    this.#listen();
    this.render();
    if (deps.engine.recovery) this.#recovered(deps.engine.recovery);
  }

  state(): TrayState {
    const { engine } = this;
    const auth = engine.config.auth;
    const configured = (['vault-oidc', 'oidc', 'aws-sso'] as const).filter(
      (m) => auth[({ 'vault-oidc': 'vaultOidc', oidc: 'oidc', 'aws-sso': 'awsSso' } as const)[m]],
    );
    return {
      now: this.#deps.clock.now(),
      signIn: engine.signIn(),
      loginMethods: [auth.default, ...configured.filter((m) => m !== auth.default)],
      signingIn: this.#signingIn !== undefined,
      sessions: engine.sessions(),
      targets: engine.targets(),
      held: new Set(this.#held.keys()),
      problem: this.#problem,
      warnBeforeSeconds: this.#warnLead(),
    };
  }

  get engine(): TrayEngine {
    return this.#engine;
  }

  /** Redraws menu, tooltip, title and icon from the engine's state, and arms the next redraw. */
  render(): void {
    const state = this.state();
    const { electron } = this.#deps;
    this.#tray.setContextMenu(electron.buildMenu(toMenuTemplate(buildTrayMenu(state), (action) => this.dispatch(action))));
    this.#tray.setToolTip(tooltipText(state));
    if (electron.platform === 'darwin') this.#tray.setTitle(titleText(state), { fontType: 'monospacedDigit' });
    const icon = iconState(state);
    if (icon !== this.#icon) this.#tray.setImage(this.#iconPath(icon));
    this.#icon = icon;
    this.#warnExpiring(state.sessions, state.now);
    this.#arm(state);
  }

  /** Runs a menu action; failures become the tray's problem and a notification. */
  dispatch(action: TrayAction): void {
    this.#track(this.#run(action));
  }

  /** Resolves when every action started so far has finished (tests, quit). */
  async whenIdle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** A keyfob:// link from open-url, a second instance or the first launch's arguments. */
  handleDeepLink(raw: unknown): Promise<void> {
    const work = (async () => {
      const targets = this.#engine.targets().map((t) => ({ id: t.id, maxTtlSeconds: t.maxTtlSeconds }));
      const result = parseDeepLink(raw, targets);
      if (result.status === 'error') {
        this.#notify({ title: deepLinkReasonTitle(result.reason), body: `${result.message} Nothing was opened.` });
        return;
      }
      const { targetId, ttlSeconds } = result.link;
      const target = this.#target(targetId);
      if (target.impact === 'high' && !(await this.#confirmHighImpact(target, ttlSeconds))) return;
      await this.#openTerminal(target, ttlSeconds ? { ttlSeconds } : {});
    })().catch((error: unknown) => {
      this.#problem = toErrorView(error);
      this.#notify(problemNotice(this.#problem));
      this.render();
    });
    this.#track(work);
    return work;
  }

  async #run(action: TrayAction): Promise<void> {
    try {
      await this.#perform(action);
      if (action.type !== 'quit' && action.type !== 'open-window' && action.type !== 'cancel-sign-in') this.#problem = null;
    } catch (error) {
      const view = toErrorView(error);
      if (view.code !== 'sign-in-cancelled') {
        this.#problem = view;
        this.#notify(problemNotice(view));
      }
    } finally {
      this.render();
    }
  }

  async #perform(action: TrayAction): Promise<void> {
    const engine = this.#engine;
    switch (action.type) {
      case 'sign-in': {
        const controller = new AbortController();
        this.#signingIn = controller;
        this.render();
        try {
          await engine.login(action.method, { signal: controller.signal });
        } finally {
          if (this.#signingIn === controller) this.#signingIn = undefined;
        }
        return;
      }
      case 'cancel-sign-in':
        this.#signingIn?.abort();
        this.#signingIn = undefined;
        return;
      case 'sign-out':
        for (const s of engine.sessions()) this.#endedHere.add(s.id);
        await engine.logout();
        return;
      case 'extend': {
        const { cap } = await engine.renew(action.sessionId);
        if (cap) this.#notify({ title: 'Extended, up to its limit', body: plainText(cap.message) });
        return;
      }
      case 'revoke':
        this.#endedHere.add(action.sessionId);
        await engine.revoke(action.sessionId, 'revoked');
        return;
      case 'revoke-all':
        for (const s of engine.sessions()) this.#endedHere.add(s.id);
        await engine.revokeAll('revoked', { owner: 'any' });
        return;
      case 'copy-session': {
        const text = this.#held.get(action.sessionId);
        if (text !== undefined) await this.#copier.copy(text, this.#deps.preferences.get().clipboardClearSeconds);
        return;
      }
      case 'copy-target':
        return this.#copyTarget(this.#target(action.targetId));
      case 'copy-static':
        // The engine reads the secret from Vault KV; the tray's copier clears it like any copy.
        await engine.copyStatic(action.targetId, {
          read: () => this.#deps.electron.clipboard.readText(),
          write: (text) => this.#copier.copy(text, this.#deps.preferences.get().clipboardClearSeconds),
        });
        return;
      case 'open-terminal':
        return this.#openTerminal(this.#target(action.targetId), {});
      case 'open-window':
        this.#deps.openWindow();
        return;
      case 'quit':
        // Electron's quit fires before-quit, where the quit sequence takes over.
        this.#deps.electron.app.quit();
        return;
      default:
        action satisfies never;
    }
  }

  #target(id: string): Target {
    const target = this.#engine.config.targets.find((t) => t.id === id);
    if (!target) throw Object.assign(new Error(`There is no target "${id}" in your Keyfob config.`), { code: 'unknown-target' });
    return target;
  }

  /**
   * `Open in terminal` for the window (its host service): the same launcher as the menu, with the
   * reason the window asked for. The session is the terminal's `keyfob exec`'s, so there is none
   * to return yet: it arrives through the journal like any other.
   */
  async openInTerminal(targetId: string, options: { ttlSeconds?: number; reason?: string }): Promise<null> {
    await this.#openTerminal(this.#target(targetId), options);
    return null;
  }

  /** The clipboard with the timed clear, for the window's Copy (its host service). */
  copyToClipboard(text: string): Promise<void> {
    return this.#copier.copy(text, this.#deps.preferences.get().clipboardClearSeconds);
  }

  /** A reason cannot be typed into a menu: targets that need one go through the window. */
  #needsReason(target: Target, reason?: string): boolean {
    if (!target.requireReason || reason !== undefined) return false;
    this.#notify({ title: `${target.name} needs a reason`, body: 'Give one in the Keyfob window, or run keyfob exec with --reason in a terminal.' });
    this.#deps.openWindow();
    return true;
  }

  async #openTerminal(target: Target, options: { ttlSeconds?: number; reason?: string }): Promise<void> {
    if (this.#needsReason(target, options.reason)) return;
    const { electron, env } = this.#deps;
    const terminal = findTerminal({ platform: electron.platform, env, preference: this.#deps.preferences.get().terminal, onPath: this.#deps.onPath });
    if (!terminal) {
      throw Object.assign(new Error('No terminal found: set one in Preferences or in KEYFOB_TERMINAL (e.g. "kitty" or "gnome-terminal --").'), {
        code: 'usage',
      });
    }
    const argv = terminalSessionArgv({
      cli: cliCommand({ env, execPath: this.#deps.execPath, packaged: electron.app.isPackaged }),
      configPath: this.#engine.configPath,
      target,
      ...(options.ttlSeconds ? { ttlSeconds: options.ttlSeconds } : {}),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      env,
      platform: electron.platform,
    });
    try {
      await this.#deps.launchTerminal(terminalLaunch(terminal, argv), env);
    } catch (error) {
      throw Object.assign(new Error(plainText(error instanceof Error ? error.message : String(error))), { code: 'usage' });
    }
  }

  async #copyTarget(target: Target): Promise<void> {
    if (this.#needsReason(target)) return;
    const issued = await this.#engine.issue(target.id);
    const { connectionUri, awsKeys } = issued.credential;
    const text = target.kind === 'database' ? connectionUri : awsKeys ? awsExportLines(awsKeys) : undefined;
    if (text === undefined) return;
    this.#held.set(issued.session.id, text);
    const seconds = this.#deps.preferences.get().clipboardClearSeconds;
    await this.#copier.copy(text, seconds);
    this.#notify({ title: `Copied: ${target.name}`, body: `A session was opened for it; the clipboard is cleared in ${seconds} s.` });
  }

  async #confirmHighImpact(target: Target, ttlSeconds: number | undefined): Promise<boolean> {
    const { response } = await this.#deps.electron.dialog.showMessageBox({
      type: 'warning',
      buttons: [LABELS.openInTerminal, 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      title: 'Keyfob',
      message: `Open a session to ${target.name}?`,
      detail: `A link asked Keyfob to open ${target.name}, a high-impact target (${target.scope})${ttlSeconds ? ` for ${Math.round(ttlSeconds / 60)} min` : ''}. Continue only if you clicked that link yourself.`,
    });
    return response === 0;
  }

  async #revokeForPower(reason: 'sleep' | 'lock', impacts: readonly Impact[]): Promise<void> {
    if (impacts.length === 0) return;
    this.#powerBatch = reason;
    // The summary below speaks for them: another process's session may be reported ended later,
    // through the journal watch, as plainly "revoked", after this batch is over.
    for (const s of this.#engine.sessions()) if (impacts.includes(s.impact)) this.#endedHere.add(s.id);
    try {
      const { revoked, failed } = await this.#engine.revokeAll(reason, { owner: 'any', impacts: [...impacts] });
      const notice = powerNotice(reason, impacts, revoked.length, failed.length);
      if (notice) this.#notify(notice);
    } catch (error) {
      this.#problem = toErrorView(error);
      this.#notify(problemNotice(this.#problem));
    } finally {
      this.#powerBatch = undefined;
      this.render();
    }
  }

  #listen(): void {
    const engine = this.#engine;
    const rerender = () => this.render();
    const subs = this.#subscriptions;
    subs.add(engine.onDidSignIn(() => ((this.#problem = null), rerender())));
    subs.add(engine.onDidSignOut(rerender));
    subs.add(engine.onDidRenewSignIn(rerender));
    subs.add(engine.onDidAddSession(rerender));
    subs.add(engine.onDidUpdateSession(rerender));
    subs.add(engine.onDidWarnExpiring(rerender));
    subs.add(engine.onDidEndSession(({ session, reason }) => this.#sessionEnded(session, reason)));
    subs.add(engine.onDidRecover((recovery) => this.#recovered(recovery)));
    subs.add(
      engine.onDidReportProblem((problem) => {
        this.#problem = { code: problem.code, message: plainText(problem.message) };
        this.#notify(problemNotice(this.#problem));
        rerender();
      }),
    );
    const { powerMonitor } = this.#deps.electron;
    const revokedImpacts = () => impactsRevokedOnSleepLock(this.#deps.preferences.get().revokeOnSleepLock);
    powerMonitor.on('suspend', () => this.#track(this.#revokeForPower('sleep', revokedImpacts())));
    powerMonitor.on('lock-screen', () => this.#track(this.#revokeForPower('lock', revokedImpacts())));
    // Timers stall during sleep: recompute everything from the clock (the engine ends what expired).
    powerMonitor.on('resume', rerender);
    powerMonitor.on('unlock-screen', rerender);
    powerMonitor.on('shutdown', () => void this.quit.run());
  }

  #sessionEnded(session: SessionView, reason: EndReason): void {
    this.#held.delete(session.id);
    const chosenHere = this.#endedHere.delete(session.id);
    if (!chosenHere && reason !== this.#powerBatch) {
      const notice = endNotice(targetName(session, this.#engine.targets()), reason);
      if (notice) this.#notify(notice);
    }
    this.render();
  }

  /** Crash recovery (at start, or after a sign-in) revoked what a dead keyfob process left. */
  #recovered(recovery: RecoveryView): void {
    const notice = recoveryNotice(
      recovery.revoked.map((s) => targetName(s, this.#engine.targets())),
      recovery.failed.length,
    );
    if (notice) this.#notify(notice);
    for (const problem of recovery.problems) this.#notify(problemNotice({ code: problem.code, message: plainText(problem.message) }));
    this.render();
  }

  #warnLead(): number {
    return this.#deps.preferences.get().warnBeforeSeconds;
  }

  #warnExpiring(sessions: readonly SessionView[], now: number): void {
    const lead = this.#warnLead();
    for (const session of sessions) {
      if (session.state !== 'active' && session.state !== 'expiring') continue;
      const left = secondsLeft(Date.parse(session.expiresAt), now);
      const key = `${session.id}@${session.expiresAt}`;
      if (left === 0 || left > lead || this.#warned.has(key)) continue;
      this.#warned.add(key);
      const actions: TrayAction[] = [
        ...(session.renewable ? [{ type: 'extend', sessionId: session.id } as const] : []),
        { type: 'revoke', sessionId: session.id },
      ];
      this.#notify(warningNotice(targetName(session, this.#engine.targets()), left, session.renewable), {
        actions: actions.map((a) => (a.type === 'extend' ? LABELS.extend : LABELS.revoke)),
        onAction: (index) => {
          const chosen = actions[index];
          if (chosen) this.dispatch(chosen);
        },
        // Where the OS has no notification buttons, a click opens the window on the session.
        onClick: () => this.#deps.openWindow(),
      });
    }
  }

  /** One timer: the next instant a label changes or a warning is due. */
  #arm(state: TrayState): void {
    if (this.#timer !== undefined) this.#deps.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    const live = state.sessions.filter((s) => s.state === 'active' || s.state === 'expiring');
    const expiries = live.map((s) => Date.parse(s.expiresAt));
    const lead = this.#warnLead() * 1000;
    const warnings = live
      .filter((s) => !this.#warned.has(`${s.id}@${s.expiresAt}`))
      .map((s) => Date.parse(s.expiresAt) - lead)
      .filter((at) => at > state.now);
    const next = [nextRefreshAt(expiries, state.now), ...warnings].filter((at): at is number => at !== null).sort((a, b) => a - b)[0];
    if (next !== undefined) this.#timer = this.#deps.clock.setTimer(() => this.render(), next - state.now);
  }

  #notify(notice: Notice, options: { actions?: string[]; onAction?: (index: number) => void; onClick?: () => void } = {}): void {
    const { electron } = this.#deps;
    if (!electron.notificationsSupported()) return;
    const notification = electron.createNotification({
      title: plainText(notice.title, 120),
      body: plainText(notice.body),
      ...(options.actions ? { actions: options.actions.map((text) => ({ type: 'button' as const, text })) } : {}),
    });
    if (options.onAction) notification.on('action', (_event, index) => options.onAction!(index));
    if (options.onClick) notification.on('click', options.onClick);
    notification.show();
  }

  #iconPath(state: IconState): string {
    return join(this.#deps.iconDir, iconFileName(state, this.#deps.electron.platform));
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => {}).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** Stops listening and drawing; the engine closes last. Part of quitting, and of tests. */
  async #shutdown(): Promise<void> {
    await this.#copier.clearIfUnchanged();
    this.#subscriptions.dispose();
    if (this.#timer !== undefined) this.#deps.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#held.clear();
    this.#tray.destroy();
    await this.#engine.dispose();
  }

  /** For tests and phase-2 wiring: stop without exiting the process. */
  dispose(): Promise<void> {
    return this.#shutdown();
  }
}

/** AWS keys as the shell lines a user pastes (`Copy credentials`). */
export function awsExportLines(keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): string {
  return [
    `export AWS_ACCESS_KEY_ID=${keys.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${keys.secretAccessKey}`,
    ...(keys.sessionToken ? [`export AWS_SESSION_TOKEN=${keys.sessionToken}`] : []),
  ].join('\n');
}
