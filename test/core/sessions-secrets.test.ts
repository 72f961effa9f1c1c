// A whole session life (issue, renew, failed and retried revoke, crash recovery) with real files
// in a temp KEYFOB_HOME, where the fakes' errors and cleanup hooks carry real-looking secrets:
// none of those exact values may reach any file.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AuditLog } from '../../main/core/audit/index.ts';
import { FakeClock, Journal, SessionManager, recoverOrphans, stateDir } from '../../main/core/sessions/index.ts';
import { FakeLeaseApi, leaseIdFor } from './sessions.fakes.ts';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'keyfob-secrets-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

it('never writes an issued password, private key or Vault token to the journal or the audit log', async () => {
  const password = `A1a-${randomBytes(15).toString('base64url')}`;
  const vaultToken = `hvs.${randomBytes(24).toString('base64url')}`;
  const privateKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const awsKey = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;

  const dir = stateDir({ KEYFOB_HOME: home });
  const clock = new FakeClock();
  const leaseApi = new FakeLeaseApi();
  const journal = new Journal(dir);
  const audit = new AuditLog({ dir, now: () => clock.now() });
  const manager = new SessionManager({ clock, leaseApi, journal, audit, random: () => 0.5 });
  const problems: string[] = [];
  manager.onDidReportProblem((p) => problems.push(p));

  // Brokers hold secrets in memory; the hooks close over them.
  const held = { password, privateKey, awsKey };
  const db = await manager.add({
    targetId: 'orders-rw',
    kind: 'database',
    leaseId: leaseIdFor(1),
    ttlSeconds: 1800,
    renewable: true,
    onEnd: () => void (held.password = ''),
  });
  const ssh = await manager.add({
    targetId: 'web-ssh',
    kind: 'ssh',
    ttlSeconds: 1800,
    renewable: false,
    onEnd: () => {
      throw new Error(`agent cleanup failed: ${privateKey}`);
    },
  });
  const aws = await manager.add({ targetId: 'aws-dev', kind: 'aws', leaseId: `aws/sts/dev/${'x'.repeat(24)}`, ttlSeconds: 900, renewable: false });
  leaseApi.renewResponse = () => ({
    leaseDuration: 600,
    renewable: true,
    warnings: ['TTL of "1h" exceeded the effective max_ttl of "10m"; TTL value is capped accordingly'],
  });
  await manager.renew(db.id, 3600);

  // Errors from below quote secrets: a connection URI, the token, an AWS key.
  leaseApi.revokeFailure = () => new Error(`revoke via postgres://v-orders:${password}@127.0.0.1:5432 failed with token ${vaultToken} (${awsKey})`);
  await manager.end(db.id, 'command-exit');
  await manager.end(aws.id, 'revoked');
  await manager.end(ssh.id, 'command-exit');
  leaseApi.revokeFailure = () => undefined;
  await clock.advance(60_000);
  await manager.whenIdle();
  await recoverOrphans(journal, leaseApi, audit, clock);
  manager.dispose();

  const files = readdirSync(dir);
  expect(files).toContain('audit.jsonl');
  expect(files).toContain('journal.json');
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const secret of [password, vaultToken, awsKey, ...privateKey.split('\n').filter((l) => l.length > 20)]) {
      expect(text, `${file} holds a secret`).not.toContain(secret);
    }
  }
  expect(problems).toEqual([]);
  // Still useful: the log says what happened.
  expect(audit.read().map((e) => `${e.target} ${e.action}`)).toEqual([
    'orders-rw issued',
    'web-ssh issued',
    'aws-dev issued',
    'orders-rw renewed',
    'orders-rw revoke-failed',
    'aws-dev revoke-failed',
    'web-ssh revoked',
    'orders-rw revoked',
    'aws-dev revoked',
  ]);
  expect(held.password).toBe('');
});
