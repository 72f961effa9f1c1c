// Targets grouped by kind, each with its blast radius shown before anything is requested, and a
// request form: TTL capped at the max, a reason where the org asks for one, on call when required.
import { useId, useState, type FormEvent } from 'react';
import type { ErrorView } from '../../common/errors.ts';
import type { AppInfo, KeyfobApi } from '../../common/ipc.ts';
import type { TargetView } from '../../common/views.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ImpactBadge } from '../components/ImpactBadge.tsx';
import { formatDuration } from '../format.ts';

const GROUPS: { kind: TargetView['kind']; title: string }[] = [
  { kind: 'database', title: 'Databases' },
  { kind: 'ssh', title: 'SSH' },
  { kind: 'aws', title: 'AWS' },
];

export function Targets({ api, targets, capabilities }: { api: KeyfobApi; targets: TargetView[]; capabilities: AppInfo['capabilities'] }) {
  if (targets.length === 0) {
    return (
      <section className="screen" aria-labelledby="targets-title">
        <h2 id="targets-title">Targets</h2>
        <p className="empty">The org config lists no targets. Ask your admin which ones you should have.</p>
      </section>
    );
  }
  return (
    <section className="screen" aria-labelledby="targets-title">
      <h2 id="targets-title">Targets</h2>
      {GROUPS.filter((g) => targets.some((t) => t.kind === g.kind)).map((group) => (
        <section key={group.kind} aria-labelledby={`group-${group.kind}`}>
          <h3 id={`group-${group.kind}`}>{group.title}</h3>
          <ul className="cards">
            {targets
              .filter((t) => t.kind === group.kind)
              .map((t) => (
                <li key={t.id}>
                  <TargetCard api={api} target={t} capabilities={capabilities} />
                </li>
              ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

function TargetCard({ api, target, capabilities }: { api: KeyfobApi; target: TargetView; capabilities: AppInfo['capabilities'] }) {
  const formId = useId();
  const maxMinutes = Math.max(1, Math.floor(target.maxTtlSeconds / 60));
  const [minutes, setMinutes] = useState(String(Math.min(maxMinutes, Math.max(1, Math.round(target.ttlSeconds / 60)))));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const copyLabel = target.kind === 'database' ? 'Copy connection string' : target.kind === 'aws' ? 'Copy credentials' : null;

  const request = async (deliver: 'copy' | 'terminal', event?: FormEvent) => {
    event?.preventDefault();
    const ttl = Number(minutes);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > maxMinutes) {
      setError({ code: 'usage', message: `Pick a time between 1 and ${maxMinutes} minutes (the most this target allows).` });
      return;
    }
    if (target.requireReason && reason.trim() === '') {
      setError({ code: 'guard-rail', message: `${target.name} needs a reason before Keyfob asks Vault.` });
      return;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    const result = await api.sessions.issue({ targetId: target.id, ttlSeconds: ttl * 60, deliver, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    setDone(
      result.value.copied
        ? `Copied the ${result.value.copied} for ${target.name}. The clipboard clears in ${result.value.clearsInSeconds ?? 30} s.`
        : `Opened a terminal for ${target.name}. Closing it ends the session.`,
    );
    setReason('');
  };

  return (
    <article className={`card impact-border-${target.impact}`} aria-labelledby={`${formId}-name`}>
      <header className="card-head">
        <h4 id={`${formId}-name`}>{target.name}</h4>
        <ImpactBadge impact={target.impact} />
      </header>
      <dl className="facts">
        <dt>Grants</dt>
        <dd>{target.grants}</dd>
        <dt>Scope</dt>
        <dd>{target.scope}</dd>
        <dt>Time</dt>
        <dd>
          {formatDuration(target.ttlSeconds)} by default, at most {formatDuration(target.maxTtlSeconds)}
        </dd>
      </dl>
      {target.requireOnCall && <p className="note">Only while you are on call: Keyfob checks PagerDuty before it asks Vault.</p>}
      <form className="request" noValidate onSubmit={(e) => void request(capabilities.terminal ? 'terminal' : 'copy', e)} aria-label={`Request ${target.name}`}>
        <label htmlFor={`${formId}-ttl`}>Minutes (at most {maxMinutes})</label>
        <input id={`${formId}-ttl`} type="number" inputMode="numeric" min={1} max={maxMinutes} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
        {target.requireReason && (
          <>
            <label htmlFor={`${formId}-reason`}>Reason or ticket (required)</label>
            <input
              id={`${formId}-reason`}
              type="text"
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required
              aria-required="true"
            />
          </>
        )}
        <div className="actions">
          {capabilities.terminal && (
            <button type="submit" className="primary" disabled={busy}>
              Open in terminal
            </button>
          )}
          {copyLabel && capabilities.clipboard && (
            <button type="button" disabled={busy} onClick={() => void request('copy')}>
              {copyLabel}
            </button>
          )}
        </div>
      </form>
      <div className="status-line" role="status" aria-live="polite">
        {busy ? 'Asking Vault…' : done}
      </div>
      {error && <ErrorNote error={error} onDismiss={() => setError(null)} />}
    </article>
  );
}
