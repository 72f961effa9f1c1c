// The stack's real headless browser (test/stack/browser.ts and its form agent) completes the
// IAM Identity Center verification pages, so `BROWSER=<stack browser> keyfob login --method aws-sso`
// works end to end against the local stack.
import { AccessDeniedException, SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeLogin } from '../stack/oidc/formAgent.ts';
import { startAwsSso, type AwsSso } from '../stack/aws-sso.ts';
import { beginDeviceAuthorization } from './deviceAuthorization.ts';

const passwords = { alice: randomBytes(9).toString('base64url'), bob: randomBytes(9).toString('base64url') };

process.env.AWS_CONFIG_FILE = '/nonexistent/keyfob-aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/keyfob-aws-credentials';

describe('the stack browser on the IAM Identity Center pages', () => {
  let sso: AwsSso;
  let oidc: SSOOIDCClient;
  let dir: string;
  beforeAll(async () => {
    sso = await startAwsSso({ users: Object.entries(passwords).map(([name, password]) => ({ name, password })) });
    oidc = new SSOOIDCClient({ region: sso.region, endpoint: sso.endpoint, maxAttempts: 1, useFipsEndpoint: false, useDualstackEndpoint: false });
    dir = await mkdtemp(join(tmpdir(), 'keyfob-aws-sso-browser-'));
  });
  afterAll(async () => {
    oidc.destroy();
    await sso.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const deviceAuthorization = () => beginDeviceAuthorization(oidc, sso.startUrl);

  it('approves from verificationUriComplete, and the poller then gets a token', async () => {
    const { dev, createToken } = await deviceAuthorization();
    const outcome = await completeLogin(dev.verificationUriComplete!, { user: 'alice', password: passwords.alice });
    expect(outcome.finalStatus).toBe(200);
    expect((await createToken()).accessToken).toBeTruthy();
  });

  it('types the user code on the bare verificationUri', async () => {
    const { dev, createToken } = await deviceAuthorization();
    await completeLogin(dev.verificationUri!, { user: 'bob', password: passwords.bob, userCode: dev.userCode! });
    expect((await createToken()).accessToken).toBeTruthy();
  });

  it('denies when asked to, and the poller sees access_denied', async () => {
    const { dev, createToken } = await deviceAuthorization();
    await completeLogin(dev.verificationUriComplete!, { user: 'alice', password: passwords.alice, consent: 'deny' });
    await expect(createToken()).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('fails with the page reason on a wrong password', async () => {
    const { dev } = await deviceAuthorization();
    await expect(completeLogin(dev.verificationUriComplete!, { user: 'alice', password: 'wrong' })).rejects.toThrow(/401.*Incorrect username or password/);
  });

  it('works as the BROWSER command, with the URL as its last argument', async () => {
    const stackFile = join(dir, 'stack.json');
    await writeFile(stackFile, JSON.stringify({ oidc: { passwords } }));
    const { dev, createToken } = await deviceAuthorization();
    const node = join(process.cwd(), 'node_modules/.bin/node');
    const { stderr } = await promisify(execFile)(node, ['test/stack/browser.ts', '--stack', stackFile, dev.verificationUriComplete!], {
      env: { ...process.env, KEYFOB_STACK_USER: 'bob' },
    });
    expect(stderr).toContain('bob completed the login');
    await expect(createToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
  });
});
