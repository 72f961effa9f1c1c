import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/core/audit/index.ts';
import { SessionDirectory } from '../../main/core/engine/sessionDirectory.ts';
import {
  Journal,
  MemoryJournal,
  describePendingRevocations,
  currentProcessIdentity,
  isOwnerAlive,
  readPidStartTime,
  recoverOrphans,
  revokeJournaledSession,
  SessionManager,
  stateDir,
  systemClock,
  withFileLock,
  type JournalEntry,
} from '../../main/core/sessions/index.ts';
import { FakeLeaseApi, MemoryAudit, leaseIdFor } from './sessions.fakes.ts';

const sessionsIndex = pathToFileURL(fileURLToPath(new URL('../../main/core/sessions/index.ts', import.meta.url))).href;
const auditIndex = pathToFileURL(fileURLToPath(new URL('../../main/core/audit/index.ts', import.meta.url))).href;
const journalModule = pathToFileURL(fileURLToPath(new URL('../../main/core/sessions/journal.ts', import.meta.url))).href;

let home: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'keyfob-journal-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function entry(n: number, changes: Partial<JournalEntry> = {}): JournalEntry {
  const now = Date.now();
  return {
    sessionId: `s${String(n).padStart(5, '0')}`,
    leaseId: leaseIdFor(n),
    targetId: 'orders-ro',
    kind: 'database',
    issuedAt: now,
    expiresAt: now + 1800_000,
    pid: process.pid,
    pidStartTime: readPidStartTime(process.pid),
    hostname: hostname(),
    state: 'active',
    revokeAttempts: 0,
    ...changes,
  };
}

function runNode(script: string, args: string[]): ChildProcess {
  const file = join(home, `child-${children.length}.mjs`);
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  for await (const line of lines) return line;
  throw new Error(`child exited without output: ${stderr}`);
}

