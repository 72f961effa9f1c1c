// The verification pages follow the convention the stack's headless `browser` agent relies on:
// user_code entry form, sign-in form (login, password), approval buttons decision=approve|deny.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsSso, type AwsSso } from '../stack/aws-sso.ts';
import { FormAgent } from './form-agent.ts';

const alice = { name: 'alice', password: randomBytes(9).toString('base64url') };

async function postJson(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe('device verification pages', () => {
  let sso: AwsSso;
  beforeAll(async () => {
    sso = await startAwsSso({ users: [alice] });
  });
  afterAll(async () => {
    await sso.stop();
  });

  /** Starts a device authorization over raw HTTP; returns what the user is shown. */
  async function newDeviceCode() {
    const reg = await postJson(`${sso.endpoint}/client/register`, { clientName: 'Keyfob', clientType: 'public' });
    const dev = await postJson(`${sso.endpoint}/device_authorization`, {
      clientId: reg.json.clientId,
      clientSecret: reg.json.clientSecret,
      startUrl: sso.startUrl,
    });
    return dev.json as { userCode: string; verificationUriComplete: string };
  }

  it('asks for the code, then a sign-in, then approval, when the user opens the bare verification URI', async () => {
    const { userCode } = await newDeviceCode();
    const agent = new FormAgent();
    const entry = await agent.open(sso.verificationUri);
    expect(entry.status).toBe(200);
    expect([...entry.forms[0]!.inputs.keys()]).toEqual(['user_code']);

    // Typed the way people type it: lower case, no dash.
    const signIn = await agent.submit(entry, { user_code: userCode.toLowerCase().replace('-', '') });
    expect(signIn.status).toBe(200);
    expect(signIn.html).toContain('Keyfob');
    expect(signIn.forms[0]!.inputs.has('login')).toBe(true);
    expect(signIn.forms[0]!.inputs.has('password')).toBe(true);

    const wrong = await agent.submit(signIn, { login: 'alice', password: 'not-her-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Incorrect username or password');

    const approval = await agent.submit(wrong, { login: 'alice', password: alice.password });
    expect(approval.status).toBe(200);
    expect(approval.html).toContain('Signed in as <strong>alice</strong>');
    expect(approval.forms[0]!.buttons).toEqual([
      { name: 'decision', value: 'approve' },
      { name: 'decision', value: 'deny' },
    ]);

    const done = await agent.submit(approval, {}, { name: 'decision', value: 'approve' });
    expect(done.html).toContain('Request approved');
    expect(done.forms).toEqual([]);

    // The code is spent: reopening it says so instead of asking again.
    const again = await agent.open(`${sso.verificationUri}?user_code=${userCode}`);
    expect(again.status).toBe(400);
    expect(again.html).toContain('already approved');
  });

  it('remembers the signed-in browser, so a second device goes straight to approval', async () => {
    const agent = new FormAgent();
    const first = await newDeviceCode();
    const signIn = await agent.open(first.verificationUriComplete);
    await agent.submit(await agent.submit(signIn, { login: 'alice', password: alice.password }), {}, { name: 'decision', value: 'approve' });

    const second = await newDeviceCode();
    const approval = await agent.open(second.verificationUriComplete);
    expect(approval.html).toContain('Signed in as <strong>alice</strong>');
    expect(approval.forms[0]!.inputs.has('password')).toBe(false);
  });

  it('turns away an unknown code and a replayed approval form', async () => {
    const agent = new FormAgent();
    const unknown = await agent.open(`${sso.verificationUri}?user_code=ZZZZ-ZZZZ`);
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain('not valid');
    expect(unknown.forms[0]!.inputs.has('user_code')).toBe(true);

    const { verificationUriComplete } = await newDeviceCode();
    const approval = await agent.submit(await agent.open(verificationUriComplete), { login: 'alice', password: alice.password });
    await agent.submit(approval, {}, { name: 'decision', value: 'deny' });
    const replay = await agent.submit(approval, {}, { name: 'decision', value: 'approve' });
    expect(replay.status).toBe(400);
  });
});

describe('wire format details the SDK hides', () => {
  let sso: AwsSso;
  beforeAll(async () => {
    sso = await startAwsSso({ users: [alice] });
  });
  afterAll(async () => {
    await sso.stop();
  });

  it('sends OIDC errors as real AWS does: modeled status, x-amzn-errortype, OAuth body', async () => {
    const res = await postJson(`${sso.endpoint}/token`, {
      clientId: 'nope',
      clientSecret: 'nope',
      grantType: 'urn:ietf:params:oauth:grant-type:device_code',
      deviceCode: 'x',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^InvalidClientException:/);
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(res.json).toEqual({ error: 'invalid_client', error_description: expect.any(String) });

    const missing = await postJson(`${sso.endpoint}/client/register`, { clientType: 'public' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-errortype')).toMatch(/^InvalidRequestException:/);
  });

  it('answers portal calls without the bearer header or required parameters with 401 and 400', async () => {
    const noToken = await fetch(`${sso.endpoint}/assignment/accounts`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(await noToken.json()).toEqual({
      message: 'Session token not found or invalid',
      __type: 'com.amazonaws.switchboard.portal#UnauthorizedException',
    });

    const noRole = await fetch(`${sso.endpoint}/federation/credentials?account_id=111122223333`, {
      headers: { 'x-amz-sso_bearer_token': 'whatever' },
    });
    expect(noRole.status).toBe(400);
    expect(noRole.headers.get('x-amzn-errortype')).toBe('InvalidRequestException');
  });

  it('tolerates a trailing slash on the operation path', async () => {
    const res = await postJson(`${sso.endpoint}/client/register/`, { clientName: 'k', clientType: 'public' });
    expect(res.status).toBe(200);
    expect(typeof res.json.clientIdIssuedAt).toBe('number');
  });
});
