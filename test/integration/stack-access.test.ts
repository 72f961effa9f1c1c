// Signing in the ways an engineer does, and what the resulting token may and may not do:
// Vault's OIDC method completed headlessly by the stack's browser command, Vault's JWT method
// with an ID token from the OpenID Provider, IAM Identity Center's device flow, AWS STS keys,
// and ACL denials.
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { GetRoleCredentialsCommand, SSOClient } from '@aws-sdk/client-sso';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { engineerLogin, idTokenFor, runBrowser, vaultOidcLogin } from './support/login.ts';
import { useStack } from './support/stack.ts';
import { roleExists } from './support/postgres.ts';
import { ErrorsReply, expectBody, LeaseReply, sessionChildToken, vaultClient, type VaultClient } from './support/vault.ts';

// Hermetic AWS SDK: never the machine's ~/.aws config or credentials.
process.env.AWS_CONFIG_FILE = '/nonexistent/keyfob-aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/keyfob-aws-credentials';

const fixture = useStack();
let engineer: VaultClient;
let engineerToken: string;

beforeAll(async () => {
  const auth = await engineerLogin(fixture.stack.info);
  engineer = vaultClient(fixture.stack.info.vault.addr, auth.client_token);
  engineerToken = auth.client_token;
});

describe('signing in', () => {
  it('completes Vault OIDC (auth_url, browser command, callback) and gets an engineer token', async () => {
    const info = fixture.stack.info;
    const auth = await vaultOidcLogin(info, 'alice');
    expect(auth.policies).toContain('engineer');
    expect(auth.renewable).toBe(true);
    const self = await vaultClient(info.vault.addr, auth.client_token).read('auth/token/lookup-self');
    const data = expectBody(self, z.object({ data: z.object({ display_name: z.string(), policies: z.array(z.string()) }) })).data;
    expect(data.policies).toContain('engineer');
    expect(data.display_name).toBe('oidc-alice@example.com');
  });

  it('logs in through auth/jwt with an ID token from the OpenID Provider', async () => {
    const info = fixture.stack.info;
    const auth = await engineerLogin(info, 'bob');
    expect(auth.policies).toEqual(expect.arrayContaining(['default', 'engineer']));
    expect(auth.policies).not.toContain('root');
    const self = await vaultClient(info.vault.addr, auth.client_token).read('auth/token/lookup-self');
    expect(expectBody(self, z.object({ data: z.object({ display_name: z.string() }) })).data.display_name).toBe('jwt-bob@example.com');
  });
});

describe('AWS IAM Identity Center (the aws-sso-dev target)', () => {
  it('completes a device authorization with the browser command and gives Developer role credentials', async () => {
    const info = fixture.stack.info;
    const common = { region: info.awsSso.region, endpoint: info.awsSso.endpoint, maxAttempts: 1 };
    const oidc = new SSOOIDCClient(common);
    const portal = new SSOClient(common);
    try {
      const reg = await oidc.send(new RegisterClientCommand({ clientName: 'keyfob-it', clientType: 'public', scopes: ['sso:account:access'] }));
      const dev = await oidc.send(
        new StartDeviceAuthorizationCommand({ clientId: reg.clientId!, clientSecret: reg.clientSecret!, startUrl: info.awsSso.startUrl }),
      );
      await runBrowser(info, dev.verificationUriComplete!, 'alice');
      const token = await oidc.send(
        new CreateTokenCommand({
          clientId: reg.clientId!,
          clientSecret: reg.clientSecret!,
          grantType: 'urn:ietf:params:oauth:grant-type:device_code',
          deviceCode: dev.deviceCode!,
        }),
      );
      const creds = await portal.send(new GetRoleCredentialsCommand({ accessToken: token.accessToken!, accountId: '111122223333', roleName: 'Developer' }));
      expect(creds.roleCredentials?.accessKeyId).toMatch(/^ASIA/);
      expect(creds.roleCredentials?.expiration).toBeGreaterThan(Date.now());
    } finally {
      oidc.destroy();
      portal.destroy();
    }
  });
});

