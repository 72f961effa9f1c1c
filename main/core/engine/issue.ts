// Turns a target into a live session: obtain the credential from Vault (or Identity Center),
// shape it for the command (brokers), and register the session so one revoke path ends it.
// Issued secrets stay in this process's memory: only the returned env carries them.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KeyfobError } from '../base/keyfobError.ts';
import { awsEnv, type AwsKeys } from '../brokers/aws.ts';
import { connectionUri, databaseEnv } from '../brokers/database.ts';
import type { AwsSsoSettings, AwsTarget, DatabaseTarget, SshTarget, Target } from '../config/index.ts';
import type { SecretStore } from '../keychain/index.ts';
import type { Session, SessionManager } from '../sessions/index.ts';
import type { CredentialsApi, LeaseApi } from '../vault/index.ts';
import { shortenIncrement } from '../sessions/leaseExpiry.ts';
import { awsSsoRoleCredentials } from './awsSsoSession.ts';
import type { SessionToken, SessionTokens } from './sessionLeases.ts';

export interface IssueDeps {
  /** Issues what has no Vault lease (SSH certificates). */
  vault: CredentialsApi & Pick<LeaseApi, 'renewLease'>;
  /** A child token per leased session: it reads the credential, so its revoke-self ends the lease (sessionLeases.ts). */
  sessionTokens: Pick<SessionTokens, 'open'>;
  sessions: SessionManager;
  store: SecretStore;
  awsSso: AwsSsoSettings | undefined;
  now: () => number;
  /** Told of every credential issued (keyed fingerprints for `keyfob scan`, main/core/leak). */
  onIssued?: (issued: IssuedCredential) => Promise<void>;
  /** The PATH the command will run with (ssh sessions put their no-multiplexing ssh first). */
  searchPath?: string | undefined;
}

export interface IssuedCredential {
  session: Session;
  /** Environment for the command: PG*, SSH_AUTH_SOCK, AWS_*. Holds secrets: memory only. */
  env: Record<string, string>;
  /** For "copy connection string" (database targets). */
  connectionUri?: string;
  /** For credential_process (aws targets). */
  awsKeys?: AwsKeys;
}

export async function issueCredential(target: Target, ttlSeconds: number, deps: IssueDeps, reason?: string): Promise<IssuedCredential> {
  const issued = await issueByKind(target, ttlSeconds, deps, reason);
  await deps.onIssued?.(issued);
  return issued;
}

/** A static secret is copied (keyfob copy), never issued: there is no session to end. */
export function staticNotIssued(targetId: string): KeyfobError {
  return new KeyfobError('usage', `${targetId} is a static secret: keyfob copy ${targetId} copies it; nothing is issued or revoked`);
}

function issueByKind(target: Target, ttlSeconds: number, deps: IssueDeps, reason: string | undefined): Promise<IssuedCredential> {
  switch (target.kind) {
    case 'database':
      return issueDatabase(target, ttlSeconds, deps, reason);
    case 'ssh':
      return issueSsh(target, ttlSeconds, deps, reason);
    case 'aws':
      return issueAws(target, ttlSeconds, deps, reason);
    case 'static':
      return Promise.reject(staticNotIssued(target.id));
  }
}

async function issueDatabase(target: DatabaseTarget, ttlSeconds: number, deps: IssueDeps, reason: string | undefined): Promise<IssuedCredential> {
  const db = target.database;
  const issuedAt = deps.now();
  return withSessionToken(target, ttlSeconds, deps, async (child) => {
    const creds = await child.vault.databaseCreds(db.vaultMount, db.vaultRole);
    // The role's default TTL applies at issue; a shorter --ttl ends the session (and revokes) sooner,
    // and the lease itself is shortened to match, so it dies on time even if keyfob never runs again.
    const leaseExpiresAt = await shortenLease(child.vault, deps.now, creds, ttlSeconds);
    const session = await deps.sessions.add({
      reason,
      targetId: target.id,
      kind: 'database',
      leaseId: creds.leaseId,
      childAccessor: child.accessor,
      ttlSeconds: Math.min(ttlSeconds, creds.leaseDuration),
      renewable: creds.renewable,
      issuedAt,
      maxExpiresAt: issuedAt + target.maxTtl * 1000,
      leaseExpiresAt,
    });
    const login = {
      host: db.host,
      port: db.port,
      database: db.name,
      username: creds.username,
      password: creds.password,
      sslmode: db.sslmode,
      sslrootcert: db.sslrootcert,
    };
    return { session, env: databaseEnv(login), connectionUri: connectionUri(login) };
  });
}

/**
 * Runs an issue with a fresh child token of the sign-in (sessionLeases.ts), made for this session:
 * the lease read with it belongs to it. If the issue fails, the child revokes itself, and with it
 * anything it read: nothing is left half-issued.
 */
async function withSessionToken(
  target: DatabaseTarget | AwsTarget,
  ttlSeconds: number,
  deps: IssueDeps,
  issue: (child: SessionToken) => Promise<IssuedCredential>,
): Promise<IssuedCredential> {
  const child = await deps.sessionTokens.open({ targetId: target.id, ttlSeconds, maxTtlSeconds: target.maxTtl });
  try {
    return await issue(child);
  } catch (error) {
    await child.discard();
    throw error;
  } finally {
    child.close();
  }
}

/**
 * Shortens a lease longer than the session to the session's TTL (one round trip, only when the
 * TTLs differ) and returns when Vault will expire it. If Vault refuses, the lease keeps its own
 * expiry, which is journaled: recovery and retries then revoke it until that time.
 */
