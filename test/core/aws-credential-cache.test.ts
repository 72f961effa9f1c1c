import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { REFRESH_MARGIN_MS, awsCredentialKey, cacheAwsCredential, isServable, readCachedAwsCredential } from '../../main/core/aws/credentialCache.ts';
import { MemorySecretStore } from '../../main/core/keychain/index.ts';
import type { JournalEntry } from '../../main/core/sessions/index.ts';

const now = 1_700_000_000_000;
const keys = { accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'generated-at-run-time', sessionToken: 'session-token', expiresAt: now + 3600_000 };
const entry: JournalEntry = {
  sessionId: 'awscp1',
  leaseId: 'aws/creds/dev/abc',
  targetId: 'aws-dev',
  kind: 'aws',
  issuedAt: now - 60_000,
  expiresAt: keys.expiresAt,
  pid: 4242,
  pidStartTime: null,
  hostname: hostname(),
  state: 'active',
  revokeAttempts: 0,
  heldBy: 'credential-process',
};

describe('the credential_process cache', () => {
  it('round-trips through the secret store, one entry per config file and target', async () => {
    const store = new MemorySecretStore();
    const key = awsCredentialKey('/etc/keyfob/config.yaml', 'aws-dev');
    await cacheAwsCredential(store, key, 'awscp1', keys);
    expect(await readCachedAwsCredential(store, key)).toEqual({ sessionId: 'awscp1', keys });
    expect(await readCachedAwsCredential(store, awsCredentialKey('/other/config.yaml', 'aws-dev'))).toBeUndefined();
    await store.set(key, '{"not":"ours"}');
    expect(await readCachedAwsCredential(store, key)).toBeUndefined();
  });

  it('serves keys while their session is journaled and more than the margin from expiry', () => {
    const cached = { sessionId: 'awscp1', keys };
    expect(isServable(cached, [entry], now)).toBe(true);
    expect(isServable(cached, [entry], keys.expiresAt - REFRESH_MARGIN_MS - 1)).toBe(true);
    expect(isServable(cached, [entry], keys.expiresAt - REFRESH_MARGIN_MS)).toBe(false);
  });

  it('never serves keys whose session was revoked, is being revoked, or is not the handed-over one', () => {
    const cached = { sessionId: 'awscp1', keys };
    expect(isServable(cached, [], now)).toBe(false);
    expect(isServable(cached, [{ ...entry, state: 'revoking' }], now)).toBe(false);
    const { heldBy: _, ...owned } = entry;
    expect(isServable(cached, [owned], now)).toBe(false);
  });
});
