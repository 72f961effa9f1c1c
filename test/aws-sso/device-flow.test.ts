// The AWS SDK clients against the stack's IAM Identity Center: a full device authorization to role
// credentials, and each way the device flow can end that a user would notice.
import {
  AccessDeniedException,
  AuthorizationPendingException,
  CreateTokenCommand,
  ExpiredTokenException,
  InvalidClientException,
  InvalidGrantException,
  InvalidRequestException,
  RegisterClientCommand,
  SlowDownException,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand,
} from '@aws-sdk/client-sso-oidc';
import {
  GetRoleCredentialsCommand,
  ListAccountRolesCommand,
  ListAccountsCommand,
  LogoutCommand,
  paginateListAccounts,
  SSOClient,
  SSOServiceException,
  UnauthorizedException,
} from '@aws-sdk/client-sso';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsSso, type AwsSso, type AwsSsoOptions } from '../stack/aws-sso.ts';
import { beginDeviceAuthorization } from './deviceAuthorization.ts';
import { FormAgent, signInAndDecide } from './form-agent.ts';

const users = [
  { name: 'alice', password: randomBytes(9).toString('base64url') },
  { name: 'bob', password: randomBytes(9).toString('base64url') },
];
const alice = users[0]!;
const bob = users[1]!;

// Hermetic SDK: no ~/.aws, no env-driven retries; maxAttempts 1 so errors surface at once (doc §5, §6).
process.env.AWS_CONFIG_FILE = '/nonexistent/keyfob-aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/keyfob-aws-credentials';

function clientsFor(sso: AwsSso) {
  const common = { region: sso.region, endpoint: sso.endpoint, maxAttempts: 1, useFipsEndpoint: false, useDualstackEndpoint: false };
  return { oidc: new SSOOIDCClient(common), portal: new SSOClient(common) };
}

async function startStack(opts: AwsSsoOptions = {}) {
  const sso = await startAwsSso({ users, ...opts });
  return { sso, ...clientsFor(sso) };
}

type Stack = Awaited<ReturnType<typeof startStack>>;

async function signInAs(stack: Stack, user: { name: string; password: string }) {
  const { reg, dev, createToken } = await beginDeviceAuthorization(stack.oidc, stack.sso.startUrl);
  await signInAndDecide(dev.verificationUriComplete!, user.name, user.password, 'approve');
  return { reg, token: await createToken() };
}