async function shortenLease(
  vault: Pick<LeaseApi, 'renewLease'>,
  now: () => number,
  lease: { leaseId: string; leaseDuration: number; renewable: boolean },
  ttlSeconds: number,
): Promise<number> {
  const increment = shortenIncrement(lease, ttlSeconds);
  const fallback = now() + lease.leaseDuration * 1000;
  if (increment === undefined) return fallback;
  try {
    const renewed = await vault.renewLease(lease.leaseId, increment);
    return now() + renewed.leaseDuration * 1000;
  } catch {
    return fallback;
  }
}

async function issueSsh(target: SshTarget, ttlSeconds: number, deps: IssueDeps, reason: string | undefined): Promise<IssuedCredential> {
  const ssh = target.ssh;
  const principals = ssh.principals ?? [ssh.user];
  // sshpk and the agent code load only for SSH targets (CLI start-up time).
  const [{ makeSessionKeyPair }, { checkCertificate }, { startSessionAgent }, { noMultiplexingPath }] = await Promise.all([
    import('../ssh/keyPair.ts'),
    import('../ssh/certificate.ts'),
    import('../ssh/agent.ts'),
    import('../ssh/noMultiplexing.ts'),
  ]);
  const key = makeSessionKeyPair(`keyfob ${target.id}`);
  const signed = await deps.vault.sshSign(ssh.vaultMount, ssh.vaultRole, {
    publicKey: key.publicKey,
    validPrincipals: principals,
    ttl: ttlSeconds,
    ...(ssh.extensions ? { extensions: ssh.extensions } : {}),
  });
  const now = deps.now();
  const cert = checkCertificate(signed.signedKey, { publicKey: key.publicKey, principals, maxTtlSeconds: ttlSeconds, now: new Date(now) });
  const lifetime = Math.floor((cert.validBefore.getTime() - now) / 1000);
  const agent = await startSessionAgent();
  try {
    await agent.add({ certificateBlob: cert.blob, publicRaw: key.publicRaw, seed: key.seed, comment: `keyfob ${target.id}`, lifetimeSeconds: lifetime });
    key.seed.fill(0); // the agent holds it now
    const env: Record<string, string> = { SSH_AUTH_SOCK: agent.socketPath };
    // No ControlMaster may outlive the session (noMultiplexing.ts); the wrapper dir is the agent's.
    const path = await noMultiplexingPath(dirname(agent.socketPath), deps.searchPath);
    if (path) env.PATH = path;
    if (ssh.hostKey) {
      // The pinned host key, so the command can check the server strictly (public data).
      const knownHosts = join(dirname(agent.socketPath), 'known_hosts');
      const host = ssh.port === 22 ? ssh.host : `[${ssh.host}]:${ssh.port}`;
      await writeFile(knownHosts, `${host} ${ssh.hostKey}\n`, { mode: 0o600 });
      env.KEYFOB_SSH_KNOWN_HOSTS = knownHosts;
    }
    // Certificates cannot be revoked in Vault: the session ends by killing the agent.
    const session = await deps.sessions.add({
      reason,
      targetId: target.id,
      kind: 'ssh',
      ttlSeconds: lifetime,
      renewable: false,
      issuedAt: now,
      agentPid: agent.pid,
      agentStartTime: agent.pidStartTime,
      onEnd: () => agent.stop(),
    });
    return { session, env };
  } catch (error) {
    await agent.stop();
    throw error;
  }
}

async function issueAws(target: AwsTarget, ttlSeconds: number, deps: IssueDeps, reason: string | undefined): Promise<IssuedCredential> {
  const aws = target.aws;
  const issuedAt = deps.now();
  const region: Record<string, string> = aws.region ? { AWS_REGION: aws.region } : {};
  if (aws.source === 'vault') {
    return withSessionToken(target, ttlSeconds, deps, async (child) => {
      const creds = await child.vault.awsCreds(aws.vaultMount, aws.vaultRole, { type: aws.credentialType, ttl: ttlSeconds });
      const keys: AwsKeys = {
        accessKeyId: creds.accessKey,
        secretAccessKey: creds.secretKey,
        sessionToken: creds.sessionToken ?? undefined,
        expiresAt: issuedAt + creds.leaseDuration * 1000,
      };
      const session = await deps.sessions.add({
        reason,
        targetId: target.id,
        kind: 'aws',
        leaseId: creds.leaseId,
        childAccessor: child.accessor,
        ttlSeconds: creds.leaseDuration,
        renewable: creds.renewable,
        issuedAt,
        maxExpiresAt: issuedAt + target.maxTtl * 1000,
        leaseExpiresAt: issuedAt + creds.leaseDuration * 1000,
      });
      return { session, env: { ...awsEnv(keys), ...region }, awsKeys: keys };
    });
  }
  if (!deps.awsSso) throw new KeyfobError('config-invalid', `${target.id} uses IAM Identity Center, but the config has no auth.awsSso section`);
  const role = await awsSsoRoleCredentials(deps.store, deps.awsSso, aws.accountId, aws.roleName, issuedAt);
  const keys: AwsKeys = { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, sessionToken: role.sessionToken, expiresAt: role.expiration };
  // Identity Center keys cannot be revoked early: the session ends the local use of them.
  const session = await deps.sessions.add({
    reason,
    targetId: target.id,
    kind: 'aws',
    ttlSeconds: Math.max(1, Math.min(ttlSeconds, Math.floor((role.expiration - issuedAt) / 1000))),
    renewable: false,
    issuedAt,
  });
  return { session, env: { ...awsEnv(keys), ...region }, awsKeys: keys };
}
