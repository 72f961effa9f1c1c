// Benchmark (b): ending 100 sessions at once (logout, quit) against one revoke round trip.
// Real leases from the stack's Vault, each read with a child token of its own as Keyfob issues
// them (engine/sessionLeases.ts), are registered in a SessionManager on a real journal, then
// endAll('logout') ends them through the one revoke path (each child's revoke-self), bounded and
// with a deadline.
// Extra runs say where the time goes: the same with the journal in memory, with an instant
// Vault (journal alone), and with a Vault 20 ms away (a round trip that is waiting, not work,
// as over a real network; the stack runs as a process of its own: bench/stackProcess.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditLog } from '../main/core/audit/index.ts';
import type { KeyfobConfig, Target } from '../main/core/config/index.ts';
import { Journal, MemoryJournal, REVOKE_CONCURRENCY, SessionManager, systemClock, type SessionJournal } from '../main/core/sessions/index.ts';
import { SessionLeases } from '../main/core/engine/sessionLeases.ts';
import { MemorySecretStore } from '../main/core/keychain/index.ts';
import { createVaultClient, createVaultClientFromConfig, type Lease, type LeaseApi, type VaultClient } from '../main/core/vault/index.ts';
import { startDelayProxyThread } from './delayProxyWorker.ts';
import { now, since, summarize, type Summary } from './stats.ts';

export interface RevokeAllRun {
  label: string;
  concurrency: number;
  leases: number;
  endAllMs: number;
  /** endAllMs over the median single revoke of the same kind of Vault. */
  ratio: number;
  ended: number;
  failed: number;
  timedOut: number;
}

export interface RevokeAllResult {
  target: string;
  /** One revoke round trip to the stack's Vault through VaultClient. */
  singleRevoke: Summary;
  /** Issuing 100 leases one after another (for scale, not part of any ratio). */
  issue100Ms: number;
  runs: RevokeAllRun[];
  /** Through a delay proxy: the stack's Vault a real 20 ms round trip away, connections included. */
  proxied: { target: string; singleRevoke: Summary; runs: RevokeAllRun[] } | undefined;
}

export interface RevokeAllOptions {
  config: KeyfobConfig;
  token: string;
  targetId: string;
  leases: number;
  concurrencies: number[];
  singleSamples: number;
  /** Also run the default concurrency against this Vault target (e.g. aws-dev, no backend work). */
  compareTargetId?: string;
  /** Concurrencies for the runs against a Vault 20 ms away (simulated and through the proxy). */
  distantConcurrencies: number[];
  /** Runs per concurrency against a distant Vault; the one with the median endAll time is reported. */
  distantRounds: number;
  /** The Vault token's address (the stack's), for the proxy to forward to. */
  vaultAddress: string;
}

const SIMULATED_RTT_MS = 20;
const DEFAULT_CONCURRENCY = REVOKE_CONCURRENCY;

/** A lease and the accessor of the session token that read it (its revoke-self ends the lease). */
type IssuedLease = Lease & { childAccessor?: string };

/** Keyfob's lease API over `vault`: child tokens kept in one memory keychain, keyed by the stack's address. */
function sessionLeases(vault: VaultClient, store: MemorySecretStore, options: RevokeAllOptions): SessionLeases {
  return new SessionLeases(vault, store, options.config.vault.address, () => Date.now());
}

