// Engine events the window shows, forwarded as the contract's events. Sign-in changes of every
// kind (in, out, renewed) become one `signIn.changed` with the current state.
import type { EventName, EventPayload } from '../../../common/ipc.ts';
import type { Disposable, WindowEngine } from './windowEngine.ts';

export type SendEvent = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export function forwardEngineEvents(engine: WindowEngine, send: SendEvent): Disposable {
  const signInChanged = () => send('signIn.changed', engine.signIn());
  const subscriptions = [
    engine.onDidSignIn(signInChanged),
    engine.onDidSignOut(signInChanged),
    engine.onDidRenewSignIn(signInChanged),
    engine.onDidAddSession((s) => send('session.added', s)),
    engine.onDidUpdateSession((s) => send('session.updated', s)),
    engine.onDidEndSession(({ session, reason }) => send('session.ended', { session, reason })),
  ];
  return { dispose: () => subscriptions.forEach((s) => s.dispose()) };
}
