// The tray's preferences. Never a secret: these are stored in plain preferences.
import { useId, useState, type FormEvent } from 'react';
import type { ErrorView } from '../../common/errors.ts';
import type { KeyfobApi, Preferences } from '../../common/ipc.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';

const REVOKE_CHOICES: { value: Preferences['revokeOnSleepLock']; label: string }[] = [
  { value: 'high', label: 'High-impact sessions' },
  { value: 'medium-and-high', label: 'Medium and high impact sessions' },
  { value: 'all', label: 'Every session' },
  { value: 'none', label: 'Nothing' },
];

export function Settings({ api, preferences }: { api: KeyfobApi; preferences: Preferences | null }) {
  if (!preferences) {
    return (
      <section className="screen" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <p className="empty">Keyfob could not read its preferences. Restart Keyfob; if this stays, the preferences file may be damaged.</p>
      </section>
    );
  }
  return <SettingsForm api={api} initial={preferences} />;
}

function SettingsForm({ api, initial }: { api: KeyfobApi; initial: Preferences }) {
  const id = useId();
  const [prefs, setPrefs] = useState(initial);
  const [warnMinutes, setWarnMinutes] = useState(String(Math.round(initial.warnBeforeSeconds / 60)));
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const warn = Number(warnMinutes);
    if (!Number.isInteger(warn) || warn < 1 || warn > 60) return setError({ code: 'usage', message: 'Warn between 1 and 60 minutes before a session ends.' });
    const clip = prefs.clipboardClearSeconds;
    if (!Number.isInteger(clip) || clip < 5 || clip > 600) return setError({ code: 'usage', message: 'Clear the clipboard after 5 to 600 seconds.' });
    const result = await api.settings.set({ ...prefs, warnBeforeSeconds: warn * 60, terminal: prefs.terminal?.trim() ? prefs.terminal.trim() : null });
    if (!result.ok) return setError(result.error);
    setError(null);
    setPrefs(result.value);
    setSaved('Saved.');
  };

  return (
    <section className="screen" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form className="settings" noValidate onSubmit={(e) => void save(e)}>
        <label htmlFor={`${id}-revoke`}>When the laptop sleeps or locks, revoke</label>
        <select
          id={`${id}-revoke`}
          value={prefs.revokeOnSleepLock}
          onChange={(e) => setPrefs({ ...prefs, revokeOnSleepLock: e.target.value as Preferences['revokeOnSleepLock'] })}
        >
          {REVOKE_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-warn`}>Warn this many minutes before a session ends</label>
        <input id={`${id}-warn`} type="number" min={1} max={60} value={warnMinutes} onChange={(e) => setWarnMinutes(e.target.value)} />
        <label htmlFor={`${id}-clip`}>Clear the clipboard after (seconds)</label>
        <input
          id={`${id}-clip`}
          type="number"
          min={5}
          max={600}
          value={prefs.clipboardClearSeconds}
          onChange={(e) => setPrefs({ ...prefs, clipboardClearSeconds: Number(e.target.value) })}
        />
        <label htmlFor={`${id}-terminal`}>Terminal command (empty: find one)</label>
        <input
          id={`${id}-terminal`}
          type="text"
          placeholder="e.g. kitty, or gnome-terminal --"
          value={prefs.terminal ?? ''}
          onChange={(e) => setPrefs({ ...prefs, terminal: e.target.value })}
        />
        <label className="check" htmlFor={`${id}-login`}>
          <input id={`${id}-login`} type="checkbox" checked={prefs.launchAtLogin} onChange={(e) => setPrefs({ ...prefs, launchAtLogin: e.target.checked })} />
          Start Keyfob when I log in
        </label>
        <div className="actions">
          <button type="submit" className="primary">
            Save settings
          </button>
        </div>
        <div className="status-line" role="status" aria-live="polite">
          {saved}
        </div>
      </form>
      {error && <ErrorNote error={error} onDismiss={() => setError(null)} />}
    </section>
  );
}
