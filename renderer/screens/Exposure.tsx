// What someone holding this laptop right now would have: every live credential, by impact and
// time left (this app's and the terminals' alike).
import type { SessionView, TargetView } from '../../common/views.ts';
import { ImpactBadge } from '../components/ImpactBadge.tsx';
import { formatDuration } from '../format.ts';
import { useNow } from '../state/useNow.ts';
import { remainingAt } from './Sessions.tsx';

const ORDER: TargetView['impact'][] = ['high', 'medium', 'low'];

export function Exposure({ sessions, targets }: { sessions: SessionView[]; targets: TargetView[] }) {
  const now = useNow();
  const byId = new Map(targets.map((t) => [t.id, t]));
  const live = sessions.filter((s) => remainingAt(s, now) > 0 && s.state !== 'revoking');
  const impactOf = (s: SessionView) => byId.get(s.target)?.impact ?? 'high';
  return (
    <section className="screen" aria-labelledby="exposure-title">
      <h2 id="exposure-title">Exposure</h2>
      {live.length === 0 ? (
        <p className="empty">If this laptop were taken now, it would hold nothing: no credential is out.</p>
      ) : (
        <>
          <p>If this laptop were taken now, whoever has it would hold:</p>
          {ORDER.filter((impact) => live.some((s) => impactOf(s) === impact)).map((impact) => (
            <section key={impact} aria-label={`${impact} impact`}>
              <ul className="exposure">
                {live
                  .filter((s) => impactOf(s) === impact)
                  .sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt))
                  .map((s) => {
                    const t = byId.get(s.target);
                    return (
                      <li key={s.id}>
                        <ImpactBadge impact={impact} /> <strong>{t?.grants ?? s.target}</strong> on {t?.scope ?? 'an unknown scope'} for{' '}
                        <span className="digits">{formatDuration(remainingAt(s, now))}</span> more
                      </li>
                    );
                  })}
              </ul>
            </section>
          ))}
        </>
      )}
    </section>
  );
}
