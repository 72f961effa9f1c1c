// Signing in the ways an engineer does, and what the resulting token may and may not do:
// Vault's OIDC method completed headlessly by the stack's browser command, Vault's JWT method
// with an ID token from the OpenID Provider, AWS STS keys, and ACL denials.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { engineerLogin, vaultOidcLogin } from './support/login.ts';
import { useStack } from './support/stack.ts';
import { ErrorsReply, expectBody, LeaseReply, vaultClient, type VaultClient } from './support/vault.ts';

const fixture = useStack();
let engineer: VaultClient;

beforeAll(async () => {
  const auth = await engineerLogin(fixture.stack.info);
  engineer = vaultClient(fixture.stack.info.vault.addr, auth.client_token);
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

    expect((await engineer.put('sys/leases/revoke', { lease_id: creds.lease_id })).status).toBe(204);
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
