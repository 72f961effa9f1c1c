// keyfob:// links: the exact shape or a refusal with a reason; round trips both ways.
import { describe, expect, it } from 'vitest';
import { DEEP_LINK_MAX_LENGTH, findDeepLinkArgument, makeDeepLink, parseDeepLink, type DeepLink, type DeepLinkErrorReason } from '../../common/deepLinks.ts';

const targets = [
  { id: 'orders-ro', maxTtlSeconds: 3600 },
  { id: 'orders-admin', maxTtlSeconds: 1800 },
];

describe('parseDeepLink', () => {
  it.each<[string, DeepLink]>([
    ['keyfob://connect/orders-ro', { action: 'connect', targetId: 'orders-ro' }],
    ['keyfob://connect/orders-ro?ttl=15m', { action: 'connect', targetId: 'orders-ro', ttlSeconds: 900 }],
    ['keyfob://connect/orders-ro?ttl=900', { action: 'connect', targetId: 'orders-ro', ttlSeconds: 900 }],
    ['keyfob://connect/orders-ro?ttl=1h', { action: 'connect', targetId: 'orders-ro', ttlSeconds: 3600 }],
    ['keyfob://connect/orders-admin?ttl=29m30s', { action: 'connect', targetId: 'orders-admin', ttlSeconds: 1770 }],
    ['KEYFOB://connect/orders-ro', { action: 'connect', targetId: 'orders-ro' }],
  ])('accepts %s', (raw, link) => {
    expect(parseDeepLink(raw, targets)).toEqual({ status: 'success', link });
  });

  it.each<[string, unknown, DeepLinkErrorReason]>([
    ['not text', 42, 'malformed-url'],
    ['10 kB', `keyfob://connect/orders-ro?ttl=${'1'.repeat(10_000)}`, 'too-long'],
    ['one over the limit', `keyfob://connect/${'a'.repeat(DEEP_LINK_MAX_LENGTH)}`, 'too-long'],
    ['whitespace', 'keyfob://connect/orders-ro ', 'malformed-url'],
    ['a newline', 'keyfob://connect/orders-ro\n', 'malformed-url'],
    ['a control character', 'keyfob://connect/orders\u0007ro', 'malformed-url'],
    ['non-ASCII', 'keyfob://connect/ordérs', 'malformed-url'],
    ['another scheme', 'https://connect/orders-ro', 'unknown-protocol'],
    ['a look-alike scheme', 'keyfobx://connect/orders-ro', 'unknown-protocol'],
    ['no scheme', 'connect/orders-ro', 'unknown-protocol'],
    ['another action', 'keyfob://revoke/orders-ro', 'unsupported-url'],
    ['no slashes', 'keyfob:connect/orders-ro', 'unsupported-url'],
    ['an extra part', 'keyfob://connect/orders-ro/extra', 'unsupported-url'],
    ['a trailing slash', 'keyfob://connect/orders-ro/', 'unsupported-url'],
    ['..', 'keyfob://connect/..', 'unsupported-url'],
    ['.. then a target', 'keyfob://connect/../orders-ro', 'unsupported-url'],
    ['escaped ..', 'keyfob://connect/%2e%2e/orders-ro', 'unsupported-url'],
    ['an escaped id', 'keyfob://connect/orders%2Dro', 'unsupported-url'],
    ['user info', 'keyfob://me@connect/orders-ro', 'unsupported-url'],
    ['a port', 'keyfob://connect:443/orders-ro', 'unsupported-url'],
    ['a fragment', 'keyfob://connect/orders-ro#x', 'unsupported-url'],
    ['an empty target', 'keyfob://connect/', 'unsupported-url'],
    ['an upper-case id', 'keyfob://connect/Orders-ro', 'unsupported-url'],
    ['another parameter', 'keyfob://connect/orders-ro?reason=x', 'unsupported-url'],
    ['a second parameter', 'keyfob://connect/orders-ro?ttl=5m&reason=x', 'unsupported-url'],
    ['ttl twice', 'keyfob://connect/orders-ro?ttl=5m&ttl=1h', 'unsupported-url'],
    ['an empty query', 'keyfob://connect/orders-ro?', 'unsupported-url'],
    ['an unknown target', 'keyfob://connect/payroll', 'unknown-target'],
    ['an empty ttl', 'keyfob://connect/orders-ro?ttl=', 'invalid-ttl'],
    ['a negative ttl', 'keyfob://connect/orders-ro?ttl=-5m', 'invalid-ttl'],
    ['a fractional ttl', 'keyfob://connect/orders-ro?ttl=1.5h', 'invalid-ttl'],
    ['units out of order', 'keyfob://connect/orders-ro?ttl=5m1h', 'invalid-ttl'],
    ['days', 'keyfob://connect/orders-ro?ttl=1d', 'invalid-ttl'],
    ['a TTL above the max', 'keyfob://connect/orders-admin?ttl=31m', 'ttl-out-of-bounds'],
    ['a TTL far above the max', 'keyfob://connect/orders-ro?ttl=999h', 'ttl-out-of-bounds'],
    ['a zero TTL', 'keyfob://connect/orders-ro?ttl=0s', 'ttl-out-of-bounds'],
  ])('refuses %s', (_name, raw, reason) => {
    const result = parseDeepLink(raw, targets);
    expect(result).toMatchObject({ status: 'error', reason });
    if (result.status === 'error') {
      expect(result.message.length).toBeLessThan(200);
      expect(result.message).not.toMatch(/\p{Cc}/u);
    }
  });

  it('round-trips: make → parse gives the link back, parse → make gives the canonical text', () => {
    const links: DeepLink[] = [
      { action: 'connect', targetId: 'orders-ro' },
      { action: 'connect', targetId: 'orders-ro', ttlSeconds: 1 },
      { action: 'connect', targetId: 'orders-ro', ttlSeconds: 3599 },
      { action: 'connect', targetId: 'orders-admin', ttlSeconds: 1800 },
    ];
    for (const link of links) expect(parseDeepLink(makeDeepLink(link), targets)).toEqual({ status: 'success', link });
    for (const raw of ['keyfob://connect/orders-ro?ttl=15m', 'keyfob://connect/orders-ro?ttl=59m3s', 'keyfob://connect/orders-admin']) {
      const parsed = parseDeepLink(raw, targets);
      expect(parsed.status === 'success' && makeDeepLink(parsed.link)).toBe(raw);
    }
  });

  it('finds the link among the arguments Chromium passes to a second instance', () => {
    expect(findDeepLinkArgument(['/opt/Keyfob/keyfob', '--no-sandbox', 'keyfob://connect/orders-ro', '--flag'])).toBe('keyfob://connect/orders-ro');
    expect(findDeepLinkArgument(['/opt/Keyfob/keyfob', '--keyfob=connect'])).toBeUndefined();
    expect(findDeepLinkArgument(['/opt/Keyfob/keyfob'])).toBeUndefined();
  });
});
