// Plain-text tables and times for the terminal.
import { formatDuration } from '../core/duration.ts';
import { formatClockTime } from '../core/sessions/index.ts';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function clockAndLeft(expiresAtIso: string, remainingSeconds: number): string {
  return `${formatClockTime(Date.parse(expiresAtIso))} (in ${formatDuration(remainingSeconds)})`;
}

export { formatDuration };
