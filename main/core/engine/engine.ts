// Everything one keyfob process needs, opened in order: config, state dir, keychain, Vault
// client with the stored sign-in, journal, audit log, session manager; then crash recovery
// (a journaled lease whose owner is gone is a session that ended).
import { AuditLog } from '../audit/index.ts';
import { loadConfig, type KeyfobConfig, type Target } from '../config/index.ts';
import { loadVaultToken, openSecretStore, type SecretStore, type StoredVaultToken } from '../keychain/index.ts';
import {
  ensureStateDir,
  Journal,
  recoverOrphans,
  SessionManager,
  stateDir,
  systemClock,
  type Clock,
  type RecoveryReport,
} from '../sessions/index.ts';
import { createVaultClientFromConfig, type VaultClient } from '../vault/index.ts';
import { issueCredential, type IssuedCredential } from './issue.ts';
import { leaseScopeFor, type LeaseScope } from './leaseScope.ts';
import { TokenKeeper } from './tokenKeeper.ts';

export class NotSignedIn extends Error {}
export class UnknownTarget extends Error {}

export interface EngineOptions {
  configPath?: string;
  env: NodeJS.ProcessEnv;
  /** Where the engine tells the user things (stderr for the CLI, a notification in the tray). */
  tell: (line: string) => void;
  clock?: Clock;
}

export interface Engine {
  readonly config: KeyfobConfig;
  readonly configPath: string;
  readonly stateDir: string;
  readonly store: SecretStore;
  readonly vault: VaultClient;
  readonly journal: Journal;
  readonly audit: AuditLog;
  readonly sessions: SessionManager;
  readonly clock: Clock;
  readonly recovery: RecoveryReport | undefined;
  /** Whether a journaled lease may be revoked with this config (planted entries may not). */
  readonly leaseScope: LeaseScope;
  /** The stored Vault sign-in (null when signed out or expired). */
  signIn(): StoredVaultToken | null;
  /** Throws NotSignedIn with the next step; renews the token first if it is about to expire. */
  requireSignIn(): Promise<TokenKeeper>;
  target(id: string): Target;
  /** Issues a credential for `target` and registers its session (see issue.ts). */
  issue(target: Target, ttlSeconds: number, reason?: string): Promise<IssuedCredential>;
  close(): Promise<void>;
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const clock = options.clock ?? systemClock;
  const { path: configPath, config } = await loadConfig({ ...(options.configPath ? { path: options.configPath } : {}), env: options.env });
  const dir = await ensureStateDir(stateDir(options.env));
  const store = await openSecretStore({ env: options.env });
  let token = await loadVaultToken(store, config.vault.address);
  if (token?.expiresAt && Date.parse(token.expiresAt) <= clock.now()) token = null;
  const vault = await createVaultClientFromConfig(config.vault, token?.token);
  const journal = new Journal(dir);
  const audit = new AuditLog({ dir, user: () => token?.displayName });
  const sessions = new SessionManager({
    clock,
    leaseApi: vault,
    journal,
    audit,
    policy: { warnLeadSeconds: config.sessions.warnBefore, renewLeadSeconds: config.sessions.renewBefore },
  });
  // Recovery needs a token to revoke with; without one, orphans wait for the next signed-in start.
  const leaseScope = leaseScopeFor(config.targets);
  const recovery = token ? await recoverOrphans(journal, vault, audit, clock, { reportProblem: options.tell, leaseScope }) : undefined;
  if (recovery && recovery.revoked.length > 0) {
    options.tell(`revoked ${recovery.revoked.length} credential(s) left by a keyfob process that is gone (${recovery.revoked.map((e) => e.targetId).join(', ')})`);
  }
  let keeper: TokenKeeper | undefined;

  return {
    config,
    configPath,
    stateDir: dir,
    store,
    vault,
    journal,
    audit,
    sessions,
    clock,
    recovery,
    leaseScope,
    signIn: () => token,
    async requireSignIn() {
      if (!token) throw new NotSignedIn('you are not signed in to Vault (or your sign-in expired); run keyfob login');
      keeper ??= new TokenKeeper(token, { vault, store, vaultAddress: config.vault.address, clock, renewBeforeSeconds: config.sessions.renewBefore, tell: options.tell });
      await keeper.renewIfDue();
      token = keeper.token;
      return keeper;
    },
    target(id) {
      const target = config.targets.find((t) => t.id === id);
      if (!target) throw new UnknownTarget(`unknown target "${id}"; keyfob targets lists them`);
      return target;
    },
    issue(target, ttlSeconds, reason) {
      return issueCredential(target, ttlSeconds, { vault, sessions, store, awsSso: config.auth.awsSso, now: () => clock.now() }, reason);
    },
    async close() {
      keeper?.stop();
      await sessions.whenIdle();
      sessions.dispose();
      vault.close();
    },
  };
}
