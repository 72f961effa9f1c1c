// The stack's BROWSER command as Keyfob runs it: a separate process given the authorization URL,
// reading passwords from stack.json, reporting failures on stderr with a non-zero exit.
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startOidcProvider } from '../stack/oidc/provider.ts';
import type { OidcProviderHandle } from '../stack/oidc/provider.ts';

const browserScript = fileURLToPath(new URL('../stack/browser.ts', import.meta.url));

let idp: OidcProviderHandle;
let config: client.Configuration;
let dir: string;
let stackFile: string;

beforeAll(async () => {
  idp = await startOidcProvider();
  config = await client.discovery(new URL(idp.issuer), idp.keyfobClientId, { token_endpoint_auth_method: 'none' }, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  dir = await mkdtemp(join(tmpdir(), 'keyfob-browser-cli-'));
  stackFile = join(dir, 'stack.json');
  const passwords = Object.fromEntries(idp.users.map((u) => [u.name, u.password]));
  await writeFile(stackFile, JSON.stringify({ oidc: { issuer: idp.issuer, passwords: { ...passwords, bob: 'stale-password' } } }), { mode: 0o600 });
});

afterAll(async () => {
  await idp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function runBrowser(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [browserScript, ...args],
      { env: { ...process.env, KEYFOB_STACK_FILE: '', ...env }, timeout: 30_000 },
      (err, _stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
      },
    );
  });
}

async function authorizationRequest() {
  let deliver!: (u: URL) => void;
  const received = new Promise<URL>((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    res.end('done');
    deliver(new URL(req.url ?? '/', 'http://127.0.0.1'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    scope: 'openid email',
    state: client.randomState(),
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  return { url: url.href, received, close: () => server.close() };
}

describe('test/stack/browser.ts', () => {
  it('signs alice in and delivers the code to the app listener', async () => {
    const req = await authorizationRequest();
    try {
      const run = await runBrowser(['--stack', stackFile, req.url]);
      expect(run.stderr).toContain('alice completed the login');
      expect(run.code).toBe(0);
      expect((await req.received).searchParams.get('code')).toBeTruthy();
    } finally {
      req.close();
    }
  });

  it('presses Deny when KEYFOB_STACK_CONSENT=deny, using KEYFOB_STACK_FILE', async () => {
    const req = await authorizationRequest();
    try {
      const run = await runBrowser([req.url], { KEYFOB_STACK_FILE: stackFile, KEYFOB_STACK_CONSENT: 'deny' });
      expect(run.code).toBe(0);
      expect((await req.received).searchParams.get('error')).toBe('access_denied');
    } finally {
      req.close();
    }
  });

  it('exits non-zero with the reason when a step fails', async () => {
    const req = await authorizationRequest();
    try {
      const wrongPassword = await runBrowser(['--stack', stackFile, req.url], { KEYFOB_STACK_USER: 'bob' });
      expect(wrongPassword.code).toBe(1);
      expect(wrongPassword.stderr).toMatch(/answered 401 after submitting the signin form: Invalid username or password/);

      const unknown = await runBrowser(['--stack', stackFile, req.url], { KEYFOB_STACK_USER: 'mallory' });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no password for user "mallory"');

      const noStack = await runBrowser([req.url]);
      expect(noStack.code).toBe(1);
      expect(noStack.stderr).toContain('no stack file');

      const unreachable = await runBrowser(['--stack', stackFile, 'http://127.0.0.1:1/auth']);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain('could not load http://127.0.0.1:1/auth');
    } finally {
      req.close();
    }
  });
});
