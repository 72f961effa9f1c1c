import { describe, expect, it } from 'vitest';
import { awsEnv, credentialProcessOutput } from '../../main/core/brokers/aws.ts';
import { connectionUri, databaseEnv } from '../../main/core/brokers/database.ts';

describe('database broker', () => {
  const login = { host: '127.0.0.1', port: 5433, database: 'orders', username: 'v-oidc-ali-orders-r-abc', password: 'A1a-p@ss/w:rd' };
  it('gives libpq its variables', () => {
    expect(databaseEnv(login)).toEqual({
      PGHOST: '127.0.0.1',
      PGPORT: '5433',
      PGDATABASE: 'orders',
      PGUSER: login.username,
      PGPASSWORD: login.password,
      PGREQUIREAUTH: 'scram-sha-256',
    });
  });
  it('requires SCRAM authentication (PGREQUIREAUTH) and passes the TLS mode and CA on', () => {
    const env = databaseEnv({ ...login, host: 'orders.db.corp', sslmode: 'verify-ca', sslrootcert: '/etc/ssl/orders-ca.pem' });
    expect(env).toMatchObject({ PGSSLMODE: 'verify-ca', PGSSLROOTCERT: '/etc/ssl/orders-ca.pem', PGREQUIREAUTH: 'scram-sha-256' });
  });
  it('escapes the password in the connection URI so clients read it back intact', () => {
    const uri = new URL(connectionUri(login));
    expect(decodeURIComponent(uri.password)).toBe(login.password);
    expect(uri.pathname).toBe('/orders');
  });
});

describe('aws broker', () => {
  const keys = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's'.repeat(40), sessionToken: 'tok', expiresAt: Date.UTC(2030, 0, 1) };
  it('sets the three variables the SDKs read', () => {
    expect(Object.keys(awsEnv(keys)).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
  });
  it('prints credential_process JSON, Version 1 with an ISO expiration', () => {
    expect(JSON.parse(credentialProcessOutput(keys))).toEqual({
      Version: 1,
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: keys.secretAccessKey,
      SessionToken: 'tok',
      Expiration: '2030-01-01T00:00:00.000Z',
    });
  });
});
