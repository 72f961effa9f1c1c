import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/core/audit/index.ts';
import { Journal, recoverOrphans, systemClock } from '../../main/core/sessions/index.ts';
import { startSessionAgent, stopOrphanedAgent } from '../../main/core/ssh/agent.ts';
import { CertificateMismatch, checkCertificate } from '../../main/core/ssh/certificate.ts';
import { makeSessionKeyPair } from '../../main/core/ssh/keyPair.ts';

// A throwaway CA made for this test run signs the session key the way Vault's SSH CA would.
const work = mkdtempSync(join(tmpdir(), 'keyfob-ssh-test-'));
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'ca')]);
function sign(publicKey: string, principals: string, validity = '-1m:+5m'): string {
  const pub = join(work, `k${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(pub, publicKey + '\n');
  execFileSync('ssh-keygen', ['-q', '-s', join(work, 'ca'), '-I', 'vault-test', '-n', principals, '-V', validity, '-z', '4660', pub]);
  return readFileSync(pub.replace(/\.pub$/, '-cert.pub'), 'utf8');
}
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('session key and certificate', () => {
  it('accepts the certificate Vault made for our key, principals and TTL', () => {
    const key = makeSessionKeyPair();
    const cert = checkCertificate(sign(key.publicKey, 'deploy'), { publicKey: key.publicKey, principals: ['deploy'], maxTtlSeconds: 300, now: new Date() });
    expect(cert.principals).toEqual(['deploy']);
    expect(cert.serial).toBe('1234');
    expect(cert.keyId).toBe('vault-test');
    expect(cert.validBefore.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a certificate for another key, other principals, or a longer life than asked', () => {
    const key = makeSessionKeyPair();
    const other = makeSessionKeyPair();
    const expect0 = { publicKey: key.publicKey, principals: ['deploy'], maxTtlSeconds: 300, now: new Date() };
    expect(() => checkCertificate(sign(other.publicKey, 'deploy'), expect0)).toThrow(/different public key/);
    expect(() => checkCertificate(sign(key.publicKey, 'root'), expect0)).toThrow(/does not name deploy/);
    expect(() => checkCertificate(sign(key.publicKey, 'deploy', '-1m:+2h'), expect0)).toThrow(CertificateMismatch);
    expect(() => checkCertificate(sign(key.publicKey, 'deploy', '-10m:-5m'), expect0)).toThrow(/expired/);
  });
});

describe('per-session ssh-agent', () => {
  it('holds the certified key for its lifetime, then forgets it, and leaves no file behind', async () => {
    const key = makeSessionKeyPair('keyfob test');
    const cert = checkCertificate(sign(key.publicKey, 'deploy'), { publicKey: key.publicKey, principals: ['deploy'], maxTtlSeconds: 300, now: new Date() });
    const agent = await startSessionAgent();
    try {
      await agent.add({ certificateBlob: cert.blob, publicRaw: key.publicRaw, seed: key.seed, comment: 'keyfob test', lifetimeSeconds: 2 });
      const listed = execFileSync('ssh-add', ['-L'], { env: { ...process.env, SSH_AUTH_SOCK: agent.socketPath } }).toString();
      expect(listed).toContain('ssh-ed25519-cert-v01@openssh.com');
      expect(await agent.identityCount()).toBe(1);
      await new Promise((r) => setTimeout(r, 3500));
      expect(await agent.identityCount()).toBe(0);
    } finally {
      await agent.stop();
    }
    expect(() => process.kill(agent.pid, 0)).toThrow();
    const leftovers = readdirSync(tmpdir()).filter((f) => f.startsWith('keyfob-agent-'));
    expect(leftovers.filter((f) => agent.socketPath.includes(f))).toEqual([]);
  });
});

describe('an agent whose keyfob crashed', () => {
  it('is stopped by crash recovery from its journaled pid, directory and all', async () => {
    const agent = await startSessionAgent();
    const home = mkdtempSync(join(tmpdir(), 'keyfob-home-'));
    try {
      const deadPid = spawnSync('true').pid!; // a keyfob process that is gone
      const journal = new Journal(home);
      const now = Date.now();
      await journal.put({
        sessionId: 'agent1',
        targetId: 'web-ssh',
        kind: 'ssh',
        issuedAt: now,
        expiresAt: now + 600_000,
        pid: deadPid,
        pidStartTime: null,
        hostname: hostname(),
        state: 'active',
        revokeAttempts: 0,
        agentPid: agent.pid,
        agentStartTime: agent.pidStartTime!,
      });
      const leaseApi = { renewLease: async () => ({ leaseDuration: 0, renewable: false, warnings: [] }), revokeLease: async () => {} };
      const report = await recoverOrphans(journal, leaseApi, new AuditLog({ dir: home }), systemClock, { stopAgent: stopOrphanedAgent });
      expect(report.revoked.map((e) => e.sessionId)).toEqual(['agent1']);
      await new Promise((r) => setTimeout(r, 200));
      expect(() => process.kill(agent.pid, 0)).toThrow();
      expect(readdirSync(tmpdir()).some((f) => agent.socketPath.includes(f))).toBe(false);
    } finally {
      await agent.stop();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('is never confused with another process that got the same pid', async () => {
    expect(await stopOrphanedAgent({ pid: process.pid, pidStartTime: null, hostname: hostname() })).toBe(false);
    expect(() => process.kill(process.pid, 0)).not.toThrow();
  });

  it('is killed only when its start time and host match what was journaled', async () => {
    const agent = await startSessionAgent();
    try {
      expect(agent.pidStartTime).not.toBeNull(); // Linux: read from /proc at start
      const startTime = agent.pidStartTime!;
      // The pid now names a later process (another start time), or a process on another host.
      expect(await stopOrphanedAgent({ pid: agent.pid, pidStartTime: startTime + 1, hostname: hostname() })).toBe(false);
      expect(await stopOrphanedAgent({ pid: agent.pid, pidStartTime: startTime, hostname: `not-${hostname()}` })).toBe(false);
      expect(() => process.kill(agent.pid, 0)).not.toThrow();
      expect(await stopOrphanedAgent({ pid: agent.pid, pidStartTime: startTime, hostname: hostname() })).toBe(true);
    } finally {
      await agent.stop();
    }
  });
});
