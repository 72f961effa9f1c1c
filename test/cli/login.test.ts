// `keyfob login` as a user runs it: a separate process, the stack's `browser` command as BROWSER
// (it signs in at the IdP and approves, headlessly). Each method must complete and leave a sign-in
// the next command sees; each way a sign-in can go wrong must end with one clear line and exit 1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { useStack } from '../integration/support/stack.ts';
import { makeKeyfobUser, nodeBin, noSecretServiceReason, type KeyfobResult, type KeyfobUser } from './support/keyfob.ts';
import { expectSuccess, readStatus } from './support/state.ts';

const skipped = noSecretServiceReason ? ` (skipped: ${noSecretServiceReason})` : '';
const fixture = useStack();
let scratch: string;
let user: KeyfobUser;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keyfob-login-test-'));
  user = makeKeyfobUser(fixture.stack);
});
afterAll(() => {
  user?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/**
 * The failure as the user sees it: exit 1 and exactly one `keyfob:` line besides the "Opening
 * your browser ... visit: URL" notice (which is two lines: the notice and the URL).
 */
function failureLine(result: KeyfobResult): string {
  expect(result.code, `expected a failure, got exit ${result.code}\n${result.stderr}`).toBe(1);
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  const problems = lines.filter((l) => !l.startsWith('keyfob: Opening your browser') && !l.startsWith('  http'));
  expect(problems, result.stderr).toHaveLength(1);
  expect(problems[0]).toMatch(/^keyfob: /);
  return problems[0]!;
}

/** A BROWSER that rewrites the `state` of the URL before handing it to the real browser command. */
function tamperingBrowser(): string {
  const script = join(scratch, 'tamper-state.mjs');
  writeFileSync(
    script,
    `import { spawnSync } from 'node:child_process';
const argv = process.argv.slice(2);
const url = new URL(argv.pop());
url.searchParams.set('state', 'forged-' + url.searchParams.get('state'));
const r = spawnSync(argv[0], [...argv.slice(1), url.href], { stdio: 'inherit' });
process.exit(r.status ?? 1);
`,
  );
  return `${nodeBin} ${script} ${fixture.stack.info.browser}`;
}

/**
 * A BROWSER that first plays another local process: it sends the loopback callback a stray
 * `error=access_denied` and an attacker's own state and code, then hands the URL to the real browser.
 */
function racingBrowser(): string {
  const script = join(scratch, 'race-callback.mjs');
  writeFileSync(
    script,
    `import { spawnSync } from 'node:child_process';
const argv = process.argv.slice(2);
const url = new URL(argv.pop());
const callback = new URL(url.searchParams.get('redirect_uri'));
for (const query of ['error=access_denied&state=wrong', 'error=access_denied', 'state=attacker&code=attacker-code']) {
  const res = await fetch(callback.href + '?' + query);
  if (res.status !== 400) { console.error('foreign callback answered ' + res.status); process.exit(3); }
}
const r = spawnSync(argv[0], [...argv.slice(1), url.href], { stdio: 'inherit' });
process.exit(r.status ?? 1);
`,
  );
  return `${nodeBin} ${script} ${fixture.stack.info.browser}`;
}

/** A BROWSER playing an IdP that answers with an error_description carrying OSC 52 and CSI. */
function hostileIdpBrowser(): string {
  const script = join(scratch, 'hostile-idp.mjs');
  writeFileSync(
    script,
    `const url = new URL(process.argv.at(-1));
const callback = new URL(url.searchParams.get('redirect_uri'));
callback.search = new URLSearchParams({
  state: url.searchParams.get('state'),
  error: 'server_error',
  error_description: 'try later\\u001b]52;c;cHduZWQ=\\u0007\\u001b[2J\\u009b31m\\r\\nkeyfob: forged',
}).toString();
await fetch(callback);
`,
  );
  return `${nodeBin} ${script}`;
}

/** A copy of the stack's config with auth.oidc.issuer replaced. */
function configWithIssuer(issuer: string, name: string): string {
  const config = parse(readFileSync(fixture.stack.configFile, 'utf8')) as { auth: { oidc: { issuer: string } } };
  config.auth.oidc.issuer = issuer;
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

/** A loopback port with nothing listening on it (taken and released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('each login method completes headlessly', () => {
  it('vault-oidc: Vault OIDC through the loopback callback signs alice in', async () => {
    const result = expectSuccess(await user.run(['login', '--method', 'vault-oidc']), 'login --method vault-oidc');
    expect(result.stdout).toMatch(/^Signed in as oidc-alice@example\.com; Vault sign-in ends \d\d:\d\d\.$/m);
    expect(result.stderr).toContain('Opening your browser to sign in');
  });

  it.skipIf(noSecretServiceReason)(`vault-oidc: the next command sees the sign-in (status --json)${skipped}`, async () => {
    await user.run(['login', '--method', 'vault-oidc']).then((r) => expectSuccess(r, 'login'));
    const status = await readStatus(user);
    expect(status.identity).toMatchObject({ signedIn: true, name: 'oidc-alice@example.com', method: 'vault-oidc', renewable: true });
    expect(Date.parse(status.identity.tokenExpiresAt!)).toBeGreaterThan(Date.now() + 60_000);
    expect(status.identity.tokenRemainingSeconds).toBeGreaterThan(60);
  });

  it('oidc: code + PKCE at the IdP, then Vault JWT login with the ID token', async () => {
    const result = expectSuccess(await user.run(['login', '--method', 'oidc']), 'login --method oidc');
    expect(result.stdout).toMatch(/^Signed in as jwt-alice@example\.com; Vault sign-in ends \d\d:\d\d\.$/m);
    // The authorize URL carried PKCE (S256) and a state, as the browser saw it.
    expect(result.stderr).toMatch(/code_challenge_method=S256/);
    expect(result.stderr).toMatch(/[?&]state=[\w-]{20,}/);
  });

  it.each([
    ['vault-oidc', 'oidc-alice@example.com'],
    ['oidc', 'jwt-alice@example.com'],
  ])("%s: foreign callbacks (a stray error, an attacker's state and code) are refused and the real sign-in completes", async (method, name) => {
    const result = expectSuccess(await user.run(['login', '--method', method], { env: { BROWSER: racingBrowser() } }), `login --method ${method}`);
    expect(result.stdout).toContain(`Signed in as ${name};`);
    expect(result.stderr).not.toContain('browser command exited');
  });

  it.skipIf(noSecretServiceReason)(`oidc: status shows the identity the IdP vouched for (bob signs in as bob)${skipped}`, async () => {
    expectSuccess(await user.run(['login', '--method', 'oidc'], { env: { KEYFOB_STACK_USER: 'bob' } }), 'login as bob');
    const status = await readStatus(user);
    expect(status.identity).toMatchObject({ signedIn: true, name: 'jwt-bob@example.com', method: 'oidc' });
    expectSuccess(await user.run(['login', '--method', 'oidc']), 'login as alice');
    expect((await readStatus(user)).identity.name).toBe('jwt-alice@example.com');
  });

  it('aws-sso: the IAM Identity Center device flow, approved in the browser', async () => {
    const result = expectSuccess(await user.run(['login', '--method', 'aws-sso']), 'login --method aws-sso');
    expect(result.stdout).toMatch(/^Signed in to IAM Identity Center \(http:\/\/127\.0\.0\.1:\d+\/start\) until \d\d:\d\d\.$/m);
    expect(result.stderr).toMatch(/Opening your browser to approve this sign-in \(code [A-Z]{4}-[A-Z]{4}\)/);
  });

  it.skipIf(noSecretServiceReason)(`aws-sso: status shows the Identity Center sign-in and exec hands out the three AWS variables${skipped}`, async () => {
    expectSuccess(await user.run(['login', '--method', 'aws-sso']), 'login --method aws-sso');
    const status = await readStatus(user);
    expect(status.awsSso?.signedIn).toBe(true);
    expect(Date.parse(status.awsSso!.expiresAt!)).toBeGreaterThan(Date.now());

    const exec = expectSuccess(await user.run(['exec', 'aws-sso-dev', '--', 'env']), 'exec aws-sso-dev -- env');
    const vars = Object.fromEntries(
      exec.stdout
        .split('\n')
        .filter((l) => l.startsWith('AWS_'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(vars.AWS_ACCESS_KEY_ID).toMatch(/^ASIA[A-Z0-9]{12,}$/);
    expect(vars.AWS_SECRET_ACCESS_KEY).toMatch(/^\S{20,}$/);
    expect(vars.AWS_SESSION_TOKEN).toMatch(/^\S{20,}$/);
  });
});

describe('a sign-in that goes wrong fails with one clear line', () => {
  beforeAll(async () => {
    // Start signed out, so "no sign-in was kept" below is about these failures.
    expectSuccess(await user.run(['logout']), 'logout');
  });

  it.each(['vault-oidc', 'oidc'])('%s: a callback whose state was tampered with is ignored, never used, and the sign-in times out', async (method) => {
    const result = await user.run(['login', '--method', method], { env: { BROWSER: tamperingBrowser(), KEYFOB_LOGIN_TIMEOUT: '3' } });
    const lines = result.stderr
      .split('\n')
      .filter((l) => l.startsWith('keyfob: ') && !l.startsWith('keyfob: Opening') && !l.includes('browser command exited'));
    expect(result.code).toBe(1);
    expect(lines).toEqual(['keyfob: no answer from the browser within 3 s; sign-in abandoned']);
  });

  it("oidc: an IdP's error_description reaches the terminal without control characters (OSC 52, CSI)", async () => {
    const result = await user.run(['login', '--method', 'oidc'], { env: { BROWSER: hostileIdpBrowser() } });
    const line = failureLine(result);
    // Each control character becomes '?' (cleanMessage), so the sequences are defused and seen;
    // the text after the server's newline never becomes a line of its own.
    expect(line.trimEnd()).toBe('keyfob: sign-in was refused: try later?]52;c;cHduZWQ=??[2J?31m?');
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/); // eslint-disable-line no-control-regex
  });

  it('vault-oidc: a port held by another process on [::1] fails the sign-in with one clear line', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '::1', resolve));
    try {
      const { port } = squatter.address() as { port: number };
      const config = parse(readFileSync(fixture.stack.configFile, 'utf8')) as { auth: { vaultOidc: { callbackPort: number } } };
      config.auth.vaultOidc.callbackPort = port;
      const file = join(scratch, 'squatted.yaml');
      writeFileSync(file, stringify(config), { mode: 0o600 });
      const line = failureLine(await user.run(['login', '--method', 'vault-oidc'], { env: { KEYFOB_CONFIG: file } }));
      expect(line).toContain(`port ${port} on [::1] (localhost over IPv6) is held by another process`);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('oidc: an issuer that is not the IdP (wrong path, wrong host name, nothing listening) is refused before any browser opens', async () => {
    const issuer = fixture.stack.info.oidc.issuer;
    const wrongPath = failureLine(
      await user.run(['login', '--method', 'oidc'], { env: { KEYFOB_CONFIG: configWithIssuer(`${issuer}/elsewhere`, 'wrong-path') } }),
    );
    expect(wrongPath).toContain(`could not read the identity provider's configuration at ${issuer}/elsewhere`);

    // Same server, another name: its discovery document names a different issuer.
    const otherName = issuer.replace('127.0.0.1', 'localhost');
    const mismatch = failureLine(await user.run(['login', '--method', 'oidc'], { env: { KEYFOB_CONFIG: configWithIssuer(otherName, 'wrong-host') } }));
    expect(mismatch).toContain(`could not read the identity provider's configuration at ${otherName}`);
    expect(mismatch).toMatch(/issuer does not match/);

    const nobody = `http://127.0.0.1:${await closedPort()}`;
    const refused = failureLine(await user.run(['login', '--method', 'oidc'], { env: { KEYFOB_CONFIG: configWithIssuer(nobody, 'wrong-port') } }));
    expect(refused).toContain(`could not read the identity provider's configuration at ${nobody}`);

    for (const r of [wrongPath, mismatch, refused]) expect(r).not.toContain('Opening your browser');
  });

  it.each(['vault-oidc', 'oidc'])('%s: a denied consent says it was denied', async (method) => {
    const line = failureLine(await user.run(['login', '--method', method], { env: { KEYFOB_STACK_CONSENT: 'deny' } }));
    expect(line).toBe('keyfob: sign-in was refused: you (or the provider) denied the request');
  });

  it('aws-sso: a denied device authorization says it was denied', async () => {
    const line = failureLine(await user.run(['login', '--method', 'aws-sso'], { env: { KEYFOB_STACK_CONSENT: 'deny' } }));
    expect(line).toBe('keyfob: the sign-in was denied in the browser');
  });

  it.each(['vault-oidc', 'oidc'])('%s: a browser that never comes back times out (KEYFOB_LOGIN_TIMEOUT)', async (method) => {
    const result = await user.run(['login', '--method', method], { env: { BROWSER: 'true', KEYFOB_LOGIN_TIMEOUT: '2' } });
    expect(failureLine(result)).toBe('keyfob: no answer from the browser within 2 s; sign-in abandoned');
    expect(result.ms).toBeLessThan(15_000);
  });

  it('aws-sso: a device authorization nobody approves times out (KEYFOB_LOGIN_TIMEOUT)', async () => {
    const result = await user.run(['login', '--method', 'aws-sso'], { env: { BROWSER: 'true', KEYFOB_LOGIN_TIMEOUT: '2' } });
    expect(failureLine(result)).toBe('keyfob: no approval from the browser within 2 s; sign-in abandoned');
    expect(result.ms).toBeLessThan(15_000);
  });

  it.each(['vault-oidc', 'oidc', 'aws-sso'])('%s: Ctrl-C while waiting for the browser cancels the sign-in', async (method) => {
    const running = user.start(['login', '--method', method], { env: { BROWSER: 'true' } });
    await running.waitForStderr(/Opening your browser/);
    running.signalGroup('SIGINT');
    const result = await running.exited;
    expect(failureLine(result)).toBe('keyfob: sign-in cancelled');
    expect(result.ms).toBeLessThan(15_000);
  });

  it('a BROWSER that cannot be started fails at once, naming it', async () => {
    const result = await user.run(['login', '--method', 'vault-oidc'], { env: { BROWSER: join(scratch, 'no-such-browser') } });
    expect(failureLine(result)).toMatch(/^keyfob: could not start the browser \(.*no-such-browser\)/);
    expect(result.ms).toBeLessThan(15_000);
  });

  it('a bad KEYFOB_LOGIN_TIMEOUT is a usage error', async () => {
    const result = await user.run(['login'], { env: { KEYFOB_LOGIN_TIMEOUT: 'soon' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('keyfob: KEYFOB_LOGIN_TIMEOUT must be a number of seconds above 0, not "soon"');
  });

  it.skipIf(noSecretServiceReason)(`none of the failed sign-ins left a sign-in behind${skipped}`, async () => {
    const status = await readStatus(user);
    expect(status.identity.signedIn).toBe(false);
    expect(status.awsSso?.signedIn).toBe(false);
  });
});