/** A pid that is certainly dead: a child that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = runNode('', []);
  await exitCode(child);
  return child.pid!;
}

describe('stateDir', () => {
  it('uses KEYFOB_HOME, else the per-user data dir of the platform', () => {
    expect(stateDir({ KEYFOB_HOME: '/tmp/kf' })).toBe('/tmp/kf');
    expect(stateDir({}, 'linux', '/home/a')).toBe('/home/a/.local/share/keyfob');
    expect(stateDir({ XDG_DATA_HOME: '/x' }, 'linux', '/home/a')).toBe('/x/keyfob');
    expect(stateDir({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Application Support/Keyfob');
    expect(stateDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32', 'C:\\Users\\a')).toContain('Keyfob');
  });
});

describe('Journal', () => {
  it('adds, changes and removes entries in a file of JSON lines readable by the owner only', async () => {
    const journal = new Journal(home);
    await journal.put(entry(1));
    await journal.put(entry(2));
    await journal.patch('s00001', { state: 'expiring' });
    await journal.remove('s00002');
    const lines = readFileSync(journal.path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ version: 2 });
    expect(lines.slice(1)).toContainEqual({ del: 's00002' });
    const list = await journal.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ sessionId: 's00001', state: 'expiring' });
    expect((await import('node:fs')).statSync(journal.path).mode & 0o777).toBe(0o600);
    // No temp files or locks left behind; this process's lock owner file stays until it exits (fileLock.ts).
    expect(readdirSync(home).filter((f) => !f.startsWith('journal.json.lock.owner-'))).toEqual(['journal.json']);
  });

  // The journal stays open for appending between updates (journalFile.ts): a file another
  // process put in its place (its fold renames a new snapshot over the path) must get the next change.
  it('appends to the file now at its path after another process replaced it', async () => {
    const journal = new Journal(home);
    await journal.put(entry(1));
    const replacement = `${journal.path}.other`;
    writeFileSync(replacement, readFileSync(journal.path));
    renameSync(replacement, journal.path);
    await journal.put(entry(2));
    expect(readFileSync(journal.path, 'utf8')).toContain('s00002');
    expect((await new Journal(home).list()).map((e) => e.sessionId).sort()).toEqual(['s00001', 's00002']);
  });

  it('refuses a duplicate id and anything that is not a journal entry', async () => {
    const journal = new Journal(home);
    await journal.put(entry(1));
    await expect(journal.put(entry(1))).rejects.toMatchObject({ reason: 'JOURNAL_DUPLICATE_SESSION', code: 'internal' });
    await expect(journal.put({ ...entry(2), password: 'x' } as JournalEntry)).rejects.toMatchObject({ reason: 'JOURNAL_INVALID_ENTRY' });
    await expect(journal.put(entry(3, { targetId: 'hvs.CAESIJ8kR2x0b3Jvc3Rlc3Rfc2VjcmV0X3Rva2Vu' }))).rejects.toThrow(/Vault token/);
    expect((await journal.list()).map((e) => e.sessionId)).toEqual(['s00001']);
  });

  it('groups concurrent updates of one process into few writes without losing any', async () => {
    const journal = new Journal(home);
    await Promise.all(Array.from({ length: 100 }, (_, i) => journal.put(entry(i))));
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? journal.remove(entry(i).sessionId) : journal.patch(entry(i).sessionId, { state: 'revoking' }))),
    );
    const list = await journal.list();
    expect(list).toHaveLength(50);
    expect(list.every((e) => e.state === 'revoking')).toBe(true);
  });

  it.each([
    ['on disk', () => new Journal(home)],
    ['in memory', () => new MemoryJournal()],
  ])('%s: a change of one entry (patch, remove, the revoking mark) is checked like any other, and leaves the rest as it was', async (_where, open) => {
    const journal = open();
    const [one, two] = [entry(1), entry(2)];
    await journal.put(one);
    await journal.put(two);
    // A patch is validated: a secret or a wrong type is refused and nothing changes.
    await expect(journal.patch('s00001', { lastError: 'token hvs.CAESIJ8kR2x0b3Jvc3Rlc3Rfc2VjcmV0X3Rva2Vu' })).resolves.toBeUndefined();
    expect((await journal.list())[0]!.lastError).not.toContain('hvs.CAESIJ8');
    await expect(journal.patch('s00001', { revokeAttempts: -1 })).rejects.toMatchObject({ reason: 'JOURNAL_INVALID_ENTRY' });
    await expect(journal.patch('s00001', { pid: 'x' as unknown as number })).rejects.toMatchObject({ reason: 'JOURNAL_INVALID_ENTRY' });
    expect((await journal.list()).map((e) => [e.sessionId, e.revokeAttempts, e.pid])).toEqual([
      ['s00001', 0, one.pid],
      ['s00002', 0, two.pid],
    ]);
    // A mutation that adds an entry against its promise (only s00001) still has it checked.
    await expect(journal.update((entries) => void entries.push({ ...entry(3), hostname: 7 as unknown as string }), 's00001')).rejects.toMatchObject({
      reason: 'JOURNAL_INVALID_ENTRY',
    });
    await journal.patch('s00002', { state: 'revoking', endReason: 'logout' });
    await journal.remove('s00001');
    expect(await journal.list()).toEqual([{ ...two, state: 'revoking', endReason: 'logout' }]);
  });

  it('leaves the file alone when an update changes nothing (a read-only status rewrites nothing)', async () => {
    const journal = new Journal(home);
    await journal.put(entry(1));
    const { statSync } = await import('node:fs');
    const before = statSync(journal.path);
    await journal.patch('s00001', { state: 'active' });
    await journal.remove('no-such-session');
    await journal.update(() => undefined);
    const after = statSync(journal.path);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('keeps entries it does not understand (written by a newer keyfob)', async () => {
    const journal = new Journal(home);
    writeFileSync(journal.path, JSON.stringify({ version: 1, entries: [{ sessionId: 'future', someNewField: 1 }] }));
    await journal.put(entry(1));
    const file = JSON.parse(readFileSync(journal.path, 'utf8'));
    expect(file.entries).toContainEqual({ sessionId: 'future', someNewField: 1 });
    expect((await journal.list()).map((e) => e.sessionId)).toEqual(['s00001']);
  });

  it('moves an unreadable file aside and says so, instead of failing forever', async () => {
    const warnings: string[] = [];
    const journal = new Journal(home, { onWarning: (m) => warnings.push(m) });
    writeFileSync(journal.path, '{"version":1,"entries":[');
    await journal.put(entry(1));
    expect(warnings[0]).toMatch(/unreadable; it was moved to .*journal\.json\.corrupt-/);
    expect(readdirSync(home).some((f) => f.startsWith('journal.json.corrupt-'))).toBe(true);
    expect(await journal.list()).toHaveLength(1);
  });

  it('reads a version-1 journal (one JSON document) and keeps its entries', async () => {
    writeFileSync(join(home, 'journal.json'), JSON.stringify({ version: 1, entries: [entry(1)] }, null, 2));
    const journal = new Journal(home);
    expect((await journal.list()).map((e) => e.sessionId)).toEqual(['s00001']);
    await journal.put(entry(2));
    await journal.remove('s00001');
    expect((await new Journal(home).list()).map((e) => e.sessionId)).toEqual(['s00002']);
  });

  it('ignores a change cut short by a crash and keeps everything written before it', async () => {
    const journal = new Journal(home);
    await journal.put(entry(1));
    await journal.put(entry(2));
    // A crash in the middle of appending the removal of s00001: half a line, no newline.
    writeFileSync(journal.path, readFileSync(journal.path, 'utf8') + '{"del":"s000');
    expect((await journal.list()).map((e) => e.sessionId)).toEqual(['s00001', 's00002']);
    await journal.put(entry(3));
    expect((await new Journal(home).list()).map((e) => e.sessionId)).toEqual(['s00001', 's00002', 's00003']);
    for (const line of readFileSync(journal.path, 'utf8').trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('folds many changes into a new snapshot, so the file stays the size of what is out', async () => {
    const journal = new Journal(home);
    for (let i = 0; i < 200; i++) {
      await journal.put(entry(i));
      await journal.patch(entry(i).sessionId, { state: 'revoking' });
      await journal.remove(entry(i).sessionId);
    }
    await journal.put(entry(1000));
    expect(readFileSync(journal.path, 'utf8').trimEnd().split('\n').length).toBeLessThan(70);
    expect((await journal.list()).map((e) => e.sessionId)).toEqual(['s01000']);
  });

  it('tells a watcher when another process changes the journal', async () => {
    const mine = new Journal(home);
    const theirs = new Journal(home);
    let calls = 0;
    const changed = new Promise<void>((resolve) => {
      const watcher = mine.watch(() => {
        calls++;
        watcher.dispose();
        resolve();
      }, 10);
    });
    await theirs.put(entry(1));
    await changed;
    expect(calls).toBe(1);
  });

  it('stays consistent with 4 processes each adding 25 entries at once', async () => {
    const script = `
      import { Journal } from ${JSON.stringify(journalModule)};
      import { hostname } from 'node:os';
      const [dir, worker] = process.argv.slice(2);
      const journal = new Journal(dir);
      for (let i = 0; i < 25; i++) {
        const now = Date.now();
        await journal.put({ sessionId: 'w' + worker + '-' + i, leaseId: 'database/creds/ro/' + worker + '-' + i, targetId: 'orders-ro', kind: 'database',
          issuedAt: now, expiresAt: now + 60000, pid: process.pid, pidStartTime: null, hostname: hostname(), state: 'active', revokeAttempts: 0 });
      }
    `;
    const workers = [0, 1, 2, 3].map((w) => runNode(script, [home, String(w)]));
    const codes = await Promise.all(workers.map(exitCode));
    expect(codes).toEqual([0, 0, 0, 0]);
    const entries = await new Journal(home).list();
    expect(entries).toHaveLength(100);
    expect(new Set(entries.map((e: JournalEntry) => e.sessionId)).size).toBe(100);
    expect(readdirSync(home).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });
});

describe('journal lock', () => {
  it('breaks a lock left by a dead process', async () => {
    const lock = join(home, 'journal.json.lock');
    writeFileSync(lock, JSON.stringify({ pid: await deadPid(), pidStartTime: null, hostname: hostname() }));
    await expect(withFileLock(lock, () => 'got it', { timeoutMs: 1000 })).resolves.toBe('got it');
  });

  it('waits for a live holder, and gives up with a clear error', async () => {
    const lock = join(home, 'journal.json.lock');
    writeFileSync(lock, JSON.stringify(currentProcessIdentity()));
    await expect(withFileLock(lock, () => 'got it', { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('held it too long'),
    });
  });

  it('never breaks a lock by age while its owner lives (pid and start time), only when it is gone or unknown', async () => {
    const lock = join(home, 'journal.json.lock');
    const old = new Date(Date.now() - 60_000);
    writeFileSync(lock, JSON.stringify(currentProcessIdentity()));
    utimesSync(lock, old, old);
    await expect(withFileLock(lock, () => 'got it', { timeoutMs: 300, staleMs: 10_000 })).rejects.toMatchObject({
      message: expect.stringContaining('held it too long'),
    });
    if (process.platform === 'linux') {
      // The same pid, started at another time: a reused pid, so the owner is gone.
      const me = currentProcessIdentity();
      writeFileSync(lock, JSON.stringify({ ...me, pidStartTime: me.pidStartTime! - 1 }));
      await expect(withFileLock(lock, () => 'got it', { timeoutMs: 300 })).resolves.toBe('got it');
    }
    // No owner can be read (a crash mid-write): only age can tell.
    writeFileSync(lock, 'garbage');
    utimesSync(lock, old, old);
    await expect(withFileLock(lock, () => 'got it', { timeoutMs: 500, staleMs: 10_000 })).resolves.toBe('got it');
  });
});

describe('journal lock by owner file', () => {
  const ownerFiles = () => readdirSync(home).filter((f) => f.startsWith('journal.json.lock.owner-'));
  const putThen = (end: string) => `
    import { Journal } from ${JSON.stringify(journalModule)};
    import { hostname } from 'node:os';
    const journal = new Journal(process.argv[2]);
    const now = Date.now();
    await journal.put({ sessionId: 'c' + process.pid, leaseId: 'database/creds/ro/c', targetId: 'orders-ro', kind: 'database',
      issuedAt: now, expiresAt: now + 60000, pid: process.pid, pidStartTime: null, hostname: hostname(), state: 'active', revokeAttempts: 0 });
    ${end}
  `;

  it('is one file per process holding its identity, linked to the lock while held, gone when the process exits', async () => {
    const journal = new Journal(home);
    await journal.put(entry(1));
    await journal.remove('s00001');
    expect(ownerFiles()).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(home, ownerFiles()[0]!), 'utf8'))).toEqual(currentProcessIdentity());
    // Held: the lock is that same file under the lock's name, so a waiting process reads its owner.
    await withFileLock(
      `${journal.path}.lock`,
      () => expect(readFileSync(`${journal.path}.lock`, 'utf8')).toBe(readFileSync(join(home, ownerFiles()[0]!), 'utf8')),
      { ownerFile: true },
    );
    expect(readdirSync(home)).not.toContain('journal.json.lock');

    expect(await exitCode(runNode(putThen(''), [home]))).toBe(0);
    expect(ownerFiles()).toHaveLength(1); // the child's went with it
    expect((await journal.list()).map((e) => e.sessionId)).toHaveLength(1);
  });

  it('removes the owner file a killed process left, and breaks the lock it held', async () => {
    const killed = runNode(putThen(`await journal.update(() => process.kill(process.pid, 'SIGKILL'));`), [home]);
    await exitCode(killed);
    expect(ownerFiles()).toHaveLength(1);
    expect(readdirSync(home)).toContain('journal.json.lock'); // killed while holding it
    const journal = new Journal(home, { lock: { timeoutMs: 1000 } });
    await journal.put(entry(1));
    expect((await journal.list()).map((e) => e.sessionId).sort()).toEqual([`c${killed.pid}`, 's00001']);
    // Only this process's own owner file is left.
    expect(ownerFiles()).toHaveLength(1);
    expect(ownerFiles()[0]).toContain(`owner-${process.pid}-`);
  });
});

describe('process identity', () => {
  it('tells a live process from a dead one, and a reused pid from its first owner', async () => {
    const me = currentProcessIdentity();
    expect(isOwnerAlive(me)).toBe(true);
    expect(isOwnerAlive({ ...me, pid: await deadPid() })).toBe(false);
    // Another machine's sessions (shared home directory) are never ours to judge.
    expect(isOwnerAlive({ ...me, pid: await deadPid(), hostname: 'another-host' })).toBe(true);
    if (process.platform === 'linux') {
      expect(me.pidStartTime).toBeTypeOf('number');
      expect(isOwnerAlive({ ...me, pidStartTime: me.pidStartTime! - 1 })).toBe(false);
    }
  });
});

describe('recoverOrphans', () => {
  it('revokes the lease of a keyfob killed with SIGKILL, and leaves a live one alone', async () => {
    const script = `
      import { SessionManager, Journal, systemClock } from ${JSON.stringify(sessionsIndex)};
      import { AuditLog } from ${JSON.stringify(auditIndex)};
      const [dir, leaseId] = process.argv.slice(2);
      const leaseApi = { renewLease: async () => { throw new Error('no'); }, revokeLease: async () => {} };
      const manager = new SessionManager({ clock: systemClock, leaseApi, journal: new Journal(dir), audit: new AuditLog({ dir }) });
      const s = await manager.add({ targetId: 'orders-ro', kind: 'database', leaseId, ttlSeconds: 1800, renewable: true });
      console.log(s.id);
      setInterval(() => {}, 1000);
    `;
    const crashed = runNode(script, [home, leaseIdFor(1)]);
    const survivor = runNode(script, [home, leaseIdFor(2)]);
    const [crashedId, survivorId] = await Promise.all([firstLine(crashed), firstLine(survivor)]);
    crashed.kill('SIGKILL');
    await exitCode(crashed);

    const journal = new Journal(home);
    const audit = new AuditLog({ dir: home });
    const leaseApi = new FakeLeaseApi();
    const report = await recoverOrphans(journal, leaseApi, audit, systemClock);

    expect(leaseApi.revoked).toEqual([leaseIdFor(1)]);
    expect(report.revoked.map((e) => e.sessionId)).toEqual([crashedId]);
    expect(report.leftAlone.map((e) => e.sessionId)).toEqual([survivorId]);
    expect((await journal.list()).map((e) => e.sessionId)).toEqual([survivorId]);
    const line = audit.read().find((e) => e.sessionId === crashedId && e.action === 'revoked');
    expect(line).toMatchObject({ reason: 'crash-recovery', leaseId: leaseIdFor(1), target: 'orders-ro', detail: `owner pid ${crashed.pid} is gone` });

    survivor.kill('SIGTERM');
    await exitCode(survivor);
  });

  it('recovers from a crash right after a batch of changes written in one append (group commit)', async () => {
    const script = `
      import { Journal } from ${JSON.stringify(journalModule)};
      import { hostname } from 'node:os';
      const [dir, prefix] = process.argv.slice(2);
      const journal = new Journal(dir);
      const entry = (n) => ({ sessionId: 's' + n, leaseId: prefix + n, targetId: 'orders-ro', kind: 'database', issuedAt: Date.now(),
        expiresAt: Date.now() + 600000, pid: process.pid, pidStartTime: null, hostname: hostname(), state: 'active', revokeAttempts: 0 });
      for (const n of [1, 2, 3]) await journal.put(entry(n));
      // Asked for in one turn of the event loop: one locked write, one append.
      await Promise.all([journal.patch('s1', { state: 'revoking', endReason: 'logout' }), journal.remove('s2'), journal.put(entry(4))]);
      process.kill(process.pid, 'SIGKILL');
    `;
    const prefix = leaseIdFor(1).slice(0, -1);
    const crashed = runNode(script, [home, prefix]);
    await exitCode(crashed);
    const journal = new Journal(home);
    const lines = readFileSync(journal.path, 'utf8').trimEnd().split('\n');
    // The three changes are the last three lines, after the three puts.
    expect(
      lines
        .slice(-3)
        .map((l) => Object.keys(JSON.parse(l) as object)[0])
        .sort(),
    ).toEqual(['del', 'set', 'set']);
    expect((await journal.list()).map((e) => [e.sessionId, e.state])).toEqual([
      ['s1', 'revoking'],
      ['s3', 'active'],
      ['s4', 'active'],
    ]);

    const leaseApi = new FakeLeaseApi();
    const report = await recoverOrphans(journal, leaseApi, new AuditLog({ dir: home }), systemClock);
    expect(report.revoked.map((e) => e.sessionId).sort()).toEqual(['s1', 's3', 's4']);
    expect(leaseApi.revoked.sort()).toEqual([`${prefix}1`, `${prefix}3`, `${prefix}4`]);
    expect(await journal.list()).toEqual([]);
  });

  it('drops expired orphans, keeps failed revocations with their error, and retries them next time', async () => {
    const journal = new Journal(home);
    const audit = new AuditLog({ dir: home });
    const dead = await deadPid();
    await journal.put(entry(1, { pid: dead, pidStartTime: null }));
    await journal.put(entry(2, { pid: dead, pidStartTime: null, expiresAt: Date.now() - 1000 }));
    await journal.put(entry(3, { pid: dead, pidStartTime: null }));

    const failing = new FakeLeaseApi();
    failing.revokeFailure = (id) => (id === leaseIdFor(3) ? new Error('Vault unreachable') : undefined);
    const first = await recoverOrphans(journal, failing, audit, systemClock);
    expect(first.revoked.map((e) => e.sessionId)).toEqual(['s00001']);
    expect(first.expired.map((e) => e.sessionId)).toEqual(['s00002']);
    expect(first.failed).toMatchObject([{ sessionId: 's00003', lastError: 'Vault unreachable', revokeAttempts: 1 }]);
    expect(failing.revoked).toEqual([leaseIdFor(1)]); // never an expired lease

    const left = await journal.list();
    expect(left).toMatchObject([{ sessionId: 's00003', state: 'revoke-failed', pid: dead, lastError: 'Vault unreachable', revokeAttempts: 1 }]);
    expect(describePendingRevocations(left)).toBe('1 revocation pending retry');
    expect(audit.read().map((e) => `${e.sessionId} ${e.action}`)).toEqual(['s00002 expired', 's00001 revoked', 's00003 revoke-failed']);

    const second = await recoverOrphans(journal, new FakeLeaseApi(), audit, systemClock);
    expect(second.revoked.map((e) => e.sessionId)).toEqual(['s00003']);
    expect(await journal.list()).toEqual([]);
    expect(describePendingRevocations([])).toBeUndefined();
  });

  it('leaves keys handed to credential_process alone until they expire, but finishes a revocation asked for', async () => {
    const journal = new Journal(home);
    const audit = new AuditLog({ dir: home });
    const dead = await deadPid();
    await journal.put(entry(1, { pid: dead, pidStartTime: null, heldBy: 'credential-process' }));
    await journal.put(entry(2, { pid: dead, pidStartTime: null, heldBy: 'credential-process', expiresAt: Date.now() - 1000 }));
    await journal.put(
      entry(3, { pid: dead, pidStartTime: null, heldBy: 'credential-process', state: 'revoke-failed', revokeAttempts: 1, lastError: 'Vault unreachable' }),
    );
    const leaseApi = new FakeLeaseApi();
    const report = await recoverOrphans(journal, leaseApi, audit, systemClock);
    expect(report.leftAlone.map((e) => e.sessionId)).toEqual(['s00001']);
    expect(report.expired.map((e) => e.sessionId)).toEqual(['s00002']);
    expect(report.revoked.map((e) => e.sessionId)).toEqual(['s00003']);
    expect(leaseApi.revoked).toEqual([leaseIdFor(3)]);
    expect((await journal.list()).map((e) => e.sessionId)).toEqual(['s00001']);
  });

  it('lets another process revoke a session by id (keyfob revoke ID)', async () => {
    const journal = new Journal(home);
    const audit = new AuditLog({ dir: home });
    await journal.put(entry(5, { pid: 1 }));
    const leaseApi = new FakeLeaseApi();
    const r = await revokeJournaledSession('s00005', 'revoked', { journal, leaseApi, audit });
    expect(r.status).toBe('revoked');
    expect(leaseApi.revoked).toEqual([leaseIdFor(5)]);
    expect(await journal.list()).toEqual([]);
    expect(audit.read().at(-1)).toMatchObject({ action: 'revoked', reason: 'revoked', sessionId: 's00005' });
    expect((await revokeJournaledSession('s00005', 'revoked', { journal, leaseApi, audit })).status).toBe('not-found');
  });
});

describe('why a session ended, as another process reads it', () => {
  it('a reader that never saw the revoking mark still learns the reason from the removal', async () => {
    const owner = new Journal(home);
    const reader = new Journal(home);
    const directory = new SessionDirectory(
      reader,
      () => false,
      () => Date.now(),
    );
    await owner.put(entry(1, { pid: 4242 }));
    await directory.load();
    const ended: { id: string; reason: string }[] = [];
    directory.onDidEnd(({ entry: e, reason }) => ended.push({ id: e.sessionId, reason }));
    // The owner's command exits: its revoke path marks and removes before the reader looks again.
    await owner.patch('s00001', { state: 'revoking', endReason: 'command-exit' });
    await owner.remove('s00001');
    await directory.refresh();
    expect(ended).toEqual([{ id: 's00001', reason: 'command-exit' }]);
  });

  it('a removal with no reason on record reads as revoked before its expiry', async () => {
    const owner = new Journal(home);
    const directory = new SessionDirectory(
      new Journal(home),
      () => false,
      () => Date.now(),
    );
    await owner.put(entry(2, { pid: 4242 }));
    await directory.load();
    const reasons: string[] = [];
    directory.onDidEnd(({ reason }) => reasons.push(reason));
    await owner.remove('s00002');
    await directory.refresh();
    expect(reasons).toEqual(['revoked']);
  });

  it('keeps the reasons of removals folded into a snapshot', async () => {
    const owner = new Journal(home);
    for (let i = 0; i < 150; i++) {
      await owner.put(entry(i));
      await owner.patch(entry(i).sessionId, { state: 'revoking', endReason: 'command-exit' });
      await owner.remove(entry(i).sessionId);
    }
    const reader = new Journal(home);
    expect(await reader.list()).toEqual([]);
    expect(reader.endReasonOf('s00003')).toBe('command-exit');
    expect(reader.endReasonOf('s00149')).toBe('command-exit');
  });

  it('an owner stops without revoking what another process revoked, but revokes what a deleted journal lost', async () => {
    const leaseApi = new FakeLeaseApi();
    const manager = new SessionManager({
      clock: systemClock,
      leaseApi,
      journal: new Journal(home),
      audit: new MemoryAudit(),
      owner: { pid: process.pid, pidStartTime: readPidStartTime(process.pid), hostname: hostname() },
    });
    try {
      const elsewhere = await manager.add({ targetId: 'orders-ro', kind: 'database', leaseId: leaseIdFor(1), ttlSeconds: 1800, renewable: true });
      const lost = await manager.add({ targetId: 'orders-ro', kind: 'database', leaseId: leaseIdFor(2), ttlSeconds: 1800, renewable: true });
      const other = { journal: new Journal(home), leaseApi: new FakeLeaseApi(), audit: new MemoryAudit() };
      expect((await revokeJournaledSession(elsewhere.id, 'revoked', other)).status).toBe('revoked');
      expect(await manager.reconcile()).toEqual([elsewhere.id]);
      await manager.whenIdle();
      expect(leaseApi.revoked).toEqual([]);

      rmSync(join(home, 'journal.json'));
      expect(await manager.reconcile()).toEqual([]);
      await manager.whenIdle();
      expect(leaseApi.revoked).toEqual([leaseIdFor(2)]);
      expect(manager.list().map((x) => x.id)).not.toContain(lost.id);
    } finally {
      manager.dispose();
    }
  });
});
