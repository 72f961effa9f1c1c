// Durations as Vault and Go write them: "90", "90s", "5m30s", "1h", "1.5h".
const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Parses a duration into whole seconds; a bare number is seconds. Returns undefined if malformed. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.floor(input) : undefined;
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (text === '') return undefined;
  let total = 0;
  part.lastIndex = 0;
  while (part.lastIndex < text.length) {
    const start = part.lastIndex;
    const m = part.exec(text);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
  }
  return Math.floor(total);
}

/** Go's time.Duration.String() for whole seconds, without zero units ("1h", "5m30s", "0s"). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec ? `${sec}s` : ''}`;
}
