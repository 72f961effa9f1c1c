// Benchmark (a): what Keyfob adds to issuing and revoking a database credential, in process.
// Three paths, interleaved per iteration so load from other work on the machine hits all alike:
//   raw     fetch: POST auth/token/create (the session's child token), GET database/creds/<role>
//           with it, POST auth/token/revoke-self with it (ends the lease): Keyfob's Vault calls, nothing else;
//   client  the same three calls through Keyfob's VaultClient (node-vault, schemas, transport);
//   keyfob  the engine's path: guard rails, issueCredential (Vault + session + journal + audit),
//           then sessions.end(id, 'command-exit') (journal, revoke, audit).
// Journal and Vault calls are timed on the way through, to say where Keyfob's time goes.
// Keyfob's own time is taken per iteration (its issue + end minus the Vault calls on its path in
// that same iteration) and then summarized, rather than as a difference of two medians: the
// Vault calls vary by a few ms under load, and a difference of medians carries all of that noise.
// The journal alone and the bare fsync take their turns in the same loop, so they see the same load.
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, type AuditInput, type AuditSink } from '../main/core/audit/index.ts';
import type { KeyfobConfig } from '../main/core/config/index.ts';
import { checkGuardRails } from '../main/core/engine/guardRails.ts';
import { issueCredential } from '../main/core/engine/issue.ts';
import { SessionLeases, type SessionToken, type SessionTokens } from '../main/core/engine/sessionLeases.ts';
import { MemorySecretStore } from '../main/core/keychain/index.ts';
import { Journal, SessionManager, systemClock, type JournalEntry, type SessionJournal } from '../main/core/sessions/index.ts';
import { createVaultClientFromConfig, type VaultClient } from '../main/core/vault/index.ts';
import type { LeaseApi } from '../main/core/vault/leaseApi.ts';
import { now, sample, since, summarize, type Summary } from './stats.ts';

export interface IssuanceResult {
  target: string;
  raw: Summary;
  client: Summary;
  keyfob: Summary;
  /** Per keyfob iteration: time inside Vault calls, inside awaited journal writes, audit appends. */
  keyfobVault: Summary;
  /** Per keyfob iteration: its time minus its Vault calls' time (Keyfob's own work and waits). */
  keyfobOwn: Summary;
  keyfobJournal: Summary;
  keyfobAudit: Summary;
  /** One journal put + remove on its own (lock, read, append, one fdatasync for the put). */
  journalAlone: Summary;
  /** The floor: appending a journal-sized line to a file and fdatasyncing it, nothing else. */
  bareFsync: Summary;
}

/** Adds up the time spent in the calls it passes through. */
class Meter {
  total = 0;
  async time<T>(work: () => Promise<T>): Promise<T> {
    const start = now();
    try {
      return await work();
    } finally {
      this.total += since(start);
    }
  }
  take(): number {
    const t = this.total;
    this.total = 0;
    return t;
  }
}

/** A journal that times the writes the session manager waits for (put on issue, remove on end). */
function meteredJournal(inner: SessionJournal, awaited: Meter): SessionJournal {
  return {
    put: (entry: JournalEntry) => awaited.time(() => inner.put(entry)),
    // patch('revoking') is not awaited by the revoke path: it overlaps the revoke round trip.
    patch: (id, changes) => inner.patch(id, changes),
    remove: (id) => awaited.time(() => inner.remove(id)),
    list: () => inner.list(),
    update: (mutate, only) => inner.update(mutate, only),
  };
}

function meteredAudit(inner: AuditSink, meter: Meter): AuditSink {
  return {
    append(entry: AuditInput) {
      const start = now();
      try {
        inner.append(entry);
      } finally {
        meter.total += since(start);
      }
    },
  };
}

export interface IssuanceOptions {
  config: KeyfobConfig;
  token: string;
  targetId: string;
  iterations: number;
  warmup: number;
}

