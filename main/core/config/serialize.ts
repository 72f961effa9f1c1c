// Config → YAML text (the stack writes config.yaml with it). The input is validated first, so
// nothing can write a file that loadConfig would then refuse; durations are written as text.
import { stringify } from 'yaml';
import { formatDuration } from '../duration.ts';
import { ConfigError } from './errors.ts';
import { configSchema, type KeyfobConfig, type KeyfobConfigInput } from './schema.ts';

const durationKeys = new Set(['timeout', 'warnBefore', 'renewBefore', 'ttl', 'maxTtl']);

export function serializeConfig(config: KeyfobConfigInput | KeyfobConfig): string {
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path
      .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
      .join('')
      .replace(/^\./, '');
    throw new ConfigError('CONFIG_INVALID', '(serializeConfig)', `cannot write config: ${field}: ${issue.message}`, field);
  }
  const readable = { ...parsed.data, targets: parsed.data.targets.map(inReadingOrder) };
  return `# Keyfob org config (docs/config.md)\n${stringify(withDurationText(readable), { lineWidth: 0 })}`;
}

const targetKeyOrder = ['id', 'name', 'kind', 'impact', 'grants', 'scope', 'ttl', 'maxTtl', 'requireReason', 'requireOnCall'];

/** id, name and kind first, the kind's section last: the order an admin reads a target in. */
function inReadingOrder(target: KeyfobConfig['targets'][number]): Record<string, unknown> {
  const entries = Object.entries(target);
  const rank = (key: string) => (targetKeyOrder.includes(key) ? targetKeyOrder.indexOf(key) : targetKeyOrder.length);
  return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b)));
}

function withDurationText(value: unknown, key?: string): unknown {
  if (typeof value === 'number' && key !== undefined && durationKeys.has(key)) return formatDuration(value);
  if (Array.isArray(value)) return value.map((item) => withDurationText(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withDurationText(v, k)]),
    );
  }
  return value;
}
