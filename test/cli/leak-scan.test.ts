// keyfob leak and keyfob scan end to end, as a user drives them: real keyfob processes against
// the local stack (PostgreSQL roles made and dropped by the Vault-compatible server), a real
// Secret Service for the token and the fingerprint key, and throwaway git repositories.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../main/core/sessions/index.ts';
import { useStack } from '../integration/support/stack.ts';
import { vaultRequest } from '../integration/support/vault.ts';
import { eventually, makeKeyfobUser, noSecretServiceReason, type KeyfobUser } from './support/keyfob.ts';
import { expectSuccess, leasesUnder, readAudit, roleExists, SESSION_LINE, signIn } from './support/state.ts';

const skipped = noSecretServiceReason !== undefined;

/** Writes the login it got into FILE, says so, then waits: the "terminal" whose credential leaks. */
const leakInto = (file: string) => ['sh', '-c', `printf 'PGPASSWORD=%s\\nrole=%s\\n' "$PGPASSWORD" "$PGUSER" > '${file}'; echo written; exec sleep 120`];

function gitRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-scan-repo-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' });
  git('init', '-q');
  git('config', 'user.email', 'alice@example.com');
  git('config', 'user.name', 'Alice');
  git('config', 'commit.gpgsign', 'false');
  writeFileSync(join(dir, 'README.md'), '# service\n');
  git('add', 'README.md');
  git('commit', '-qm', 'start');
  return dir;
}

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' }).toString();