describe('aws/sts/dev', () => {
  const StsCreds = LeaseReply(
    z.object({
      access_key: z.string().regex(/^ASIA[A-Z0-9]{16}$/),
      secret_key: z.string().min(40),
      session_token: z.string().min(1),
      security_token: z.string().min(1),
    }),
  );

  it('gives STS-shaped keys on a lease that cannot be renewed', async () => {
    const creds = expectBody(await engineer.write('aws/sts/dev', { ttl: '15m' }), StsCreds);
    expect(creds.renewable).toBe(false);
    expect(creds.lease_id).toMatch(/^aws\/sts\/dev\//);
    expect(creds.lease_duration).toBe(900);
    expect(creds.data.session_token).toBe(creds.data.security_token);

    const renew = await engineer.put('sys/leases/renew', { lease_id: creds.lease_id, increment: 600 });
    expect(renew.status).toBe(400);
    expect(expectBody(renew, ErrorsReply, 400).errors).toEqual(['lease is not renewable']);
  });

  it("is leased to the session's child token, whose revoke-self ends the lease", async () => {
    const info = fixture.stack.info;
    const child = await sessionChildToken(info.vault.addr, engineerToken);
    const creds = expectBody(await child.client.write('aws/sts/dev', { ttl: '15m' }), StsCreds);
    expect((await child.client.write('auth/token/revoke-self')).status).toBe(204);
    const lookup = await vaultClient(info.vault.addr, info.vault.rootToken).put('sys/leases/lookup', { lease_id: creds.lease_id });
    expect(expectBody(lookup, ErrorsReply, 400).errors).toEqual(['invalid lease']);
  });
});

describe('an engineer token is limited to its policy', () => {
  it.each([
    ['GET', 'database/creds/other'],
    ['GET', 'sys/mounts'],
    ['POST', 'sys/policies/acl/engineer'],
    ['POST', 'ssh-client-signer/sign/admin'],
    ['GET', 'database/config/orders'],
  ])('%s %s → 403 permission denied', async (method, path) => {
    const reply = method === 'GET' ? await engineer.read(path) : await engineer.write(path, { policy: 'path "*" { capabilities = ["sudo"] }' });
    expect(reply.status).toBe(403);
    expect(expectBody(reply, ErrorsReply, 403).errors).toEqual(['1 error occurred:\n\t* permission denied\n\n']);
  });
});

describe('lease operations reach only the leases Keyfob issues, and only engineers sign in', () => {
  const Lease = LeaseReply(z.unknown());
  const DbLease = LeaseReply(z.object({ username: z.string(), password: z.string() }));
  const root = () => vaultClient(fixture.stack.info.vault.addr, fixture.stack.info.vault.rootToken);

  it("cannot renew, revoke or look up an application role's lease", async () => {
    expect((await root().write('aws/roles/app', { credential_type: 'assumed_role', role_arns: ['arn:aws:iam::111122223333:role/App'] })).status).toBe(204);
    const app = expectBody(await root().write('aws/sts/app', { ttl: '15m' }), Lease);
    for (const path of ['sys/leases/revoke', 'sys/leases/renew', 'sys/leases/lookup']) {
      expect((await engineer.put(path, { lease_id: app.lease_id })).status, path).toBe(403);
    }
    expect((await engineer.put(`sys/leases/revoke/${app.lease_id}`)).status).toBe(403);
    // The engineer policy alone grants no revoke-prefix. (The stack also gives its engineers the
    // keyfob-leak-responder policy, engineersRespondToLeaks, which may end a whole prefix: that is
    // the leak responder's power, and vault-setup.md says to give it to a few, not to everyone.)
    const created = await root().write('auth/token/create', { policies: ['engineer'], no_default_policy: true, ttl: '5m' });
    const engineerOnly = vaultClient(
      fixture.stack.info.vault.addr,
      expectBody(created, z.object({ auth: z.object({ client_token: z.string() }) })).auth.client_token,
    );
    expect((await engineerOnly.put('sys/leases/revoke-prefix/aws/sts/')).status).toBe(403);
    // Still alive: the application keeps its credential.
    expect((await root().put('sys/leases/lookup', { lease_id: app.lease_id })).status).toBe(200);
  });

  it("cannot revoke another engineer's lease of the same role, by any of Vault's revoke paths", async () => {
    const info = fixture.stack.info;
    const bob = await engineerLogin(info, 'bob');
    const bobs = await sessionChildToken(info.vault.addr, bob.client_token);
    const lease = expectBody(await bobs.client.read('database/creds/orders-ro'), DbLease);
    for (const path of ['sys/leases/revoke', 'sys/revoke']) {
      expect((await engineer.put(path, { lease_id: lease.lease_id })).status, path).toBe(403);
    }
    expect((await engineer.put(`sys/leases/revoke/${lease.lease_id}`)).status).toBe(403);
    // (revoke-prefix is the leak responder's power, which the stack gives its engineers: see the test above.)
    // Nor with a session token of alice's own: it ends only what it read itself.
    const alices = await sessionChildToken(info.vault.addr, engineerToken);
    expect((await alices.client.put('sys/leases/revoke', { lease_id: lease.lease_id })).status).toBe(403);
    expect((await alices.client.write('auth/token/revoke-self')).status).toBe(204);
    // Bob's login still works and his lease is still there.
    expect((await root().put('sys/leases/lookup', { lease_id: lease.lease_id })).status).toBe(200);
    expect(await roleExists(info, lease.data.username)).toBe(true);
    expect((await bobs.client.write('auth/token/revoke-self')).status).toBe(204);
    expect(await roleExists(info, lease.data.username)).toBe(false);
  });

  it("ends its own session's lease through the session token; renews and looks it up (with increment)", async () => {
    const info = fixture.stack.info;
    const child = await sessionChildToken(info.vault.addr, engineerToken);
    const own = expectBody(await child.client.read('database/creds/orders-ro'), DbLease);
    expect((await child.client.put('sys/leases/renew', { lease_id: own.lease_id, increment: 60 })).status).toBe(200);
    expect((await child.client.put('auth/token/renew-self', { increment: 60 })).status).toBe(200);
    expect((await child.client.put('sys/leases/lookup', { lease_id: own.lease_id })).status).toBe(200);
    // The engineer's policy has no sys/leases/revoke, not even for a lease of a Keyfob role.
    expect((await engineer.put('sys/leases/revoke', { lease_id: own.lease_id })).status).toBe(403);
    expect((await child.client.write('auth/token/revoke-self')).status).toBe(204);
    expect(await roleExists(info, own.data.username)).toBe(false);
    expect((await root().put('sys/leases/lookup', { lease_id: own.lease_id })).status).toBe(400);
  });

  it('makes session tokens only with the fields Keyfob sends, and never with more policies', async () => {
    const create = (body: Record<string, unknown>) => engineer.write('auth/token/create', body);
    expect((await create({ ttl: '1m', no_default_policy: true })).status).toBe(403);
    expect((await create({ ttl: '1m', num_uses: 0, meta: { a: 'b' } })).status).toBe(403);
    expect((await create({ ttl: '1m', policies: ['root'] })).status).toBe(403);
    expect((await create({ ttl: '1m', explicit_max_ttl: '2m', display_name: 'keyfob-orders-ro', renewable: true })).status).toBe(200);
  });

  it('refuses an IdP user outside the engineers group', async () => {
    const info = fixture.stack.info;
    const jwt = await idTokenFor(info, 'carol');
    const reply = await vaultClient(info.vault.addr).write('auth/jwt/login', { role: 'engineer', jwt });
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/claim/);
    await expect(vaultOidcLogin(info, 'carol')).rejects.toThrow(/claim/);
  });
});