export async function benchRevokeAll(options: RevokeAllOptions): Promise<RevokeAllResult> {
  const target = targetById(options.config, options.targetId);
  const vault = await createVaultClientFromConfig(options.config.vault, options.token);
  const store = new MemorySecretStore('bench: session tokens');
  const leaseApi = sessionLeases(vault, store, options);
  try {
    const issue = leaseIssuer(leaseApi, target);
    const single = await singleRevokes(leaseApi, issue, options.singleSamples);
    const runs: RevokeAllRun[] = [];
    let issue100Ms = 0;
    for (const concurrency of options.concurrencies) {
      const start = now();
      const leases = await issueMany(issue, options.leases);
      issue100Ms ||= since(start);
      runs.push(await endAllRun(`${target.id}, disk journal`, target, leases, leaseApi, 'disk', concurrency, single.median));
    }
    runs.push(
      await endAllRun(`${target.id}, memory journal`, target, await issueMany(issue, options.leases), leaseApi, 'memory', DEFAULT_CONCURRENCY, single.median),
    );
    if (options.compareTargetId) {
      const other = targetById(options.config, options.compareTargetId);
      const otherIssue = leaseIssuer(leaseApi, other);
      const otherSingle = await singleRevokes(leaseApi, otherIssue, options.singleSamples);
      runs.push(
        await endAllRun(
          `${other.id}, disk journal (1 revoke ${otherSingle.median.toFixed(1)} ms)`,
          other,
          await issueMany(otherIssue, options.leases),
          leaseApi,
          'disk',
          DEFAULT_CONCURRENCY,
          otherSingle.median,
        ),
      );
    }
    const fakeLeases = Array.from({ length: options.leases }, (_, i) => ({
      leaseId: `${target.id}/fake/${i}`,
      leaseDuration: 600,
      renewable: false,
      warnings: [],
    }));
    runs.push(
      await endAllRun(
        'instant Vault, disk journal',
        target,
        fakeLeases,
        { renewLease: unused, revokeLease: async () => {} },
        'disk',
        DEFAULT_CONCURRENCY,
        Number.NaN,
      ),
    );
    const distant: LeaseApi = { renewLease: unused, revokeLease: () => sleep(SIMULATED_RTT_MS).then(() => undefined) };
    for (const concurrency of options.distantConcurrencies) {
      const label = `Vault ${SIMULATED_RTT_MS} ms away (simulated), disk journal`;
      runs.push(await medianRun(options.distantRounds, () => endAllRun(label, target, fakeLeases, distant, 'disk', concurrency, SIMULATED_RTT_MS)));
    }
    const proxied = options.compareTargetId ? await proxiedRuns(options, leaseApi, store, targetById(options.config, options.compareTargetId)) : undefined;
    return { target: target.id, singleRevoke: single, issue100Ms, runs, proxied };
  } finally {
    vault.close();
  }
}

/** Runs `once` `rounds` times and keeps the run with the median endAll time (one run alone was at the mercy of the load). */
async function medianRun(rounds: number, once: () => Promise<RevokeAllRun>): Promise<RevokeAllRun> {
  const runs: RevokeAllRun[] = [];
  for (let i = 0; i < Math.max(1, rounds); i++) runs.push(await once());
  runs.sort((a, b) => a.endAllMs - b.endAllMs);
  const median = runs[Math.floor((runs.length - 1) / 2)]!;
  return runs.length === 1 ? median : { ...median, label: `${median.label} (median of ${runs.length})` };
}

async function unused(): Promise<never> {
  throw new Error('not used by the benchmark');
}

async function singleRevokes(leaseApi: LeaseApi, issue: () => Promise<IssuedLease>, samples: number): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i < samples + 3; i++) {
    const lease = await issue();
    const start = now();
    await leaseApi.revokeLease(lease.leaseId, lease.childAccessor);
    if (i >= 3) times.push(since(start));
  }
  return summarize(times);
}

async function issueMany(issue: () => Promise<IssuedLease>, count: number): Promise<IssuedLease[]> {
  const leases: IssuedLease[] = [];
  for (let i = 0; i < count; i++) leases.push(await issue());
  return leases;
}