describe.skipIf(skipped)(`keyfob leak and scan against the local stack${skipped ? ` (skipped: ${noSecretServiceReason})` : ''}`, () => {
  const fixture = useStack();
  const info = () => fixture.stack.info;
  const users: KeyfobUser[] = [];
  const dirs: string[] = [];
  let home = '';
  const newUser = () => {
    const user = makeKeyfobUser(fixture.stack, home ? { home } : {});
    users.push(user);
    return user;
  };
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyfob-leak-scratch-'));
    dirs.push(dir);
    return dir;
  };
  /** Starts an exec of orders-ro whose command writes its login to FILE; resolves once it has. */
  const startLeakyExec = async (file: string) => {
    const running = newUser().start(['exec', 'orders-ro', '--', ...leakInto(file)], { timeoutMs: 90_000 });
    const [, sessionId] = (await running.waitForStderr(SESSION_LINE)) as RegExpMatchArray;
    await running.waitForStdout(/written/);
    const text = readFileSync(file, 'utf8');
    return { running, sessionId: sessionId!, password: /PGPASSWORD=(\S+)/.exec(text)![1]!, role: /role=(\S+)/.exec(text)![1]! };
  };

  beforeAll(async () => {
    const first = makeKeyfobUser(fixture.stack);
    users.push(first);
    home = first.home; // every "terminal" below shares one state dir, as one person's do
    await signIn(first);
  });

  afterAll(() => {
    for (const user of users) user.dispose();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('leak revokes a session held by another process: the role is gone, its command stops, the incident has the three times', async () => {
    const file = join(scratch(), 'login.env');
    const held = await startLeakyExec(file);
    expect(await roleExists(info(), held.role)).toBe(true);

    const began = Date.now();
    // The reporter pastes the secret into the note: it is never stored, its session's label is.
    const leak = newUser().start(['leak', held.sessionId, '--note', `pasted in #general: PGPASSWORD=${held.password}`]);
    await eventually('the leaked role to be dropped', async () => !(await roleExists(info(), held.role)), 15_000, 20);
    const roleGoneMs = Date.now() - began;
    const result = expectSuccess(await leak.exited, 'keyfob leak');
    const holder = await held.running.exited;
    const inEngine = /, ([\d.]+) s after the report/.exec(result.stdout)?.[1];
    console.info(
      `leak-to-revoked: role gone ${roleGoneMs} ms after keyfob leak started (report to revoked inside keyfob: ${inEngine} s; leak command ${result.ms} ms in all, process start-up included); holder stopped ${Date.now() - began} ms after`,
    );

    expect(result.stdout).toMatch(new RegExp(`Session ${held.sessionId} \\(orders-ro: SELECT on all tables in orders`));
    expect(result.stdout).toMatch(/Revoked at \d\d:\d\d/);
    expect(result.stdout).toMatch(/Runbook: docs\/runbook-leak\.md/);
    expect(holder.code).not.toBe(0);
    expect(holder.stderr).toMatch(new RegExp(`session ${held.sessionId}`));

    const incident = readAudit(home).find((e) => e.action === 'leak-reported' && e.sessionId === held.sessionId)?.incident;
    expect(incident).toMatchObject({
      outcome: 'revoked',
      grants: 'SELECT on all tables in orders',
      note: `pasted in #general: PGPASSWORD=[Keyfob credential of session ${held.sessionId}]`,
    });
    expect(readFileSync(join(home, 'audit.jsonl'), 'utf8')).not.toContain(held.password);
    const [issued, reported, revoked] = [incident!.issuedAt!, incident!.reportedAt, incident!.revokedAt!].map(Date.parse);
    expect(issued).toBeLessThanOrEqual(reported!);
    expect(reported).toBeLessThanOrEqual(revoked!);
    expect(readAudit(home).some((e) => e.action === 'revoked' && e.sessionId === held.sessionId)).toBe(true);

    // The team sees it in Vault too.
    const path = /in Vault at secret\/data\/(\S+)\./.exec(result.stdout)?.[1];
    expect(path, result.stdout).toMatch(new RegExp(`^incidents/.+-${held.sessionId}$`));
    const kv = await vaultRequest(info().vault.addr, info().vault.rootToken, 'GET', `secret/data/${path}`);
    expect(kv.status).toBe(200);
    expect((kv.body as { data: { data: Record<string, unknown> } }).data.data).toMatchObject({
      session: held.sessionId,
      target: 'orders-ro',
      outcome: 'revoked',
      reportedBy: 'oidc-alice@example.com',
    });
    expect(JSON.stringify(kv.body)).not.toContain(held.password);
  });

  it('leak --reissue revokes, then starts a fresh session of the target at once with a new login', async () => {
    const held = await startLeakyExec(join(scratch(), 'login.env'));
    const reissue = newUser().start(['leak', held.sessionId, '--reissue', '--', 'sh', '-c', 'echo "fresh=$PGUSER"; exec sleep 3'], { timeoutMs: 60_000 });
    const [, fresh] = (await reissue.waitForStdout(/fresh=(\S+)/)) as RegExpMatchArray;
    // The leaked login is gone and the fresh one is a different, working role while its command runs.
    expect(fresh).not.toBe(held.role);
    expect(await roleExists(info(), held.role)).toBe(false);
    expect(await roleExists(info(), fresh!)).toBe(true);
    const result = expectSuccess(await reissue.exited, 'keyfob leak --reissue');
    expect(result.stdout).toMatch(/Revoked at \d\d:\d\d/);
    // The fresh session ends with its command, like any keyfob exec.
    expect(await roleExists(info(), fresh!)).toBe(false);
    await held.running.exited;
  });

  it('leak --prefix revokes every login of the role, the other holder included', async () => {
    const a = await startLeakyExec(join(scratch(), 'a.env'));
    const b = await startLeakyExec(join(scratch(), 'b.env'));
    const result = expectSuccess(await newUser().run(['leak', a.sessionId, '--prefix']), 'keyfob leak --prefix');
    expect(result.stdout).toMatch(/Every lease under database\/creds\/orders-ro\/ was revoked too/);
    expect(await roleExists(info(), a.role)).toBe(false);
    expect(await roleExists(info(), b.role)).toBe(false);
    expect(await leasesUnder(info(), 'database/creds/orders-ro/')).toEqual([]);
    // Both holders' commands stop: the other session on this machine was ended through the revoke path too.
    await a.running.exited;
    await b.running.exited;
    expect(readAudit(home).some((e) => e.action === 'revoked' && e.sessionId === b.sessionId && /leases were revoked/.test(e.detail ?? ''))).toBe(true);
  });

  it('leak --prefix is refused for a target the config does not allow, and nothing is revoked', async () => {
    const running = newUser().start(['exec', 'web-ssh', '--', 'sleep', '60']);
    const [, sessionId] = (await running.waitForStderr(SESSION_LINE)) as RegExpMatchArray;
    const result = await newUser().run(['leak', sessionId!, '--prefix']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--prefix is not allowed for web-ssh/);
    // Without --prefix: an SSH certificate cannot be revoked early, and keyfob says until when.
    const plain = expectSuccess(await newUser().run(['leak', sessionId!]), 'keyfob leak (ssh)');
    expect(plain.stdout).toMatch(/cannot be revoked early .* stays valid until \d\d:\d\d/);
    await running.exited;
  });

  it('the journal holds fingerprints, never the secret nor an unkeyed hash of it', async () => {
    const held = await startLeakyExec(join(scratch(), 'login.env'));
    const journal = readFileSync(join(home, 'journal.json'), 'utf8');
    const ledger = readFileSync(join(home, 'fingerprints.jsonl'), 'utf8');
    // Read through the journal's own parser: the file is a snapshot followed by appended changes.
    const entry = (await new Journal(home).list()).find((e) => e.sessionId === held.sessionId);
    expect(entry?.fingerprints?.length).toBeGreaterThan(0);
    const sha = createHash('sha256').update(held.password).digest();
    for (const text of [journal, ledger]) {
      expect(text).not.toContain(held.password);
      expect(text.toLowerCase()).not.toContain(sha.toString('hex'));
      expect(text).not.toContain(sha.toString('base64'));
      expect(text).not.toContain(sha.toString('base64url'));
    }
    held.running.kill();
  });

  it('scan --staged finds a live Keyfob password by session without printing it; --revoke ends it; afterwards it is an expired Keyfob credential', async () => {
    const repo = gitRepo();
    dirs.push(repo);
    const held = await startLeakyExec(join(repo, 'db.env'));
    git(repo, 'add', 'db.env');

    const user = newUser();
    const found = await user.run(['scan', '--staged'], { cwd: repo });
    expect(found.code, found.stderr).toBe(1);
    expect(found.stdout).toMatch(new RegExp(`db\\.env:1: keyfob-live-credential: .*session ${held.sessionId} \\(orders-ro\\)`));
    expect(found.stdout + found.stderr).not.toContain(held.password);

    const revoked = await user.run(['scan', '--staged', '--revoke'], { cwd: repo });
    expect(revoked.code, revoked.stderr).toBe(1);
    expect(revoked.stderr).toMatch(new RegExp(`revoked ${held.sessionId}`));
    expect(await roleExists(info(), held.role)).toBe(false);
    await held.running.exited;
    expect(readAudit(home).find((e) => e.action === 'leak-reported' && e.sessionId === held.sessionId)?.incident?.note).toMatch(
      /found by keyfob scan in the staged changes/,
    );

    const after = await user.run(['scan', '--staged', '--json'], { cwd: repo });
    expect(after.code).toBe(1);
    const report = JSON.parse(after.stdout) as { findings: Array<{ ruleId: string; keyfob?: { sessionId: string; state: string } }> };
    expect(report.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'keyfob-expired-credential', keyfob: expect.objectContaining({ sessionId: held.sessionId, state: 'ended' }) }),
    );
    expect(after.stdout).not.toContain(held.password);
  });

  it("scan --staged honours the repository's .gitleaks.toml (custom rule, allowlist) and exits 0 on a clean change", async () => {
    const repo = gitRepo();
    dirs.push(repo);
    writeFileSync(
      join(repo, '.gitleaks.toml'),
      [
        'title = "team rules"',
        '[extend]',
        'useDefault = true',
        '[[rules]]',
        'id = "acme-webhook-key"',
        'description = "ACME webhook signing key"',
        "regex = '''\\bacme_whk_([a-z0-9]{24})\\b'''",
        'secretGroup = 1',
        'keywords = ["acme_whk_"]',
        'tags = ["acme"]',
        '[allowlist]',
        'description = "documentation examples"',
        "regexes = ['''^0{24}$''']",
        "paths = ['''(^|/)fixtures/''']",
      ].join('\n'),
    );
    const user = newUser();
    writeFileSync(join(repo, 'app.py'), 'def main():\n    return 42\n');
    git(repo, 'add', '.gitleaks.toml', 'app.py');
    const clean = await user.run(['scan', '--staged'], { cwd: repo });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('');

    mkdirSync(join(repo, 'fixtures'));
    writeFileSync(join(repo, 'fixtures', 'keys.txt'), 'acme_whk_k2j4h5g6f7d8s9a0q1w2e3r4\n');
    writeFileSync(join(repo, 'docs.md'), 'example: acme_whk_000000000000000000000000\n');
    writeFileSync(join(repo, 'settings.py'), 'DEBUG = False\nWEBHOOK_KEY = "acme_whk_p0o9i8u7y6t5r4e3w2q1a2s3"\nAWS_ACCESS_KEY_ID = "AKIAQ4EXAMPLE7ZX2K3M"\n');
    git(repo, 'add', '-A');
    const result = await user.run(['scan', '--staged', '--json'], { cwd: repo });
    expect(result.code, result.stderr).toBe(1);
    const findings = (JSON.parse(result.stdout) as { findings: Array<{ path: string; line: number; ruleId: string; match: string }> }).findings;
    expect(findings.map((f) => `${f.path}:${f.line}:${f.ruleId}`).sort()).toEqual(['settings.py:2:acme-webhook-key', 'settings.py:3:aws-access-key-id']);
    expect(result.stdout).not.toContain('p0o9i8u7y6t5r4e3w2q1a2s3');
  });

  it('scan --install-hook writes a pre-commit hook that stops a commit with a secret, and refuses a foreign hook', async () => {
    const repo = gitRepo();
    dirs.push(repo);
    const user = newUser();
    const installed = expectSuccess(await user.run(['scan', '--install-hook'], { cwd: repo }), 'scan --install-hook');
    expect(installed.stdout).toMatch(/Installed the pre-commit hook .*pre-commit/);
    writeFileSync(join(repo, 'deploy.sh'), 'psql postgresql://deploy:Zk3v9QpL2mX7wR4t@db.internal:5432/orders\n');
    git(repo, 'add', 'deploy.sh');
    let blocked = false;
    try {
      execFileSync('git', ['-C', repo, 'commit', '-qm', 'deploy script'], { stdio: 'pipe', env: user.env });
    } catch {
      blocked = true;
    }
    expect(blocked).toBe(true);
    expect(git(repo, 'log', '--oneline').trim().split('\n')).toHaveLength(1);

    const foreignRepo = gitRepo();
    dirs.push(foreignRepo);
    const hook = join(foreignRepo, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\nexec make lint\n', { mode: 0o755 });
    const refused = await user.run(['scan', '--install-hook'], { cwd: foreignRepo });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/was not written by keyfob/);
    expect(readFileSync(hook, 'utf8')).toBe('#!/bin/sh\nexec make lint\n');
    expect(existsSync(hook)).toBe(true);
  });
});
