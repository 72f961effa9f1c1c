// The local access stack (design.md, "The local stack"): real PostgreSQL and sshd, the OpenID
// Provider, the Vault-compatible server configured by the admin setup script, IAM Identity
// Center and PagerDuty look-alikes. Used by `npm run stack` and by the integration tests.
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupVault, sshCaPublicKey } from '../../admin/vault-setup.ts';
import { assertPrivateDir } from '../../main/core/base/privateFiles.ts';
import { startAwsSso } from './aws-sso.ts';
import { startOidcProvider } from './oidc/provider.ts';
import { startPagerDuty } from './pagerduty.ts';
import { startPostgres } from './postgres.ts';
import { startSshd } from './sshd.ts';
import { authBackends } from './vault/auth/index.ts';
import { engineBackends } from './vault/engines/index.ts';
import { startVaultServer } from './vault/server.ts';
import { stackConfig } from './stackConfig.ts';

export interface StackOptions {
  dir: string;
  /** Shorter than production so expiry can be watched in tests: database default and max TTL. */
  databaseTtl?: string;
  databaseMaxTtl?: string;
  /** Engineer Vault token TTL and max TTL (default 8h/24h), short to watch renewal and its cap. */
  tokenTtl?: string;
  tokenMaxTtl?: string;
}

export interface StackInfo {
  vault: { addr: string; rootToken: string };
  oidc: { issuer: string; users: string[]; passwords: Record<string, string>; keyfobClientId: string };
  postgres: { host: string; port: number; database: string; adminUser: string; adminPassword: string };
  sshd: { host: string; port: number; user: string; caPublicKey: string; knownHostsLine: string };
  awsSso: { endpoint: string; startUrl: string; region: string };
  /** `token` is alice's user API key; `tokens` has one per test user (alice on call now, bob on the next shift). */
  pagerduty: { url: string; token: string; tokens: Record<string, string> };
  browser: string;
  pids: Record<string, number>;
}

export interface Stack {
  info: StackInfo;
  stackFile: string;
  configFile: string;
  stop(): Promise<void>;
}

/**
 * Like Promise.all, but waits for every start to settle before failing, so nothing that is still
 * starting gets registered for stopping only after the stack has already been torn down.
 */
async function allStarted<T extends readonly unknown[] | []>(starts: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(starts);
  for (const r of results as PromiseSettledResult<unknown>[]) if (r.status === 'rejected') throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

const browserScript = fileURLToPath(new URL('./browser.ts', import.meta.url));

export async function startStack(opts: StackOptions): Promise<Stack> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  // stack.json names the BROWSER command keyfob runs: a dir another user can write could swap it.
  assertPrivateDir(opts.dir);
  const databaseTtl = opts.databaseTtl ?? '10m';
  const databaseMaxTtl = opts.databaseMaxTtl ?? '30m';
  const stops: (() => Promise<void>)[] = [];
  // In reverse start order (sshd before the Vault that signs for it, Vault before its PostgreSQL);
  // one run only, however often and from wherever (test hook, signal) stop is called.
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const stop of stops.reverse()) await stop().catch((e: unknown) => console.error(`stack: stop failed: ${String(e)}`));
    })());
  try {
    // Each service is registered for stopping as soon as it is up, so a sibling failing to start
    // does not leave it running.
    const started = <T extends { stop(): Promise<void> }>(service: T): T => {
      stops.push(service.stop);
      return service;
    };
    const [postgres, oidc] = await allStarted([startPostgres({ dir: opts.dir }).then(started), startOidcProvider().then(started)]);
    const users = oidc.users.map((u) => ({ name: u.name, password: u.password }));
    const [vault, awsSso, pagerduty] = await allStarted([
      startVaultServer({ backends: { ...engineBackends, ...authBackends } }).then(started),
      startAwsSso({ users }).then(started),
      startPagerDuty().then(started),
    ]);

    const sshUser = process.env.KEYFOB_STACK_SSH_USER ?? userInfo().username;
    await setupVault(vault.addr, vault.rootToken, {
      oidc: {
        discoveryUrl: oidc.issuer,
        vaultClientId: oidc.vaultClientId,
        vaultClientSecret: oidc.vaultClientSecret,
        keyfobClientId: oidc.keyfobClientId,
      },
      database: {
        host: postgres.host,
        port: postgres.port,
        name: postgres.database,
        adminUser: postgres.adminUser,
        adminPassword: postgres.adminPassword,
        defaultTtl: databaseTtl,
        maxTtl: databaseMaxTtl,
      },
      ssh: { allowedUsers: [sshUser], ttl: '10m', maxTtl: '30m' },
      aws: { roleArn: 'arn:aws:iam::111122223333:role/Developer' },
      engineersRespondToLeaks: true,
      ...(opts.tokenTtl ? { tokenTtl: opts.tokenTtl } : {}),
      ...(opts.tokenMaxTtl ? { tokenMaxTtl: opts.tokenMaxTtl } : {}),
    });
    const caPublicKey = await sshCaPublicKey(vault.addr);
    const sshd = started(await startSshd({ dir: join(opts.dir, 'sshd'), caPublicKey, user: sshUser }));

    const stackFile = join(opts.dir, 'stack.json');
    const configFile = join(opts.dir, 'config.yaml');
    const info: StackInfo = {
      vault: { addr: vault.addr, rootToken: vault.rootToken },
      oidc: {
        issuer: oidc.issuer,
        users: oidc.users.map((u) => u.name),
        passwords: Object.fromEntries(oidc.users.map((u) => [u.name, u.password])),
        keyfobClientId: oidc.keyfobClientId,
      },
      postgres: { host: postgres.host, port: postgres.port, database: postgres.database, adminUser: postgres.adminUser, adminPassword: postgres.adminPassword },
      sshd: { host: sshd.host, port: sshd.port, user: sshd.user, caPublicKey, knownHostsLine: sshd.knownHostsLine },
      awsSso: { endpoint: awsSso.endpoint, startUrl: awsSso.startUrl, region: awsSso.region },
      pagerduty: { url: pagerduty.url, token: pagerduty.token, tokens: Object.fromEntries(oidc.users.map((u) => [u.name, pagerduty.tokenFor(u.name)])) },
      // Quoted so a path with spaces survives BROWSER-style splitting (main/core/auth/browser.ts).
      browser: `"${process.execPath}" "${browserScript}" --stack "${stackFile}"`,
      pids: { postgres: postgres.pid, sshd: sshd.pid, stack: process.pid },
    };
    await writeFile(stackFile, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
    await writeFile(configFile, stackConfig(info, sshd.hostPublicKey, { databaseTtl, databaseMaxTtl }), { mode: 0o600 });
    return { info, stackFile, configFile, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
