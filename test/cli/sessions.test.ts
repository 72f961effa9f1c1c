// keyfob sessions end to end, driven as a user drives them from a terminal: the CLI runs as its
// own process against the local stack (real PostgreSQL, sshd, Vault-compatible server, OpenID
// Provider), signed in through the stack's browser command, with tokens in a real Secret Service.
// Database leases are short here (20 s, max 30 s) so expiry and the renewal cap can be watched.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sshpk from 'sshpk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { useStack } from '../integration/support/stack.ts';
import { isAlive } from '../stack/processes.ts';
import { eventually, makeKeyfobUser, noSecretServiceReason, type KeyfobResult, type KeyfobUser, type KeyfobUserOptions } from './support/keyfob.ts';
import { forwardTo } from './support/proxy.ts';
import { filesChangedSince, findSecrets, privateKeyFiles, processesMentioning } from './support/scan.ts';
import { expectSuccess, leasesUnder, readAudit, readStatus, roleExists, SESSION_LINE, signIn, storedVaultToken, vaultMadeRoles } from './support/state.ts';

const DATABASE_TTL_SECONDS = 20;
const DATABASE_MAX_TTL_SECONDS = 30;
const ORDERS_RO_LEASES = 'database/creds/orders-ro/';
/** A command that shows which login it got, then waits: `sh -c 'echo role=$PGUSER; exec sleep N'`. */
const showRoleThenSleep = (seconds: number) => ['sh', '-c', `echo "role=$PGUSER"; exec sleep ${seconds}`];
const ROLE_LINE = /role=(\S+)/;

const skipped = noSecretServiceReason !== undefined;

