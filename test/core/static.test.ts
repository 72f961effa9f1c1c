// Static targets against the stack's Vault (KV v2): the rotation age and overdue flag come from
// KV metadata, copying puts the field on the clipboard and clears it after clearAfter (FakeClock),
// and a leak records the incident without claiming a revocation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/core/audit/index.ts';
import { configSchema, type StaticTarget } from '../../main/core/config/index.ts';
import { reportStaticLeak } from '../../main/core/leak/index.ts';
import { FakeClock, settle } from '../../main/core/sessions/index.ts';
import { copyStaticSecret, staticSecretAge } from '../../main/core/static/index.ts';
import { VaultClient } from '../../main/core/vault/index.ts';
import { useStack } from '../integration/support/stack.ts';
import { vaultRequest } from '../integration/support/vault.ts';

const DAY = 86400;

describe('static targets against the stack', () => {
  const fixture = useStack();
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-static-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const staticTarget = (path: string): StaticTarget => {
    const config = configSchema.parse({
      version: 1,
      vault: { address: fixture.stack.info.vault.addr },
      auth: { default: 'vault-oidc', vaultOidc: { role: 'engineer' } },
      targets: [
        {
          id: 'webhook-signing',
          name: 'Webhook signing key',
          kind: 'static',
          impact: 'high',
          grants: 'sign webhooks as us',
          scope: 'payments webhooks',
          static: { path, rotation: '90d', clearAfter: '45s' },
        },
      ],
    });
    return config.targets[0] as StaticTarget;
  };
  const vault = () => new VaultClient({ address: fixture.stack.info.vault.addr, token: fixture.stack.info.vault.rootToken });
  const put = async (path: string, value: string) => {
    const reply = await vaultRequest(fixture.stack.info.vault.addr, fixture.stack.info.vault.rootToken, 'POST', `secret/data/${path}`, { data: { value } });
    expect(reply.status).toBe(200);
  };

  it('shows the age of the current version from KV metadata and flags it once older than its rotation', async () => {
    const target = staticTarget('static/webhook-age');
    const client = vault();
    try {
      expect(await staticSecretAge(target, client, Date.now())).toBeNull();
      await put('static/webhook-age', 'whsec_first');
      await put('static/webhook-age', 'whsec_second');
      const fresh = await staticSecretAge(target, client, Date.now());
      expect(fresh).toMatchObject({ version: 2, rotationSeconds: 90 * DAY, overdue: false });
      expect(fresh!.ageSeconds).toBeLessThan(60);
      const later = await staticSecretAge(target, client, fresh!.rotatedAt.getTime() + 91 * DAY * 1000);
      expect(later).toMatchObject({ version: 2, overdue: true, ageSeconds: 91 * DAY });
    } finally {
      client.close();
    }
  });

  it('copies the field to the clipboard and clears it after clearAfter, unless something else was copied', async () => {
    await put('static/webhook-copy', 'whsec_k2j4h5g6f7d8s9a0');
    const target = staticTarget('static/webhook-copy');
    const client = vault();
    const clock = new FakeClock(Date.now());
    let board = 'before';
    const clipboard = { read: async () => board, write: async (t: string) => void (board = t) };
    try {
      const copied = await copyStaticSecret(target, { kv: client, clipboard, clock });
      expect(board).toBe('whsec_k2j4h5g6f7d8s9a0');
      await clock.advance(44_000);
      await settle();
      expect(board).toBe('whsec_k2j4h5g6f7d8s9a0');
      await clock.advance(1_000);
      expect(await copied.cleared).toBe('cleared');
      expect(board).toBe('');

      const again = await copyStaticSecret(target, { kv: client, clipboard, clock });
      board = 'something the user copied';
      await clock.advance(45_000);
      expect(await again.cleared).toBe('replaced');
      expect(board).toBe('something the user copied');
    } finally {
      client.close();
    }
  });

  it('a leak is recorded with the version time and never claims a revocation', async () => {
    await put('static/webhook-leak', 'whsec_leaked');
    const target = staticTarget('static/webhook-leak');
    const client = vault();
    const audit = new AuditLog({ dir, user: () => 'alice' });
    try {
      const report = await reportStaticLeak(
        target,
        { note: 'in a screenshot' },
        {
          audit,
          vault: client,
          clock: { now: () => Date.now() },
          reportedBy: 'alice',
          settings: { runbook: 'docs/runbook-leak.md', incidents: { vaultMount: 'secret', path: 'incidents' }, prefixRevoke: [] },
        },
      );
      expect(report.incident).toMatchObject({ outcome: 'rotate-by-owner', revokedAt: null, grants: 'sign webhooks as us', note: 'in a screenshot' });
      expect(report.incident.issuedAt).not.toBeNull();
      expect(report.runbook).toBe('docs/runbook-leak.md');
      expect(report.recorded.vaultPath).toMatch(/^secret\/data\/incidents\/.+-webhook-signing-v1$/);
      expect(audit.read().find((e) => e.action === 'leak-reported')?.incident?.outcome).toBe('rotate-by-owner');
      expect(JSON.stringify(audit.read())).not.toContain('whsec_leaked');
    } finally {
      client.close();
    }
  });
});
