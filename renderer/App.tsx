// The window: a header with the sign-in, a tab list of screens, and the current screen. The
// tray opens it at a screen (window.show events); the countdown clock ticks only while visible.
import { useEffect, useState } from 'react';
import type { ErrorView } from '../common/errors.ts';
import type { KeyfobApi, Screen } from '../common/ipc.ts';
import { SCREENS } from '../common/windowConstants.ts';
import { ErrorNote } from './components/ErrorNote.tsx';
import { formatClock } from './format.ts';
import { Activity } from './screens/Activity.tsx';
import { Exposure } from './screens/Exposure.tsx';
import { Sessions } from './screens/Sessions.tsx';
import { Settings } from './screens/Settings.tsx';
import { SignIn } from './screens/SignIn.tsx';
import { Targets } from './screens/Targets.tsx';
import { useKeyfob } from './state/useKeyfob.ts';
import { NowContext, useVisibleClock, type IntervalTimers } from './state/useNow.ts';

const TABS: { screen: Exclude<Screen, 'sign-in'>; label: string }[] = [
  { screen: 'sessions', label: 'Sessions' },
  { screen: 'targets', label: 'Targets' },
  { screen: 'exposure', label: 'Exposure' },
  { screen: 'activity', label: 'Activity' },
  { screen: 'settings', label: 'Settings' },
];
const NEEDS_SIGN_IN: ReadonlySet<Screen> = new Set(['sessions', 'targets', 'exposure', 'sign-in']);

export function screenFromHash(hash: string): Screen {
  const name = hash.replace(/^#\/?/, '');
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : 'sessions';
}

export function App({
  api,
  initialScreen = 'sessions',
  clock,
}: {
  api: KeyfobApi | null;
  initialScreen?: Screen;
  clock?: { now: () => number; timers: IntervalTimers };
}) {
  if (!api) {
    return (
      <main className="app">
        <h1>Keyfob</h1>
        <ErrorNote error={{ code: 'internal', message: 'This page is not connected to Keyfob.' }} />
      </main>
    );
  }
  return <Connected api={api} initialScreen={initialScreen} clock={clock} />;
}

function Connected({ api, initialScreen, clock }: { api: KeyfobApi; initialScreen: Screen; clock: { now: () => number; timers: IntervalTimers } | undefined }) {
  const state = useKeyfob(api);
  const now = useVisibleClock(1000, clock?.now, clock?.timers);
  const [screen, setScreen] = useState<Screen>(initialScreen);
  useEffect(() => api.on['window.show'](setScreen), [api]);

  const signedIn = state.signIn?.signedIn === true;
  const shown: Screen = !signedIn && NEEDS_SIGN_IN.has(screen) ? 'sign-in' : screen === 'sign-in' ? 'sessions' : screen;

  const [logoutError, setLogoutError] = useState<ErrorView | null>(null);
  const signOut = async () => {
    const result = await api.signIn.logout();
    if (!result.ok) setLogoutError(result.error);
  };

  return (
    <NowContext.Provider value={now}>
      <div className="app">
        <header className="topbar">
          <h1>Keyfob</h1>
          <div className="identity" aria-live="polite">
            {state.loading ? (
              <span>Loading…</span>
            ) : signedIn ? (
              <>
                <span>
                  Signed in as <strong>{state.signIn?.name ?? 'you'}</strong>
                  {state.signIn?.expiresAt ? ` · until ${formatClock(state.signIn.expiresAt)}` : ''}
                </span>
                <button type="button" onClick={() => void signOut()}>
                  Sign out
                </button>
              </>
            ) : (
              <span>Not signed in</span>
            )}
          </div>
        </header>
        <nav aria-label="Screens" className="tabs">
          {TABS.map((tab) => (
            <button
              key={tab.screen}
              type="button"
              aria-current={screen === tab.screen || (screen === 'sign-in' && tab.screen === 'sessions') ? 'page' : undefined}
              onClick={() => setScreen(tab.screen)}
            >
              {tab.label}
              {tab.screen === 'sessions' && state.sessions.length > 0 && <span className="count"> ({state.sessions.length})</span>}
            </button>
          ))}
        </nav>
        <main className="content">
          {state.error && <ErrorNote error={state.error} />}
          {logoutError && <ErrorNote error={logoutError} onDismiss={() => setLogoutError(null)} />}
          {state.loading ? (
            <p className="empty">Loading…</p>
          ) : shown === 'sign-in' ? (
            <SignIn api={api} methods={state.info?.methods ?? []} />
          ) : shown === 'targets' ? (
            <Targets api={api} targets={state.targets} capabilities={state.info?.capabilities ?? { terminal: false, clipboard: false }} />
          ) : shown === 'exposure' ? (
            <Exposure api={api} revision={state.revision} />
          ) : shown === 'activity' ? (
            <Activity api={api} targets={state.targets} revision={state.revision} />
          ) : shown === 'settings' ? (
            <Settings api={api} preferences={state.preferences} />
          ) : (
            <Sessions api={api} sessions={state.sessions} targets={state.targets} warnBeforeSeconds={state.preferences?.warnBeforeSeconds ?? 300} />
          )}
        </main>
      </div>
    </NowContext.Provider>
  );
}
