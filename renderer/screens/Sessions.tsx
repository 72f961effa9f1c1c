// Every live session, this app's and the terminals', with a countdown ring, Extend (saying what
// Vault allowed), Revoke and Revoke all.
import { useState } from 'react';
import type { ErrorView } from '../../common/errors.ts';
import type { KeyfobApi } from '../../common/ipc.ts';
import type { SessionView, TargetView } from '../../common/views.ts';
import { CountdownRing } from '../components/CountdownRing.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ImpactBadge } from '../components/ImpactBadge.tsx';
import { formatClock } from '../format.ts';
import { useNow } from '../state/useNow.ts';

export function remainingAt(session: SessionView, now: number): number {
  return Math.max(0, Math.floor((Date.parse(session.expiresAt) - now) / 1000));
}

export function Sessions({
  api,
  sessions,
  targets,
  warnBeforeSeconds,
}: {
  api: KeyfobApi;
  sessions: SessionView[];
  targets: TargetView[];
  warnBeforeSeconds: number;
}) {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const byId = new Map(targets.map((t) => [t.id, t]));
  const sorted = [...sessions].sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));

  const report = (text: string | null, err: ErrorView | null) => {
    setMessage(text);
    setError(err);
  };
  const revokeAll = async () => {
    setConfirmAll(false);
    const result = await api.sessions.revokeAll();
    if (!result.ok) return report(null, result.error);
    const { revoked, failed } = result.value;
    report(
      failed.length
        ? `Revoked ${revoked.length}; ${failed.length} could not be revoked yet and stay listed.`
        : `Revoked ${revoked.length} session${revoked.length === 1 ? '' : 's'}.`,
      null,
    );
  };

  return (
    <section className="screen" aria-labelledby="sessions-title">
      <div className="screen-head">
        <h2 id="sessions-title">Active sessions</h2>
        {sessions.length > 0 &&
          (confirmAll ? (
            <span className="confirm">
              <button type="button" className="danger" onClick={() => void revokeAll()}>
                Revoke all {sessions.length} now
              </button>
              <button type="button" onClick={() => setConfirmAll(false)}>
                Keep them
              </button>
            </span>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirmAll(true)}>
              Revoke all
            </button>
          ))}
      </div>
      <div className="status-line" role="status" aria-live="polite">
        {message}
      </div>
      {error && <ErrorNote error={error} onDismiss={() => setError(null)} />}
      {sorted.length === 0 ? (
        <p className="empty">No sessions are open. Request one from Targets; sessions started in a terminal show here too.</p>
      ) : (
        <ul className="cards">
          {sorted.map((s) => (
            <li key={s.id}>
              <SessionCard api={api} session={s} target={byId.get(s.target)} warnBeforeSeconds={warnBeforeSeconds} report={report} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function SessionCard({
  api,
  session,
  target,
  warnBeforeSeconds,
  report,
}: {
  api: KeyfobApi;
  session: SessionView;
  target: TargetView | undefined;
  warnBeforeSeconds: number;
  report: (text: string | null, err: ErrorView | null) => void;
}) {
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const remaining = remainingAt(session, now);
  const total = Math.max(1, (Date.parse(session.expiresAt) - Date.parse(session.issuedAt)) / 1000);
  const expiring = session.state === 'expiring' || remaining <= warnBeforeSeconds;
  const name = target?.name ?? session.target;
  const owner = session.ownedByThisProcess ? 'Keyfob (this app)' : `a terminal (process ${session.pid})`;

  const extend = async () => {
    setBusy(true);
    const result = await api.sessions.renew({ sessionId: session.id });
    setBusy(false);
    if (!result.ok) return report(null, result.error);
    report(result.value.cap ? `${name}: ${result.value.cap.message}.` : `${name} extended, ends ${formatClock(result.value.session.expiresAt)}.`, null);
  };
  const revoke = async () => {
    setBusy(true);
    const result = await api.sessions.revoke({ sessionId: session.id });
    setBusy(false);
    if (!result.ok) return report(null, result.error);
    report(`${name} revoked.`, null);
  };

  return (
    <article className={`card session${expiring ? ' expiring' : ''}`} aria-label={`${name}, ${expiring ? 'expiring soon' : 'active'}`}>
      <CountdownRing remaining={remaining} total={total} expiring={expiring} />
      <div className="session-body">
        <header className="card-head">
          <h3>{name}</h3>
          {target && <ImpactBadge impact={target.impact} />}
        </header>
        <p className="meta">
          {session.state === 'revoke-failed' ? (
            <strong>Revocation failed; Keyfob retries. {session.lastError}</strong>
          ) : session.state === 'revoking' ? (
            'Revoking…'
          ) : expiring ? (
            <strong className="expiring-text">Expiring soon, ends {formatClock(session.expiresAt)}</strong>
          ) : (
            `Ends ${formatClock(session.expiresAt)}`
          )}
          {' · '}held by {owner}
        </p>
        <div className="actions">
          {session.renewable && (
            <button type="button" disabled={busy} onClick={() => void extend()} aria-label={`Extend ${name}`}>
              Extend
            </button>
          )}
          <button type="button" className="danger" disabled={busy} onClick={() => void revoke()} aria-label={`Revoke ${name}`}>
            Revoke
          </button>
        </div>
      </div>
    </article>
  );
}