export async function benchIssuance(options: IssuanceOptions): Promise<IssuanceResult> {
  const { config, token } = options;
  const target = config.targets.find((t) => t.id === options.targetId);
  if (!target || target.kind !== 'database') throw new Error(`${options.targetId} is not a database target in the stack config`);
  const home = mkdtempSync(join(tmpdir(), 'keyfob-bench-home-'));
  const vault = await createVaultClientFromConfig(config.vault, token);
  const vaultMeter = new Meter();
  const journalMeter = new Meter();
  const auditMeter = new Meter();
  // Vault calls on the keyfob path go through a second client so the "client" path stays unmetered.
  const keyfobVault = await createVaultClientFromConfig(config.vault, token);
  const databaseCreds = keyfobVault.databaseCreds.bind(keyfobVault);
  keyfobVault.databaseCreds = (mount, role) => vaultMeter.time(() => databaseCreds(mount, role));
  const store = new MemorySecretStore('benchmark');
  // Keyfob's path reads each lease with a per-session child token (engine/sessionLeases.ts): its
  // creation and its revoke-self are Vault calls of the keyfob path, metered like the read.
  const childTokens = new SessionLeases(keyfobVault, store, config.vault.address, () => Date.now());
  const sessionTokens: Pick<SessionTokens, 'open'> = {
    open: async (request) => {
      const child = await vaultMeter.time(() => childTokens.open(request));
      const inner = child.vault;
      const vault: SessionToken['vault'] = {
        databaseCreds: (mount, role) => vaultMeter.time(() => inner.databaseCreds(mount, role)),
        sshSign: (...args) => inner.sshSign(...args),
        awsCreds: (...args) => inner.awsCreds(...args),
        renewLease: (...args) => inner.renewLease(...args),
      };
      return { ...child, vault };
    },
  };
  const leaseApi: LeaseApi = {
    renewLease: (id, inc, accessor) => childTokens.renewLease(id, inc, accessor),
    revokeLease: (id, accessor) => vaultMeter.time(() => childTokens.revokeLease(id, accessor)),
    forgetSessionToken: (accessor) => childTokens.forgetSessionToken(accessor),
  };
  const journal = new Journal(home);
  const audit = meteredAudit(new AuditLog({ dir: home, user: () => 'bench' }), auditMeter);
  const sessions = new SessionManager({
    clock: systemClock,
    leaseApi,
    journal: meteredJournal(journal, journalMeter),
    audit,
    policy: { warnLeadSeconds: config.sessions.warnBefore, renewLeadSeconds: config.sessions.renewBefore },
  });
  const guardRailEngine = { config, audit, store, clock: systemClock, signIn: () => null };
  const { vaultMount, vaultRole } = target.database;

  const raw = () => rawIssueAndRevoke(config.vault.address, token, vaultMount, vaultRole);
  const client = () => clientIssueAndRevoke(vault, vaultMount, vaultRole);
  const keyfob = async () => {
    const { ttlSeconds } = await checkGuardRails(guardRailEngine, target, {}, {});
    const issued = await issueCredential(target, ttlSeconds, { vault: keyfobVault, sessionTokens, sessions, store, awsSso: undefined, now: () => Date.now() });
    const outcome = await sessions.end(issued.session.id, 'command-exit');
    if (outcome.status !== 'ended') throw new Error(`revoke failed in the benchmark: ${JSON.stringify(outcome)}`);
  };

  try {
    for (let i = 0; i < options.warmup; i++) {
      await raw();
      await client();
      await keyfob();
    }
    vaultMeter.take();
    journalMeter.take();
    auditMeter.take();
    const samples = {
      raw: [] as number[],
      client: [] as number[],
      keyfob: [] as number[],
      vault: [] as number[],
      own: [] as number[],
      journal: [] as number[],
      audit: [] as number[],
      journalAlone: [] as number[],
      bareFsync: [] as number[],
    };
    const probe = join(home, 'fsync-probe');
    await journalPutRemove(journal);
    await appendAndSync(probe);
    for (let i = 0; i < options.iterations; i++) {
      samples.raw.push(...(await sample(1, 0, raw)));
      samples.client.push(...(await sample(1, 0, client)));
      const [keyfobMs] = await sample(1, 0, keyfob);
      const vaultMs = vaultMeter.take();
      samples.keyfob.push(keyfobMs!);
      samples.vault.push(vaultMs);
      samples.own.push(keyfobMs! - vaultMs);
      samples.journal.push(journalMeter.take());
      samples.audit.push(auditMeter.take());
      // Anything the end left in the background (the journal's removal) finishes before the next path runs.
      await sessions.whenIdle();
      samples.journalAlone.push(...(await sample(1, 0, () => journalPutRemove(journal))));
      samples.bareFsync.push(...(await sample(1, 0, () => appendAndSync(probe))));
    }
    return {
      target: target.id,
      raw: summarize(samples.raw),
      client: summarize(samples.client),
      keyfob: summarize(samples.keyfob),
      keyfobVault: summarize(samples.vault),
      keyfobOwn: summarize(samples.own),
      keyfobJournal: summarize(samples.journal),
      keyfobAudit: summarize(samples.audit),
      journalAlone: summarize(samples.journalAlone),
      bareFsync: summarize(samples.bareFsync),
    };
  } finally {
    await sessions.whenIdle();
    sessions.dispose();
    vault.close();
    keyfobVault.close();
    rmSync(home, { recursive: true, force: true });
  }
}

