// The window's state: loaded once through the bridge, then kept current by main's events
// (sessions added, updated, ended; sign-in changed). Screens read it; actions go to the bridge.
import { useCallback, useEffect, useState } from 'react';
import type { ErrorView } from '../../common/errors.ts';
import type { AppInfo, KeyfobApi, Preferences } from '../../common/ipc.ts';
import type { SessionView, SignInView, TargetView } from '../../common/views.ts';

export interface KeyfobState {
  loading: boolean;
  error: ErrorView | null;
  info: AppInfo | null;
  signIn: SignInView | null;
  targets: TargetView[];
  sessions: SessionView[];
  preferences: Preferences | null;
  /** Bumped on every session event, so Activity knows to reload. */
  revision: number;
}

const initial: KeyfobState = { loading: true, error: null, info: null, signIn: null, targets: [], sessions: [], preferences: null, revision: 0 };

export function useKeyfob(api: KeyfobApi): KeyfobState & { reload: () => Promise<void> } {
  const [state, setState] = useState<KeyfobState>(initial);

  const reload = useCallback(async () => {
    const [info, signIn, targets, sessions, preferences] = await Promise.all([
      api.app.info(),
      api.signIn.state(),
      api.targets.list(),
      api.sessions.list(),
      api.settings.get(),
    ]);
    const failed = [info, signIn, targets, sessions].find((r) => !r.ok);
    setState((s) => ({
      ...s,
      loading: false,
      error: failed && !failed.ok ? failed.error : null,
      info: info.ok ? info.value : s.info,
      signIn: signIn.ok ? signIn.value : s.signIn,
      targets: targets.ok ? targets.value : s.targets,
      sessions: sessions.ok ? sessions.value : s.sessions,
      preferences: preferences.ok ? preferences.value : s.preferences,
      revision: s.revision + 1,
    }));
  }, [api]);

  useEffect(() => {
    void reload();
    const upsert = (session: SessionView) =>
      setState((s) => {
        const others = s.sessions.filter((x) => x.id !== session.id);
        return { ...s, sessions: [...others, session], revision: s.revision + 1 };
      });
    const unsubscribes = [
      api.on['session.added'](upsert),
      api.on['session.updated'](upsert),
      api.on['session.ended'](({ session }) => setState((s) => ({ ...s, sessions: s.sessions.filter((x) => x.id !== session.id), revision: s.revision + 1 }))),
      api.on['signIn.changed']((signIn) => setState((s) => ({ ...s, signIn }))),
    ];
    return () => unsubscribes.forEach((u) => u());
  }, [api, reload]);

  return { ...state, reload };
}
