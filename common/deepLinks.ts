// keyfob:// links, the app's one protocol: `keyfob://connect/<target-id>[?ttl=<duration>]`.
// A link comes from anywhere (a web page, a chat message), so it is parsed strictly: the exact
// shape or nothing, known target ids only, a TTL within the target's bounds, a length limit, and
// no decoding of escapes (so `..` or `%2e%2e` can never become a path). Main parses once and
// acts on the parsed value, never on the raw string. Model: Teleport Connect's deepLinks.ts.
import { z } from 'zod';

export const DEEP_LINK_PROTOCOL = 'keyfob';
/** Generous for `connect/<63-char id>?ttl=…`; anything longer is refused before it is looked at. */
export const DEEP_LINK_MAX_LENGTH = 256;

export type DeepLink = { action: 'connect'; targetId: string; ttlSeconds?: number };

export type DeepLinkErrorReason =
  'too-long' | 'malformed-url' | 'unknown-protocol' | 'unsupported-url' | 'unknown-target' | 'invalid-ttl' | 'ttl-out-of-bounds';

export type DeepLinkResult = { status: 'success'; link: DeepLink } | { status: 'error'; reason: DeepLinkErrorReason; message: string };

/** What the parser needs to know about a target: its id and its largest TTL. */
export interface DeepLinkTarget {
  id: string;
  maxTtlSeconds: number;
}

// Same rule as a config target id (main/core/config/schema.ts).
const targetIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Whole units only, largest first ("90", "15m", "1h30m"): narrower than config durations on purpose.
const ttlPattern = /^(?:\d{1,6}|(?=\d)(?:(\d{1,3})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s)?)$/;

const linkPartsSchema = z.strictObject({
  targetId: z.string().regex(targetIdPattern),
  ttl: z.string().regex(ttlPattern).optional(),
});

const error = (reason: DeepLinkErrorReason, message: string): DeepLinkResult => ({ status: 'error', reason, message });

export function parseDeepLink(raw: unknown, targets: readonly DeepLinkTarget[]): DeepLinkResult {
  if (typeof raw !== 'string') return error('malformed-url', 'The link is not text.');
  if (raw.length > DEEP_LINK_MAX_LENGTH) return error('too-long', `The link is longer than ${DEEP_LINK_MAX_LENGTH} characters.`);
  // No whitespace, control or non-ASCII characters anywhere: a link that needs them is not ours.
  if (!/^[\x21-\x7e]+$/.test(raw)) return error('malformed-url', 'The link contains characters a Keyfob link never has.');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw);
  if (!scheme || scheme[1]!.toLowerCase() !== DEEP_LINK_PROTOCOL) return error('unknown-protocol', 'This is not a keyfob:// link.');

  const shape = /^\/\/connect\/([^/?#]*)(?:\?([^#]*))?$/.exec(raw.slice(scheme[0].length));
  if (!shape) return error('unsupported-url', 'Keyfob links look like keyfob://connect/<target>[?ttl=<duration>].');
  const params = shape[2] === undefined ? [] : shape[2].split('&');
  const ttlParams = params.filter((p) => p.startsWith('ttl='));
  if (params.length !== ttlParams.length || ttlParams.length > 1) return error('unsupported-url', 'The only parameter a Keyfob link may have is one ttl.');

  const parts = linkPartsSchema.safeParse({ targetId: shape[1], ...(ttlParams[0] !== undefined ? { ttl: ttlParams[0].slice('ttl='.length) } : {}) });
  if (!parts.success) {
    const bad = parts.error.issues[0]?.path[0];
    return bad === 'ttl'
      ? error('invalid-ttl', "The link's ttl is not a duration such as 900, 15m or 1h30m.")
      : error('unsupported-url', 'The link does not name a target the way Keyfob writes target ids.');
  }
  const { targetId, ttl } = parts.data;
  const target = targets.find((t) => t.id === targetId);
  if (!target) return error('unknown-target', `There is no target "${targetId}" in your Keyfob config.`);
  if (ttl === undefined) return { status: 'success', link: { action: 'connect', targetId } };
  const ttlSeconds = ttlToSeconds(ttl);
  if (ttlSeconds < 1 || ttlSeconds > target.maxTtlSeconds) {
    return error(
      'ttl-out-of-bounds',
      `The link asks for ${formatLinkTtl(ttlSeconds)}, outside ${targetId}'s limit of 1s to ${formatLinkTtl(target.maxTtlSeconds)}.`,
    );
  }
  return { status: 'success', link: { action: 'connect', targetId, ttlSeconds } };
}

export function makeDeepLink(link: DeepLink): string {
  const base = `${DEEP_LINK_PROTOCOL}://${link.action}/${link.targetId}`;
  return link.ttlSeconds === undefined ? base : `${base}?ttl=${formatLinkTtl(link.ttlSeconds)}`;
}

function ttlToSeconds(ttl: string): number {
  if (/^\d+$/.test(ttl)) return Number(ttl);
  const [, h = '0', m = '0', s = '0'] = ttlPattern.exec(ttl)!;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** "1h30m", "15m", "45s": the form makeDeepLink writes and parseDeepLink reads back. */
export function formatLinkTtl(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s % 60 ? `${s % 60}s` : ''}`;
  return text || '0s';
}

/**
 * The deep link among a process's arguments (Windows and Linux pass it as an argument; Chromium
 * may add flags around it). Only arguments that claim the scheme are returned, for parsing.
 */
export function findDeepLinkArgument(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.slice(0, DEEP_LINK_PROTOCOL.length + 1).toLowerCase() === `${DEEP_LINK_PROTOCOL}:`);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected deep link: ${JSON.stringify(value)}`);
}

/** Every reason has a word: a switch over the union ends in `satisfies never`. */
export function deepLinkReasonTitle(reason: DeepLinkErrorReason): string {
  switch (reason) {
    case 'too-long':
    case 'malformed-url':
    case 'unknown-protocol':
    case 'unsupported-url':
      return 'Keyfob refused a link it does not understand';
    case 'unknown-target':
      return 'Keyfob refused a link to an unknown target';
    case 'invalid-ttl':
    case 'ttl-out-of-bounds':
      return 'Keyfob refused a link with a bad ttl';
    default:
      reason satisfies never;
      return assertNever(reason);
  }
}