describe('AWS IAM Identity Center device authorization', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    stack.oidc.destroy();
    stack.portal.destroy();
    await stack.sso.stop();
  });

  it('takes alice from RegisterClient to role credentials once she approves in the browser', async () => {
    const { oidc, portal, sso } = stack;
    const { reg, dev, createToken: poll } = await beginDeviceAuthorization(oidc, sso.startUrl);
    expect(reg.clientIdIssuedAt).toBeCloseTo(Date.now() / 1000, -1);
    expect(reg.clientSecretExpiresAt! * 1000).toBeGreaterThan(Date.now());

    expect(dev).toMatchObject({ verificationUri: sso.verificationUri, expiresIn: 600, interval: 1 });
    expect(dev.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(dev.verificationUriComplete).toBe(`${sso.verificationUri}?user_code=${dev.userCode}`);

    const pending = await poll().catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(AuthorizationPendingException);
    expect(pending).toMatchObject({ error: 'authorization_pending', $metadata: { httpStatusCode: 400 } });

    const done = await signInAndDecide(dev.verificationUriComplete!, alice.name, alice.password, 'approve');
    expect(done.status).toBe(200);
    expect(done.html).toContain('Request approved');

    const token = await poll();
    expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 8 * 3600 });
    expect(token.accessToken).toBeTruthy();
    expect(token.refreshToken).toBeTruthy();

    const { accountList } = await portal.send(new ListAccountsCommand({ accessToken: token.accessToken!, maxResults: 100 }));
    expect(accountList).toEqual([
      { accountId: '111122223333', accountName: 'dev', emailAddress: 'aws-dev@example.com' },
      { accountId: '444455556666', accountName: 'prod', emailAddress: 'aws-prod@example.com' },
    ]);
    const { roleList } = await portal.send(new ListAccountRolesCommand({ accessToken: token.accessToken!, accountId: '111122223333' }));
    expect(roleList).toEqual([
      { roleName: 'Developer', accountId: '111122223333' },
      { roleName: 'ReadOnly', accountId: '111122223333' },
    ]);

    const { roleCredentials } = await portal.send(
      new GetRoleCredentialsCommand({
        accessToken: token.accessToken!,
        accountId: '111122223333',
        roleName: 'Developer',
      }),
    );
    expect(roleCredentials!.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(roleCredentials!.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(roleCredentials!.sessionToken!.length).toBeGreaterThan(100);
    // Epoch milliseconds, an hour out.
    expect(roleCredentials!.expiration! - Date.now()).toBeGreaterThan(3590_000);
    expect(roleCredentials!.expiration! - Date.now()).toBeLessThanOrEqual(3600_000);

    // The device code is spent: polling it again is an invalid grant, not a second token.
    await expect(poll()).rejects.toBeInstanceOf(InvalidGrantException);
  });

  it('answers slow_down to a client that polls faster than the interval, and pending again once it waits', async () => {
    const { createToken } = await beginDeviceAuthorization(stack.oidc, stack.sso.startUrl);
    await expect(createToken()).rejects.toBeInstanceOf(AuthorizationPendingException);
    const tooFast = await createToken().catch((e: unknown) => e);
    expect(tooFast).toBeInstanceOf(SlowDownException);
    expect(tooFast).toMatchObject({ error: 'slow_down', $metadata: { httpStatusCode: 400, attempts: 1 } });
    await sleep(1000);
    await expect(createToken()).rejects.toBeInstanceOf(AuthorizationPendingException);
  });

  it('ends the flow with access_denied when the user denies on the approval page', async () => {
    const { dev, createToken } = await beginDeviceAuthorization(stack.oidc, stack.sso.startUrl);
    const done = await signInAndDecide(dev.verificationUriComplete!, alice.name, alice.password, 'deny');
    expect(done.html).toContain('Request denied');
    const denied = await createToken().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied).toMatchObject({ error: 'access_denied', $metadata: { httpStatusCode: 400 } });
  });

  it('gives bob only what bob is assigned: no prod, no Developer role', async () => {
    const { token } = await signInAs(stack, bob);
    const { accountList } = await stack.portal.send(new ListAccountsCommand({ accessToken: token.accessToken! }));
    expect(accountList!.map((a) => a.accountName)).toEqual(['dev']);
    const { roleList } = await stack.portal.send(new ListAccountRolesCommand({ accessToken: token.accessToken!, accountId: '111122223333' }));
    expect(roleList!.map((r) => r.roleName)).toEqual(['ReadOnly']);

    // The real portal's answer for an unassigned role: 403 ForbiddenException "No access" (not in the SDK model).
    const forbidden = await stack.portal
      .send(
        new GetRoleCredentialsCommand({
          accessToken: token.accessToken!,
          accountId: '111122223333',
          roleName: 'Developer',
        }),
      )
      .catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(SSOServiceException);
    expect(forbidden).toMatchObject({ name: 'ForbiddenException', message: 'No access', $metadata: { httpStatusCode: 403 } });
  });

  it('rejects unknown, logged-out and revoked access tokens with UnauthorizedException', async () => {
    const { portal, sso } = stack;
    const bogus = await portal.send(new ListAccountsCommand({ accessToken: 'not-a-token' })).catch((e: unknown) => e);
    expect(bogus).toBeInstanceOf(UnauthorizedException);
    expect(bogus).toMatchObject({ message: 'Session token not found or invalid', $metadata: { httpStatusCode: 401, attempts: 1 } });

    const { token: first } = await signInAs(stack, alice);
    await portal.send(new LogoutCommand({ accessToken: first.accessToken! }));
    await expect(
      portal.send(
        new GetRoleCredentialsCommand({
          accessToken: first.accessToken!,
          accountId: '111122223333',
          roleName: 'Developer',
        }),
      ),
    ).rejects.toBeInstanceOf(UnauthorizedException);

    const { token: second } = await signInAs(stack, alice);
    expect(sso.revokeSessions('alice')).toBeGreaterThanOrEqual(1);
    await expect(portal.send(new ListAccountsCommand({ accessToken: second.accessToken! }))).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('refreshes a scoped session, rotating the refresh token', async () => {
    const { reg, token } = await signInAs(stack, alice);
    const refresh = (refreshToken: string) =>
      stack.oidc.send(
        new CreateTokenCommand({
          clientId: reg.clientId!,
          clientSecret: reg.clientSecret!,
          grantType: 'refresh_token',
          refreshToken,
        }),
      );
    const refreshed = await refresh(token.refreshToken!);
    expect(refreshed.accessToken).not.toBe(token.accessToken);
    expect(refreshed.refreshToken).not.toBe(token.refreshToken);
    await stack.portal.send(new ListAccountsCommand({ accessToken: refreshed.accessToken! }));
    await expect(refresh(token.refreshToken!)).rejects.toBeInstanceOf(InvalidGrantException);
  });

  it('gives no refresh token to a client registered without scopes (the legacy, non-refreshable setup)', async () => {
    const { dev, createToken } = await beginDeviceAuthorization(stack.oidc, stack.sso.startUrl, null);
    await signInAndDecide(dev.verificationUriComplete!, alice.name, alice.password, 'approve');
    const token = await createToken();
    expect(token.accessToken).toBeTruthy();
    expect(token.refreshToken).toBeUndefined();
  });

  it('pages ListAccounts through next_token', async () => {
    const { token } = await signInAs(stack, alice);
    const pages = [];
    for await (const page of paginateListAccounts({ client: stack.portal, pageSize: 1 }, { accessToken: token.accessToken! })) {
      pages.push(page.accountList!.map((a) => a.accountId));
    }
    expect(pages).toEqual([['111122223333'], ['444455556666']]);
  });

  it('refuses a wrong client secret (401 InvalidClientException) and a start URL of another instance', async () => {
    const { oidc, sso } = stack;
    const reg = await oidc.send(new RegisterClientCommand({ clientName: 'keyfob', clientType: 'public' }));
    const wrongSecret = await oidc
      .send(
        new StartDeviceAuthorizationCommand({
          clientId: reg.clientId!,
          clientSecret: 'wrong',
          startUrl: sso.startUrl,
        }),
      )
      .catch((e: unknown) => e);
    expect(wrongSecret).toBeInstanceOf(InvalidClientException);
    expect(wrongSecret).toMatchObject({ $metadata: { httpStatusCode: 401, attempts: 1 } });
    await expect(
      oidc.send(
        new StartDeviceAuthorizationCommand({
          clientId: reg.clientId!,
          clientSecret: reg.clientSecret!,
          startUrl: 'https://d-0000000000.awsapps.com/start',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidRequestException);
  });
});

describe('an expired device code', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ deviceCodeTtlSeconds: 0.3 });
  });
  afterAll(async () => {
    stack.oidc.destroy();
    stack.portal.destroy();
    await stack.sso.stop();
  });

  it('answers expired_token to the poller and says so on the verification page', async () => {
    const { dev, createToken } = await beginDeviceAuthorization(stack.oidc, stack.sso.startUrl);
    expect(dev.expiresIn).toBe(1);
    await expect(createToken()).rejects.toBeInstanceOf(AuthorizationPendingException);
    await sleep(400);
    const expired = await createToken().catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(ExpiredTokenException);
    expect(expired).toMatchObject({ error: 'expired_token', $metadata: { httpStatusCode: 400 } });

    const page = await new FormAgent().open(dev.verificationUriComplete!);
    expect(page.status).toBe(400);
    expect(page.html).toContain('expired');
    expect(page.forms).toEqual([]);
  });
});
