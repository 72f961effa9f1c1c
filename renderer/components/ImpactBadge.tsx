import type { TargetView } from '../../common/views.ts';

const LABEL: Record<TargetView['impact'], string> = { low: 'Low impact', medium: 'Medium impact', high: 'High impact' };

export function ImpactBadge({ impact }: { impact: TargetView['impact'] }) {
  return <span className={`badge impact-${impact}`}>{LABEL[impact]}</span>;
}
