// The AWS engine: role rules, well-formed fake keys, and the lease each credential type gets.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../stack/vault/backend.ts';
import { awsBackend } from '../stack/vault/engines/aws.ts';
import { call, refusal } from './support-requests.ts';

const ROLE_ARN = 'arn:aws:iam::210987654321:role/Developer';

async function mount(): Promise<Backend> {
  const aws = awsBackend({ mountPath: 'aws/', config: {} });
  await call(aws, 'update', 'config/root', { access_key: 'AKIAROOTROOTROOTROOT', secret_key: 'root-secret-never-returned', region: 'us-east-1' });
  await call(aws, 'update', 'roles/deploy', { credential_type: 'assumed_role', role_arns: [ROLE_ARN], default_sts_ttl: '30m', max_sts_ttl: '1h' });
  await call(aws, 'update', 'roles/ci-user', { credential_type: 'iam_user', policy_arns: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
  return aws;
}

describe('aws engine: config and roles', () => {
  it('keeps the root secret key to itself and prints lease config as Go durations', async () => {
    const aws = await mount();
    const root = await call(aws, 'read', 'config/root');
    expect(root?.data).toMatchObject({ access_key: 'AKIAROOTROOTROOTROOT', region: 'us-east-1' });
    expect(JSON.stringify(root)).not.toContain('root-secret-never-returned');
    expect(await call(aws, 'read', 'config/lease')).toBeNull();
    expect(await call(aws, 'update', 'config/lease', { lease: '30m', lease_max: '12h' })).toBeNull();
    expect((await call(aws, 'read', 'config/lease'))?.data).toEqual({ lease: '30m0s', lease_max: '12h0m0s' });
    expect(await refusal(call(aws, 'update', 'config/lease', { lease: '1h' }))).toEqual({ status: 400, message: "'lease_max' is a required parameter" });
  });

  it('reads roles with TTLs in seconds, lists them, and refuses bad ones', async () => {
    const aws = await mount();
    expect((await call(aws, 'read', 'roles/deploy'))?.data).toMatchObject({
      credential_type: 'assumed_role',
      role_arns: [ROLE_ARN],
      default_sts_ttl: 1800,
      max_sts_ttl: 3600,
    });
    expect((await call(aws, 'list', 'roles/'))?.data).toEqual({ keys: ['ci-user', 'deploy'] });
    expect(await refusal(call(aws, 'update', 'roles/x', {}))).toEqual({ status: 400, message: 'did not supply credential_type' });
    expect((await refusal(call(aws, 'update', 'roles/x', { credential_type: 'magic' }))).message).toBe('unrecognized credential_type: "magic"');
    expect((await refusal(call(aws, 'update', 'roles/x', { credential_type: 'iam_user', role_arns: ROLE_ARN }))).status).toBe(400);
    expect((await refusal(call(aws, 'update', 'roles/x', { credential_type: 'iam_user', default_sts_ttl: 60 }))).status).toBe(400);
    expect(await refusal(call(aws, 'update', 'roles/x', { credential_type: 'session_token', default_sts_ttl: '2h', max_sts_ttl: '1h' }))).toEqual({
      status: 400,
      message: 'default_sts_ttl cannot exceed max_sts_ttl',
    });
  });
});

describe('aws engine: credentials', () => {
  it('assumed_role via sts/: ASIA keys, session_token and security_token, arn, non-renewable lease with the role default ttl', async () => {
    const aws = await mount();
    const response = await call(aws, 'update', 'sts/deploy', {});
    const data = response?.data as Record<string, string>;
    expect(data.access_key).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(data.secret_key).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(data.session_token!.length).toBeGreaterThan(300);
    expect(data.security_token).toBe(data.session_token);
    expect(data.arn).toMatch(/^arn:aws:sts::210987654321:assumed-role\/Developer\/vault-oidc-alice@example.com-deploy-\d+-[0-9A-Za-z]+$/);
    expect(response?.secret).toMatchObject({ ttl: 1800, renewable: false, internal: { is_sts: true } });
  });

  it('takes ttl from the request (query on creds/, body on sts/), capped by max_sts_ttl', async () => {
    const aws = await mount();
    expect((await call(aws, 'read', 'creds/deploy', { ttl: '15m' }))?.secret?.ttl).toBe(900);
    expect((await call(aws, 'update', 'sts/deploy', { ttl: 7200 }))?.secret?.ttl).toBe(3600);
    await call(aws, 'update', 'roles/session', { credential_type: 'session_token' });
    const session = await call(aws, 'read', 'creds/session');
    expect(session?.secret?.ttl).toBe(3600);
    expect(session?.data).not.toHaveProperty('arn');
  });

  it('checks role_arn against the role and names the session when asked', async () => {
    const aws = await mount();
    expect(await refusal(call(aws, 'update', 'sts/deploy', { role_arn: 'arn:aws:iam::1:role/Admin' }))).toEqual({
      status: 400,
      message: 'role_arn "arn:aws:iam::1:role/Admin" not in allowed role arns for Vault role "deploy"',
    });
    const named = await call(aws, 'update', 'sts/deploy', { role_arn: ROLE_ARN, role_session_name: 'alice laptop' });
    expect((named?.data as { arn: string }).arn).toBe('arn:aws:sts::210987654321:assumed-role/Developer/alice_laptop');
    expect(await refusal(call(aws, 'read', 'creds/missing'))).toEqual({ status: 400, message: 'Role "missing" not found' });
    await call(aws, 'update', 'roles/fed', { credential_type: 'federation_token' });
    expect((await refusal(call(aws, 'read', 'creds/fed'))).message).toBe(
      'must specify at least one of policy_arns or policy_document with federation_token credential_type',
    );
  });

  it('iam_user: AKIA keys, renewable lease from config/lease, revoke deletes the user; STS revoke is a no-op and renew refused', async () => {
    const aws = await mount();
    await call(aws, 'update', 'config/lease', { lease: '1h', lease_max: '24h' });
    const response = await call(aws, 'read', 'creds/ci-user');
    expect((response?.data as { access_key: string }).access_key).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(response?.data).toMatchObject({ security_token: null, session_token: null });
    expect(response?.secret).toMatchObject({ ttl: 3600, maxTtl: 86400, renewable: true, internal: { is_sts: false } });
    expect(await aws.renew!({ internal: response!.secret!.internal, increment: 0, issueTime: new Date() })).toEqual({ ttl: 3600, maxTtl: 86400 });
    const username = response!.secret!.internal.username as string;
    expect((aws as unknown as { hasIamUser(u: string): boolean }).hasIamUser(username)).toBe(true);
    await aws.revoke!(response!.secret!.internal);
    expect((aws as unknown as { hasIamUser(u: string): boolean }).hasIamUser(username)).toBe(false);

    const sts = await call(aws, 'update', 'sts/deploy', {});
    await expect(aws.revoke!(sts!.secret!.internal)).resolves.toBeUndefined();
    await expect(aws.renew!({ internal: sts!.secret!.internal, increment: 0, issueTime: new Date() })).rejects.toThrow('lease is not renewable');
  });
});
