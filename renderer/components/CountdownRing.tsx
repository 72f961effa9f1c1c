// A ring that empties as the session runs out, with the time left in fixed-width digits.
import { formatCountdown } from '../format.ts';

const R = 18;
const C = 2 * Math.PI * R;

export function CountdownRing({ remaining, total, expiring }: { remaining: number; total: number; expiring: boolean }) {
  const fraction = total > 0 ? Math.min(1, Math.max(0, remaining / total)) : 0;
  return (
    <div className={`countdown${expiring ? ' expiring' : ''}`}>
      <svg width="44" height="44" viewBox="0 0 44 44" aria-hidden="true" focusable="false">
        <circle className="ring-track" cx="22" cy="22" r={R} />
        <circle
          className="ring-fill"
          cx="22"
          cy="22"
          r={R}
          strokeDasharray={C.toFixed(2)}
          strokeDashoffset={(C * (1 - fraction)).toFixed(2)}
          transform="rotate(-90 22 22)"
        />
      </svg>
      <span className="countdown-text">{formatCountdown(remaining)}</span>
    </div>
  );
}