async function rawIssueAndRevoke(address: string, token: string, mount: string, role: string): Promise<void> {
  const headers = (t: string) => ({ 'X-Vault-Token': t, 'X-Vault-Request': 'true', 'Content-Type': 'application/json' });
  const created = await fetch(`${address}/v1/auth/token/create`, {
    method: 'POST',
    headers: headers(token),
    body: JSON.stringify({ ttl: '1h', explicit_max_ttl: '2h', display_name: 'keyfob-bench', renewable: true }),
  });
  const child = ((await created.json()) as { auth?: { client_token?: string } }).auth?.client_token;
  if (!created.ok || !child) throw new Error(`raw child token failed: ${created.status}`);
  const creds = await fetch(`${address}/v1/${mount}/creds/${role}`, { headers: headers(child) });
  const body = (await creds.json()) as { lease_id?: string };
  if (!creds.ok || !body.lease_id) throw new Error(`raw creds failed: ${creds.status}`);
  const revoke = await fetch(`${address}/v1/auth/token/revoke-self`, { method: 'POST', headers: headers(child) });
  await revoke.arrayBuffer();
  if (!revoke.ok) throw new Error(`raw revoke-self failed: ${revoke.status}`);
}

async function clientIssueAndRevoke(vault: VaultClient, mount: string, role: string): Promise<void> {
  const auth = await vault.createChildToken({ ttlSeconds: 3600, explicitMaxTtlSeconds: 7200, displayName: 'keyfob-bench' });
  const child = vault.withToken(auth.clientToken);
  try {
    await child.databaseCreds(mount, role);
    await child.revokeSelf();
  } finally {
    child.close();
  }
}

/** The two awaited journal writes of one session, without any network. */
async function journalPutRemove(journal: Journal): Promise<void> {
  const entry: JournalEntry = {
    sessionId: `b${Math.random().toString(36).slice(2, 7)}`,
    leaseId: 'database/creds/bench/abc',
    targetId: 'bench',
    kind: 'database',
    issuedAt: Date.now(),
    expiresAt: Date.now() + 600_000,
    pid: process.pid,
    pidStartTime: null,
    hostname: 'bench',
    state: 'active',
    revokeAttempts: 0,
  };
  await journal.put(entry);
  await journal.remove(entry.sessionId);
}

/** What one durable journal write cannot avoid: append a line the size of an entry, fdatasync. */
async function appendAndSync(file: string): Promise<void> {
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify({ set: { sessionId: 'bench', leaseId: 'database/creds/bench/'.padEnd(80, 'x'), pad: ''.padEnd(200, ' ') } })}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
