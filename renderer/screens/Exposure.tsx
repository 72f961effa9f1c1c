// What someone holding this laptop right now would have: every live credential, by impact and
// time left (this app's and the terminals' alike), and the Vault sign-in that could ask for more.
// The engine's exposure view (common/exposure.ts), the same as `keyfob exposure --json`.
import { useEffect, useState } from 'react';
import type { ErrorView } from '../../common/errors.ts';
import type { ExposedSession, ExposureView } from '../../common/exposure.ts';
import type { KeyfobApi } from '../../common/ipc.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ImpactBadge } from '../components/ImpactBadge.tsx';
import { formatClock, formatDuration } from '../format.ts';
import { useNow } from '../state/useNow.ts';

/** Seconds left now: the view is fetched once per change, the countdown ticks with the window's clock. */
const leftAt = (s: Pick<ExposedSession, 'expiresAt'>, now: number) => Math.max(0, Math.floor((Date.parse(s.expiresAt) - now) / 1000));

export function Exposure({ api, revision }: { api: KeyfobApi; revision: number }) {
  const now = useNow();
  const [view, setView] = useState<ExposureView | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);

  useEffect(() => {
    let live = true;
    void api.exposure.get().then((result) => {
      if (!live) return;
      if (result.ok) {
        setView(result.value);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      live = false;
    };
  }, [api, revision]);

  const groups = (view?.groups ?? [])
    .map((g) => ({ impact: g.impact, sessions: g.sessions.filter((s) => leftAt(s, now) > 0 && s.state !== 'revoking') }))
    .filter((g) => g.sessions.length > 0);
  const signIn = view?.signIn ?? null;
  return (
    <section className="screen" aria-labelledby="exposure-title">
      <h2 id="exposure-title">Exposure</h2>
      {error && <ErrorNote error={error} />}
      {view === null && !error && <p className="empty">Loading…</p>}
      {view !== null &&
        (groups.length === 0 ? (
          <p className="empty">If this laptop were taken now, it would hold nothing: no credential is out.</p>
        ) : (
          <>
            <p>If this laptop were taken now, whoever has it would hold:</p>
            {groups.map((g) => (
              <section key={g.impact} aria-label={`${g.impact} impact`}>
                <ul className="exposure">
                  {g.sessions.map((s) => (
                    <li key={s.sessionId}>
                      <ImpactBadge impact={g.impact} /> <strong>{s.grants}</strong> on {s.scope} for{' '}
                      <span className="digits">{formatDuration(leftAt(s, now))}</span> more
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </>
        ))}
      {signIn && (
        <p>
          The Vault sign-in{signIn.identity ? ` (${signIn.identity})` : ''}
          {signIn.expiresAt ? `, until ${formatClock(signIn.expiresAt)},` : ''} can ask for {signIn.canRequest.length} target
          {signIn.canRequest.length === 1 ? '' : 's'}
          {signIn.impact ? `, up to ${signIn.impact} impact` : ''}.
        </p>
      )}
    </section>
  );
}