describe.skipIf(skipped)(`keyfob sessions against the local stack${skipped ? ` (skipped: ${noSecretServiceReason})` : ''}`, () => {
  const fixture = useStack({ databaseTtl: `${DATABASE_TTL_SECONDS}s`, databaseMaxTtl: `${DATABASE_MAX_TTL_SECONDS}s` });
  const info = () => fixture.stack.info;
  const users: KeyfobUser[] = [];
  const scratchDirs: string[] = [];
  /** Every secret the tests saw issued, by label, for the final scan of the disk. */
  const issued: Record<string, string> = {};
  /** The fingerprint of the SSH session key (the agent's), to recognise it in any key file. */
  let sshSessionKeyFingerprint: string | undefined;
  let startedAt = 0;

  const newUser = (options?: KeyfobUserOptions) => {
    const user = makeKeyfobUser(fixture.stack, options);
    users.push(user);
    return user;
  };
  const scratchDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyfob-cli-scratch-'));
    scratchDirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    startedAt = Date.now() - 1000; // mtime granularity
    const started = Date.now();
    // One sign-in for the file: the token lives in the Secret Service under the Vault address,
    // so every KEYFOB_HOME below uses it, as every terminal of one person does.
    await signIn(newUser());
    const token = await storedVaultToken(info());
    if (!token) throw new Error('keyfob login stored no Vault token in the Secret Service');
    issued['Vault token'] = token;
    console.info(`signed in through the browser command in ${Date.now() - started} ms`);
  });

  afterAll(() => {
    for (const user of users) user.dispose();
    for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('exec orders-ro -- psql prints a Vault-made role, and the role is gone once psql exits', async () => {
    const user = newUser();
    const result = expectSuccess(await user.run(['exec', 'orders-ro', '--', 'psql', '-tAc', 'select current_user']), 'exec orders-ro -- psql');
    const role = result.stdout.trim();
    expect(role).toMatch(/^v-[\w-]+$/);
    expect(result.stderr).toMatch(SESSION_LINE);
    expect(await roleExists(info(), role)).toBe(false);
  });

  it("exec exits with the command's exit code and still revokes the login", async () => {
    const user = newUser();
    const result = await user.run(['exec', 'orders-ro', '--', 'sh', '-c', 'echo "$PGUSER $PGPASSWORD"; exit 7']);
    expect(result.code, result.stderr).toBe(7);
    const [role, password] = result.stdout.trim().split(' ') as [string, string];
    expect(role).toMatch(/^v-/);
    expect(password.length).toBeGreaterThanOrEqual(16);
    issued['database password'] = password;
    expect(await roleExists(info(), role)).toBe(false);
  });

  it('exec web-ssh -- ssh logs in with the per-session agent under strict host key checking; no key file, no agent left', async () => {
    const user = newUser();
    const { sshd } = info();
    const ssh = [
      'ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes',
      '-o UserKnownHostsFile="$KEYFOB_SSH_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null',
      `-p ${sshd.port} ${sshd.user}@127.0.0.1 whoami`,
    ].join(' ');
    // After the login: what the agent holds, and where it listens, then a moment to look at it.
    const exec = user.start(['exec', 'web-ssh', '--', 'sh', '-c', `${ssh} && ssh-add -L && echo "agent=$SSH_AUTH_SOCK" && sleep 1`]);
    const [, socket] = (await exec.waitForStdout(/agent=(\S+)/)) as [string, string];
    const agents = processesMentioning(socket);
    expect(agents.length, 'a per-session ssh-agent runs while the command does').toBeGreaterThan(0);

    const result = await exec.exited;
    expect(result.code, result.stderr).toBe(0);
    const [whoami, certLine] = result.stdout.split('\n') as [string, string];
    expect(whoami).toBe(sshd.user);
    // "<type> <base64> keyfob web-ssh": sshpk reads no comment with a space in it.
    const cert = sshpk.parseCertificate(certLine.split(' ').slice(0, 2).join(' '), 'openssh');
    expect(cert.subjects.map((s) => s.uid)).toContain(sshd.user);
    sshSessionKeyFingerprint = cert.subjectKey.fingerprint('sha256').toString();

    for (const pid of agents) expect(isAlive(pid), `ssh-agent ${pid} after exec exited`).toBe(false);
    expect(processesMentioning(socket)).toEqual([]);
    expect(existsSync(dirname(socket)), "the agent's private directory is removed").toBe(false);
    expect(privateKeyFiles(filesChangedSince([user.home], 0))).toEqual([]);
    expect(sessionKeyFiles(filesChangedSince([tmpdir()], startedAt), sshSessionKeyFingerprint)).toEqual([]);
  });

  it('exec aws-dev -- env shows the three AWS variables; aws-credential-process prints the JSON the AWS CLI expects', async () => {
    const user = newUser();
    const env = expectSuccess(await user.run(['exec', 'aws-dev', '--', 'env']), 'exec aws-dev -- env');
    const vars = new Map(env.stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) expect(vars.get(name), name).toMatch(/^\S{8,}$/);
    issued['AWS secret key (exec)'] = vars.get('AWS_SECRET_ACCESS_KEY')!;
    issued['AWS session token (exec)'] = vars.get('AWS_SESSION_TOKEN')!;

    const processOut = expectSuccess(await user.run(['aws-credential-process', 'aws-dev']), 'aws-credential-process aws-dev');
    const creds = z
      .object({
        Version: z.literal(1),
        AccessKeyId: z.string().min(8),
        SecretAccessKey: z.string().min(8),
        SessionToken: z.string().min(8),
        Expiration: z.iso.datetime({ offset: true }),
      })
      .parse(JSON.parse(processOut.stdout));
    expect(Date.parse(creds.Expiration)).toBeGreaterThan(Date.now());
    expect(creds.SecretAccessKey).not.toBe(issued['AWS secret key (exec)']);
    issued['AWS secret key (credential_process)'] = creds.SecretAccessKey;
    issued['AWS session token (credential_process)'] = creds.SessionToken;
  });

  it('status --json counts down; renew past the max TTL reports the cap; revoke --all leaves no lease and no role and ends the exec', async () => {
    const user = newUser();
    const exec = user.start(['exec', 'orders-ro', '--', 'sleep', '60']);
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];

    const first = (await readStatus(user)).sessions.find((s) => s.id === id);
    expect(first).toMatchObject({ target: 'orders-ro', kind: 'database', state: 'active', pid: exec.pid, ownedByThisProcess: false });
    expect(first!.remainingSeconds).toBeGreaterThan(0);
    expect(first!.remainingSeconds).toBeLessThanOrEqual(DATABASE_TTL_SECONDS);
    await sleep(2500);
    const second = (await readStatus(user)).sessions.find((s) => s.id === id);
    expect(second!.remainingSeconds).toBeLessThan(first!.remainingSeconds);

    // Asking past the target's maxTtl is refused up front; asking for the whole maxTtl seconds
    // after issue runs into Vault's cap (max TTL counts from issue).
    const tooLong = await user.run(['renew', id, '--ttl', '1h']);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toContain(`above orders-ro's maximum of ${DATABASE_MAX_TTL_SECONDS} s`);
    const maxTtl = `${DATABASE_MAX_TTL_SECONDS}s`;
    const renewText = expectSuccess(await user.run(['renew', id, '--ttl', maxTtl]), `renew ${id} --ttl ${maxTtl}`);
    expect(renewText.stdout).toMatch(/max TTL/);
    const renewJson = z
      .object({ id: z.string(), target: z.string(), expiresAt: z.iso.datetime(), remainingSeconds: z.number(), capped: z.boolean() })
      .parse(JSON.parse(expectSuccess(await user.run(['renew', id, '--ttl', maxTtl, '--json']), `renew ${id} --ttl ${maxTtl} --json`).stdout));
    expect(renewJson).toMatchObject({ id, target: 'orders-ro', capped: true });
    expect(renewJson.remainingSeconds).toBeGreaterThan(0);
    expect(renewJson.remainingSeconds).toBeLessThanOrEqual(DATABASE_MAX_TTL_SECONDS);
    // The running exec and status agree on the capped expiry.
    const third = (await readStatus(user)).sessions.find((s) => s.id === id);
    expect(third!.expiresAt).toBe(renewJson.expiresAt);

    expect(await vaultMadeRoles(info())).toHaveLength(1);
    const revoke = expectSuccess(await user.run(['revoke', '--all']), 'revoke --all');
    expect(revoke.stdout).toContain(id);
    expect(await vaultMadeRoles(info())).toEqual([]);
    expect(await leasesUnder(info(), ORDERS_RO_LEASES)).toEqual([]);

    const end = await exec.exited;
    expect(end.stderr).toContain(`session ${id}: orders-ro ended (revoked)`);
    expect(end.code, 'the command was stopped (SIGTERM), and exec passes its code on').toBe(128 + 15);
    expect((await readStatus(user)).sessions).toEqual([]);
  });

  it('keyfob renew from another terminal keeps a running exec going past its old expiry', async () => {
    const user = newUser();
    const exec = user.start(['exec', 'orders-ro', '--ttl', '6s', '--', 'sleep', '9']);
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    expectSuccess(await user.run(['renew', id, '--ttl', `${DATABASE_MAX_TTL_SECONDS}s`]), `renew ${id} --ttl ${DATABASE_MAX_TTL_SECONDS}s`);
    const end = await exec.exited;
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).not.toContain('ended (expired)');
    expect(
      readAudit(user.home)
        .filter((e) => e.sessionId === id)
        .map((e) => [e.action, e.reason]),
    ).toEqual([
      ['issued', undefined],
      ['renewed', undefined],
      ['revoked', 'command-exit'],
    ]);
  });

  it("a SIGKILLed exec leaves its lease; the next keyfob command revokes it, and another terminal's exec keeps its session", async () => {
    const user = newUser(); // one KEYFOB_HOME, two terminals
    const doomed = user.start(['exec', 'orders-ro', '--', ...showRoleThenSleep(60)]);
    const survivor = user.start(['exec', 'orders-ro', '--', ...showRoleThenSleep(30)]);
    const [, doomedRole] = (await doomed.waitForStdout(ROLE_LINE)) as [string, string];
    const [, survivorRole] = (await survivor.waitForStdout(ROLE_LINE)) as [string, string];
    const [, doomedId] = (await doomed.waitForStderr(SESSION_LINE)) as [string, string];
    const [, survivorId] = (await survivor.waitForStderr(SESSION_LINE)) as [string, string];
    const doomedLease = readAudit(user.home).find((e) => e.sessionId === doomedId && e.action === 'issued')?.leaseId;
    expect(doomedLease).toBeDefined();

    process.kill(doomed.pid, 'SIGKILL'); // keyfob only: no chance to revoke
    await eventually('the killed keyfob is gone', () => !isAlive(doomed.pid));
    doomed.kill(); // its orphaned sleep
    await doomed.exited;
    expect(await roleExists(info(), doomedRole), 'a crash leaves the role').toBe(true);
    expect(await leasesUnder(info(), ORDERS_RO_LEASES)).toContain(doomedLease!.slice(ORDERS_RO_LEASES.length));

    const next = expectSuccess(await user.run(['status']), 'status after the crash');
    expect(next.stderr).toMatch(/revoked 1 credential\(s\) left by a keyfob process that is gone/);
    expect(await roleExists(info(), doomedRole)).toBe(false);
    expect(await leasesUnder(info(), ORDERS_RO_LEASES)).not.toContain(doomedLease!.slice(ORDERS_RO_LEASES.length));
    expect(readAudit(user.home)).toContainEqual(
      expect.objectContaining({ sessionId: doomedId, action: 'revoked', reason: 'crash-recovery', leaseId: doomedLease }),
    );
    expect(next.stdout).toContain(survivorId);
    expect(next.stdout).not.toContain(doomedId);

    expect(await roleExists(info(), survivorRole), "the live exec's role").toBe(true);
    const sessions = (await readStatus(user)).sessions;
    expect(sessions.map((s) => s.id)).toEqual([survivorId]);
    expect(sessions[0]).toMatchObject({ state: 'active', pid: survivor.pid });
    expect(isAlive(survivor.pid)).toBe(true);

    survivor.signalGroup('SIGTERM');
    await survivor.exited;
    expect(await roleExists(info(), survivorRole)).toBe(false);
  });

  it('Ctrl-C ends the command, revokes the role and exits 130', async () => {
    const user = newUser();
    const exec = user.start(['exec', 'orders-ro', '--', ...showRoleThenSleep(30)]);
    const [, role] = (await exec.waitForStdout(ROLE_LINE)) as [string, string];
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    expect(await roleExists(info(), role)).toBe(true);

    exec.signalGroup('SIGINT'); // what a terminal's Ctrl-C delivers: keyfob and its command
    const end = await exec.exited;
    expect(end.code, end.stderr).toBe(130);
    expect(end.ms).toBeLessThan(15_000);
    expect(await roleExists(info(), role)).toBe(false);
    expect(readAudit(user.home)).toContainEqual(expect.objectContaining({ sessionId: id, action: 'revoked', reason: 'command-exit' }));
  });

  it('a session that outlives its TTL is warned about, ends as expired, and its role is dropped', async () => {
    const user = newUser();
    const exec = user.start(['exec', 'orders-ro', '--', ...showRoleThenSleep(DATABASE_TTL_SECONDS * 3)]);
    const [, role] = (await exec.waitForStdout(ROLE_LINE)) as [string, string];
    const [, id] = (await exec.waitForStderr(SESSION_LINE)) as [string, string];
    expect(await roleExists(info(), role)).toBe(true);

    await exec.waitForStderr(new RegExp(`session ${id}: orders-ro expires in \\d+s`), DATABASE_TTL_SECONDS * 1000);
    const end = await exec.exited;
    expect(end.stderr).toContain(`session ${id}: orders-ro ended (expired)`);
    expect(end.ms, 'ends at the TTL, not when the command would have').toBeLessThan((DATABASE_TTL_SECONDS + 10) * 1000);
    expect(end.code).toBe(128 + 15);
    expect(await roleExists(info(), role)).toBe(false);
    expect(readAudit(user.home)).toContainEqual(expect.objectContaining({ sessionId: id, action: 'expired', reason: 'expired' }));
  }, 60_000);

  describe('bad input: one line on stderr, a non-zero exit, nothing issued', () => {
    /** A config file like the stack's, changed by `edit`. */
    const writeConfig = (edit: (config: Record<string, unknown> & { vault: { address: string }; targets: Record<string, unknown>[] }) => void) => {
      const config = parseYaml(readFileSync(fixture.stack.configFile, 'utf8')) as Parameters<typeof edit>[0];
      edit(config);
      const file = join(scratchDir(), 'config.yaml');
      writeFileSync(file, stringifyYaml(config), { mode: 0o600 });
      return file;
    };
    const expectRefused = async (result: KeyfobResult, message: RegExp) => {
      expect(result.code, result.stderr).not.toBe(0);
      expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toMatch(/^keyfob: /);
      expect(result.stderr).toMatch(message);
      expect(await vaultMadeRoles(info()), 'no role was issued').toEqual([]);
      expect(await leasesUnder(info(), ORDERS_RO_LEASES), 'no lease was issued').toEqual([]);
    };

    it('an unknown target', async () => {
      const user = newUser();
      await expectRefused(await user.run(['exec', 'no-such-target', '--', 'true']), /unknown target "no-such-target"/);
    });

    it('a malformed config (an unknown key) is named with its file and field', async () => {
      const file = writeConfig((c) => (c.targets[0]!.colour = 'red'));
      const user = newUser({ env: { KEYFOB_CONFIG: file } });
      const result = await user.run(['exec', 'orders-ro', '--', 'true']);
      await expectRefused(result, /colour/);
      expect(result.stderr).toContain(file);
    });

    it('not signed in', async () => {
      // No keychain to find the stored sign-in in: as a machine that never ran keyfob login.
      const user = newUser({ env: { KEYFOB_SECRET_STORE: 'memory' } });
      await expectRefused(await user.run(['exec', 'orders-ro', '--', 'true']), /not signed in.*keyfob login/);
    });

    it('Vault unreachable', async () => {
      // Signed in to Vault through a forwarder that then goes away, as a dropped VPN would.
      const forwarder = await forwardTo(info().vault.addr);
      const user = newUser({ env: { KEYFOB_CONFIG: writeConfig((c) => (c.vault.address = forwarder.address)) } });
      try {
        await signIn(user);
        const token = await storedVaultToken(info(), forwarder.address);
        if (token) issued['Vault token (through the forwarder)'] = token;
      } finally {
        await forwarder.close();
      }
      const result = await user.run(['exec', 'orders-ro', '--', 'true']);
      await expectRefused(result, /Vault could not be reached/);
      expect(result.stderr).toContain(forwarder.address);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  });

  // Last: everything above has issued its secrets by now.
  it('no issued password, private key or Vault token appears in any file under KEYFOB_HOME, the temp dir or the stack logs', () => {
    expect(Object.keys(issued)).toEqual(
      expect.arrayContaining(['Vault token', 'database password', 'AWS secret key (exec)', 'AWS session token (exec)', 'AWS secret key (credential_process)']),
    );
    const homes = filesChangedSince(
      users.map((u) => u.home),
      0,
    );
    const written = filesChangedSince([tmpdir(), fixture.dir], startedAt);
    const stackLogs = written.filter((f) => f.startsWith(fixture.dir) && /\.log$/.test(f));
    expect(homes.some((f) => f.endsWith('audit.jsonl'))).toBe(true);
    expect(stackLogs.length, 'the stack writes logs to scan').toBeGreaterThan(0);
    console.info(
      `scanned ${homes.length} files under KEYFOB_HOME and ${written.length} written to ${tmpdir()} during the run for ${Object.keys(issued).length} secrets`,
    );

    // The scanner does see what keyfob writes: the audit log's lease ids (not secrets) are found.
    const leaseId = users.flatMap((u) => readAudit(u.home)).find((e) => e.leaseId)?.leaseId;
    expect(findSecrets(homes, { 'a lease id': leaseId! })).not.toEqual([]);
    expect(findSecrets([...new Set([...homes, ...written])], issued)).toEqual([]);
    expect(privateKeyFiles(homes)).toEqual([]);
    if (sshSessionKeyFingerprint) expect(sessionKeyFiles(written, sshSessionKeyFingerprint)).toEqual([]);
  });
});

/**
 * Private key files holding the session's SSH key. Other suites running meanwhile write their own
 * test keys to the temp dir, so a key file counts only if it is ours (same public key) or sits in
 * a keyfob agent directory.
 */
function sessionKeyFiles(files: string[], fingerprint: string): string[] {
  return privateKeyFiles(files).filter((file) => {
    if (file.includes('keyfob-agent-')) return true;
    try {
      return sshpk.parsePrivateKey(readFileSync(file), 'auto').fingerprint('sha256').toString() === fingerprint;
    } catch {
      return false;
    }
  });
}
