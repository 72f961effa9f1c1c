// The audit log, newest first, filtered by target, action and time. Reloads when sessions change.
import { useEffect, useId, useState } from 'react';
import type { ErrorView } from '../../common/errors.ts';
import type { ActivityEntry, ActivityFilter, KeyfobApi } from '../../common/ipc.ts';
import { AUDIT_ACTIONS_VIEW } from '../../common/windowConstants.ts';
import type { TargetView } from '../../common/views.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatDateTime } from '../format.ts';

const SINCE: { label: string; hours: number | undefined }[] = [
  { label: 'Last hour', hours: 1 },
  { label: 'Last 24 hours', hours: 24 },
  { label: 'Last 7 days', hours: 24 * 7 },
  { label: 'Everything kept', hours: undefined },
];

export function Activity({ api, targets, revision }: { api: KeyfobApi; targets: TargetView[]; revision: number }) {
  const id = useId();
  const [targetId, setTargetId] = useState('');
  const [action, setAction] = useState('');
  const [since, setSince] = useState('1');
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);

  useEffect(() => {
    let live = true;
    const hours = SINCE[Number(since)]?.hours;
    const filter: ActivityFilter = {
      ...(targetId ? { targetId } : {}),
      ...(action ? { action: action as ActivityFilter['action'] } : {}),
      ...(hours ? { sinceHours: hours } : {}),
    };
    void api.activity.list(filter).then((result) => {
      if (!live) return;
      if (result.ok) {
        setEntries(result.value);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      live = false;
    };
  }, [api, targetId, action, since, revision]);

  const names = new Map(targets.map((t) => [t.id, t.name]));
  return (
    <section className="screen" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      <form className="filters" aria-label="Filter activity" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor={`${id}-target`}>Target</label>
        <select id={`${id}-target`} value={targetId} onChange={(e) => setTargetId(e.target.value)}>
          <option value="">All targets</option>
          {targets.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-action`}>Action</label>
        <select id={`${id}-action`} value={action} onChange={(e) => setAction(e.target.value)}>
          <option value="">All actions</option>
          {AUDIT_ACTIONS_VIEW.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-since`}>Time</label>
        <select id={`${id}-since`} value={since} onChange={(e) => setSince(e.target.value)}>
          {SINCE.map((s, i) => (
            <option key={s.label} value={String(i)}>
              {s.label}
            </option>
          ))}
        </select>
      </form>
      {error && <ErrorNote error={error} />}
      {entries === null && !error && <p className="empty">Loading the audit log…</p>}
      {entries !== null && entries.length === 0 && <p className="empty">Nothing in the audit log matches these filters.</p>}
      {entries !== null && entries.length > 0 && (
        <table className="activity">
          <caption className="visually-hidden">Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Who</th>
              <th scope="col">Reason or detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={`${e.time}-${e.sessionId}-${e.action}-${i}`}>
                <td className="digits">{formatDateTime(e.time)}</td>
                <td>
                  <span className={`action action-${e.action}`}>{e.action}</span>
                </td>
                <td>{names.get(e.target) ?? e.target}</td>
                <td>{e.user}</td>
                <td>{e.reason ?? e.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