async function endAllRun(
  label: string,
  target: Target,
  leases: IssuedLease[],
  leaseApi: LeaseApi,
  journalKind: 'disk' | 'memory',
  concurrency: number,
  singleMs: number,
): Promise<RevokeAllRun> {
  if (target.kind === 'static') throw new Error(`${target.id} is a static secret: nothing to revoke`);
  const home = mkdtempSync(join(tmpdir(), 'keyfob-bench-revoke-'));
  const journal: SessionJournal = journalKind === 'disk' ? new Journal(home) : new MemoryJournal();
  const sessions = new SessionManager({ clock: systemClock, leaseApi, journal, audit: new AuditLog({ dir: home, user: () => 'bench' }) });
  try {
    for (const lease of leases) {
      await sessions.add({
        targetId: target.id,
        kind: target.kind,
        leaseId: lease.leaseId,
        ttlSeconds: lease.leaseDuration,
        renewable: lease.renewable,
        ...(lease.childAccessor ? { childAccessor: lease.childAccessor } : {}),
      });
    }
    await sessions.whenIdle();
    const start = now();
    const result = await sessions.endAll('logout', { concurrency });
    const endAllMs = since(start);
    await sessions.whenIdle();
    // Whatever the deadline left behind is revoked here, outside the measurement, so no lease outlives the bench.
    for (const id of [...result.failed.map((f) => f.sessionId), ...result.timedOut]) await sessions.end(id, 'logout');
    await sessions.whenIdle();
    return {
      label,
      concurrency,
      leases: leases.length,
      endAllMs,
      ratio: endAllMs / singleMs,
      ended: result.ended.length,
      failed: result.failed.length,
      timedOut: result.timedOut.length,
    };
  } finally {
    sessions.dispose();
    rmSync(home, { recursive: true, force: true });
  }
}

function targetById(config: KeyfobConfig, id: string): Target {
  const target = config.targets.find((t) => t.id === id);
  if (!target) throw new Error(`no target ${id} in the stack config`);
  return target;
}

/** Issues one lease, with a child token of its own, for a database target (a real PostgreSQL role) or a Vault aws target. */
function leaseIssuer(leases: SessionLeases, target: Target): () => Promise<IssuedLease> {
  const read = (): ((vault: Pick<VaultClient, 'databaseCreds' | 'awsCreds'>) => Promise<Lease>) => {
    if (target.kind === 'database') return (vault) => vault.databaseCreds(target.database.vaultMount, target.database.vaultRole);
    if (target.kind === 'aws' && target.aws.source === 'vault') {
      const { vaultMount, vaultRole, credentialType } = target.aws;
      return (vault) => vault.awsCreds(vaultMount, vaultRole, { type: credentialType, ttl: target.ttl });
    }
    throw new Error(`${target.id} does not issue Vault leases (${target.kind})`);
  };
  const readWith = read();
  return async () => {
    const child = await leases.open({ targetId: target.id, ttlSeconds: target.ttl, maxTtlSeconds: target.maxTtl });
    try {
      return { ...(await readWith(child.vault)), childAccessor: child.accessor };
    } finally {
      child.close();
    }
  };
}

/**
 * The stack's Vault behind a proxy that adds a 20 ms round trip (and one more for each new
 * connection): one revoke on a warm connection, then endAll from a fresh client, as a logout
 * process starts with no connections. The proxy runs on a thread of its own (delayProxyWorker.ts),
 * as a network does not run on the client's event loop (nor does the stack: bench/stackProcess.ts).
 */
async function proxiedRuns(options: RevokeAllOptions, direct: SessionLeases, store: MemorySecretStore, target: Target): Promise<RevokeAllResult['proxied']> {
  const proxy = await startDelayProxyThread(new URL(options.vaultAddress), SIMULATED_RTT_MS / 2);
  const timeoutSeconds = 30;
  try {
    // Issued directly (setup, not measured); ended through the proxy, finding each child token in the keychain.
    const issue = leaseIssuer(direct, target);
    const warm = await createVaultClient({ address: proxy.address, token: options.token, timeoutSeconds });
    const single = await singleRevokes(sessionLeases(warm, store, options), issue, options.singleSamples).finally(() => warm.close());
    const runs: RevokeAllRun[] = [];
    for (const concurrency of options.distantConcurrencies) {
      const once = async () => {
        const leases = await issueMany(issue, options.leases);
        const cold = await createVaultClient({ address: proxy.address, token: options.token, timeoutSeconds });
        try {
          return await endAllRun(
            `${target.id} through a ${SIMULATED_RTT_MS} ms proxy, fresh connections`,
            target,
            leases,
            sessionLeases(cold, store, options),
            'disk',
            concurrency,
            single.median,
          );
        } finally {
          cold.close();
        }
      };
      runs.push(await medianRun(options.distantRounds, once));
    }
    return { target: target.id, singleRevoke: single, runs };
  } finally {
    await proxy.close();
  }
}
