// Sign in with one of the config's methods. The browser step runs elsewhere, so the screen
// says so, offers Cancel, and turns failures into what to do next.
import { useState } from 'react';
import type { ErrorView } from '../../common/errors.ts';
import type { KeyfobApi } from '../../common/ipc.ts';
import type { LoginMethod } from '../../common/views.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { METHOD_LABELS } from '../format.ts';

export function SignIn({ api, methods }: { api: KeyfobApi; methods: LoginMethod[] }) {
  const [pending, setPending] = useState<LoginMethod | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);

  const signIn = async (method: LoginMethod) => {
    setError(null);
    setPending(method);
    const result = await api.signIn.login({ method });
    setPending(null);
    if (!result.ok) setError(result.error);
  };

  return (
    <section aria-labelledby="sign-in-title" className="screen">
      <h2 id="sign-in-title">Sign in</h2>
      <p>Sign in once with your organisation&rsquo;s SSO; Keyfob then asks Vault for short-lived credentials when you need them.</p>
      {methods.length === 0 && <p className="note">The org config offers no sign-in method. Ask your admin for a config with an auth section.</p>}
      <div className="stack">
        {methods.map((method) => (
          <button key={method} type="button" className="primary" disabled={pending !== null} onClick={() => void signIn(method)}>
            {METHOD_LABELS[method] ?? method}
          </button>
        ))}
      </div>
      <div className="status-line" role="status" aria-live="polite">
        {pending && (
          <span>
            <span className="spinner" aria-hidden="true" /> Finish signing in in your browser&hellip;{' '}
            <button type="button" className="link" onClick={() => void api.signIn.cancel()}>
              Cancel
            </button>
          </span>
        )}
      </div>
      {error && <ErrorNote error={error} onDismiss={() => setError(null)} />}
    </section>
  );
}
