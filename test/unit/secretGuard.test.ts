// The secret guard knows every token shape Keyfob handles, including the older and the AWS ones,
// and a reason that holds a secret is refused before anything is issued.
import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretKind, redactSecrets } from '../../main/core/base/secretGuard.ts';
import { checkAccess, type AccessDeps } from '../../main/core/policy/guardRails.ts';
import type { KeyfobConfig, Target } from '../../main/core/config/index.ts';
import { fakeSecretAccessKey, fakeSessionToken, opaqueToken } from '../stack/aws-sso/fake-credentials.ts';

const base62 = (n: number) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[randomInt(62)]).join('');
/** A secret access key as AWS makes them; both cases (what tells it from a hex digest). */
function secretAccessKey(): string {
  for (;;) {
    const key = fakeSecretAccessKey();
    if (/[A-Z]/.test(key) && /[a-z]/.test(key)) return key;
  }
}

describe('secret guard', () => {
  it.each([
    ['a legacy batch Vault token', () => `b.AAAAAQ${randomBytes(60).toString('base64url')}`, 'a Vault token'],
    ['a legacy recovery Vault token', () => `r.${base62(24)}`, 'a Vault token'],
    ['an AWS secret access key', secretAccessKey, 'an AWS secret key'],
    ['an AWS session token', fakeSessionToken, 'an AWS session token'],
    ['an older AWS session token', () => `FwoGZXIvYXdzE${randomBytes(200).toString('base64')}`, 'an AWS session token'],
    ['an Identity Center access token', () => opaqueToken('aoa'), 'an SSO bearer token'],
    ['an Identity Center refresh token', () => opaqueToken('aor'), 'an SSO bearer token'],
  ])('knows %s, alone or inside text, and redacts it', (_label, make, kind) => {
    const secret = make();
    expect(secretKind(secret)).toBe(kind);
    expect(secretKind(`TICKET-9 debugging with ${secret} here`)).toBe(kind);
    expect(redactSecrets(`got ${secret}.`)).not.toContain(secret.slice(0, 30));
  });

  it('leaves ids, lease ids and digests alone', () => {
    const plain = [
      `aws/creds/admin/${base62(24)}`, // a lease id of exactly 40 characters
      `database/creds/orders-ro/${base62(24)}`,
      randomBytes(20).toString('hex'), // a git commit or SHA-1
      randomBytes(20).toString('hex').toUpperCase(),
      'TICKET-123 rotate the orders replica',
      'ASIA is not a key',
      'about a bug in the broker',
    ];
    for (const text of plain) expect(secretKind(text), text).toBeUndefined();
  });
});

describe('a secret-looking --reason', () => {
  const target = {
    id: 'orders-rw',
    kind: 'database',
    ttl: 900,
    maxTtl: 3600,
    requireReason: true,
    requireOnCall: false,
    requireConfirmation: false,
    impact: 'high',
  } as unknown as Target;
  const audited: unknown[] = [];
  const deps = {
    config: { policy: { impacts: {} } } as unknown as KeyfobConfig,
    audit: { append: (line: unknown) => void audited.push(line) },
    identity: 'alice@example.com',
    store: undefined,
    env: {},
    now: () => Date.now(),
  } as unknown as AccessDeps;

  it('is refused before anything is issued or audited, without echoing the secret', async () => {
    const key = secretAccessKey();
    const refusal = checkAccess(target, { reason: `INC-4 used ${key}` }, deps);
    await expect(refusal).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('looks like it holds an AWS secret key') });
    await expect(refusal).rejects.not.toMatchObject({ message: expect.stringContaining(key.slice(0, 12)) });
    expect(audited).toEqual([]);
    await expect(checkAccess(target, { reason: 'INC-4 rotate the replica' }, deps)).resolves.toMatchObject({ ttlSeconds: 900 });
    expect(audited).toEqual([expect.objectContaining({ action: 'granted', reason: 'INC-4 rotate the replica' })]);
  });
});
