// The window's use cases: each channel of common/ipc.ts mapped to one engine call (or a host
// service). Inputs arrive parsed; results are parsed again by dispatch on the way out.
import type { ActivityEntry } from '../../../common/ipc.ts';
import type { LoginMethod } from '../../../common/views.ts';
import { AUDIT_ACTIONS_VIEW } from '../../../common/ipc.ts';
import type { WindowHandlers } from './dispatch.ts';
import { copyCredential } from './copyCredential.ts';
import { WindowError } from './errorView.ts';
import type { WindowEngine, WindowHost } from './windowEngine.ts';

const sectionOf: Record<LoginMethod, 'vaultOidc' | 'oidc' | 'awsSso'> = { 'vault-oidc': 'vaultOidc', oidc: 'oidc', 'aws-sso': 'awsSso' };

export function availableMethods(auth: WindowEngine['config']['auth']): LoginMethod[] {
  const configured = (Object.keys(sectionOf) as LoginMethod[]).filter((m) => auth[sectionOf[m]] !== undefined);
  return [auth.default, ...configured.filter((m) => m !== auth.default)];
}

export function createWindowHandlers(engine: WindowEngine, host: WindowHost): WindowHandlers {
  let signingIn: AbortController | null = null;
  let clearClipboard: { dispose(): void } | null = null;

  return {
    'app.info': () => ({
      methods: availableMethods(engine.config.auth),
      capabilities: { terminal: host.openInTerminal !== undefined, clipboard: host.clipboard !== undefined },
    }),
    'signIn.state': () => engine.signIn(),
    'signIn.login': async ({ method }) => {
      signingIn?.abort();
      const controller = new AbortController();
      signingIn = controller;
      try {
        return await engine.login(method, { signal: controller.signal });
      } finally {
        if (signingIn === controller) signingIn = null;
      }
    },
    'signIn.cancel': () => {
      signingIn?.abort();
      signingIn = null;
      return null;
    },
    'signIn.logout': () => engine.logout(),
    'targets.list': () => engine.targets(),
    'sessions.list': () => engine.sessions(),
    'sessions.issue': async ({ targetId, ttlSeconds, reason, deliver }) => {
      const options = { ...(ttlSeconds === undefined ? {} : { ttlSeconds }), ...(reason === undefined ? {} : { reason }) };
      if (deliver === 'terminal') {
        if (!host.openInTerminal) throw new WindowError('usage', 'This Keyfob cannot open terminals; use Copy, or `keyfob exec` in a terminal.');
        return { session: await host.openInTerminal(targetId, options), copied: null, clearsInSeconds: null };
      }
      const clipboard = host.clipboard;
      if (!clipboard) throw new WindowError('usage', 'This Keyfob has no clipboard to copy to; use Open in terminal.');
      const target = engine.targets().find((t) => t.id === targetId);
      if (!target) throw new WindowError('unknown-target', `There is no target "${targetId.slice(0, 64)}" in the org config.`);
      if (target.kind === 'ssh')
        throw new WindowError('usage', 'SSH sessions have nothing to copy: the key stays in a per-session agent. Use Open in terminal.');
      const issued = await engine.issue(targetId, options);
      const seconds = host.preferences.get().clipboardClearSeconds;
      clearClipboard?.dispose();
      const copied = await copyCredential(target.kind, issued.credential, clipboard);
      clearClipboard = host.setTimeout(() => {
        // Only if it still holds our value: the user may have copied something else since.
        const clearIfOurs = (held: string) => void (held === copied.value && clipboard.writeText(''));
        const held = clipboard.readText();
        if (typeof held === 'string') clearIfOurs(held);
        else void held.then(clearIfOurs);
      }, seconds * 1000);
      return { session: issued.session, copied: copied.label, clearsInSeconds: seconds };
    },
    'sessions.renew': ({ sessionId, ttlSeconds }) => engine.renew(sessionId, ttlSeconds === undefined ? {} : { ttlSeconds }),
    'sessions.revoke': ({ sessionId }) => engine.revoke(sessionId, 'revoked'),
    'sessions.revokeAll': () => engine.revokeAll('revoked', { owner: 'any' }),
    'activity.list': async (filter) => {
      const since = filter.sinceHours === undefined ? -Infinity : (host.now ?? Date.now)() - filter.sinceHours * 3600_000;
      const entries = (await host.readActivity())
        .filter(
          (e) =>
            (filter.targetId === undefined || e.target === filter.targetId) &&
            (filter.action === undefined || e.action === filter.action) &&
            Date.parse(e.time) >= since,
        )
        .filter((e): e is typeof e & { action: ActivityEntry['action'] } => (AUDIT_ACTIONS_VIEW as readonly string[]).includes(e.action))
        .map((e) => ({
          time: e.time,
          user: e.user,
          target: e.target,
          action: e.action,
          reason: e.reason ?? null,
          sessionId: e.sessionId ?? null,
          detail: e.detail ?? null,
        }));
      return entries.reverse().slice(0, filter.limit ?? 200);
    },
    'exposure.get': () => engine.exposure(),
    'settings.get': () => host.preferences.get(),
    'settings.set': (patch) => host.preferences.set(patch),
  };
}
