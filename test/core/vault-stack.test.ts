// The Vault client against the stack's Vault-compatible server (core and KV only: no PostgreSQL
// or sshd needed), so the wrapper and the emulator agree on the wire format. The full flows
// (database, SSH, AWS, logins) run in the integration suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultClient, VaultError } from '../../main/core/vault/index.ts';
import { startVaultServer, type VaultServer } from '../stack/vault/server.ts';

let server: VaultServer;
let root: VaultClient;

beforeAll(async () => {
  server = await startVaultServer({ backends: {} });
  const mounted = await fetch(`${server.addr}/v1/sys/mounts/secret`, {
    method: 'POST',
    headers: { 'X-Vault-Token': server.rootToken, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'kv', options: { version: '2' } }),
  });
  expect(mounted.status).toBeLessThan(300);
  root = new VaultClient({ address: server.addr, token: server.rootToken });
});
afterAll(async () => {
  root?.close();
  await server?.stop();
});

describe('VaultClient against the stack Vault', () => {
  it('reads health and the token', async () => {
    expect(await root.health()).toMatchObject({ initialized: true, sealed: false });
    const self = await root.lookupSelf();
    expect(self.policies).toContain('root');
    expect(JSON.stringify(self)).not.toContain(server.rootToken);
  });

  it('writes and reads a KV v2 handoff note; a missing note is null', async () => {
    const written = await root.kvWrite('secret', 'handoff/alice', { note: 'orders-rw revoked at 18:00' });
    expect(written.version).toBe(1);
    expect(await root.kvRead('secret', 'handoff/alice')).toMatchObject({ data: { note: 'orders-rw revoked at 18:00' }, version: 1 });
    expect(await root.kvRead('secret', 'handoff/nobody')).toBeNull();
  });

  it('treats revoking an unknown lease as done, and renewing one as gone', async () => {
    await root.revokeLease('database/creds/orders-ro/doesnotexist000000000000');
    await expect(root.renewLease('database/creds/orders-ro/doesnotexist000000000000', 60)).rejects.toMatchObject({ code: 'LEASE_GONE' });
  });

  it('says the sign-in expired for a revoked token, without the token', async () => {
    const throwaway = new VaultClient({ address: server.addr, token: 'hvs.notarealtokenatall000000' });
    try {
      const error = await throwaway.lookupSelf().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VaultError);
      expect(error).toMatchObject({ code: 'AUTH_EXPIRED', message: 'Vault says your sign-in has expired or was revoked; run keyfob login' });
    } finally {
      throwaway.close();
    }
  });

  it('refuses a namespace on a server without namespaces, in one sentence', async () => {
    const namespaced = new VaultClient({ address: server.addr, token: server.rootToken, namespace: 'team-a' });
    try {
      await expect(namespaced.kvRead('secret', 'handoff/alice')).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        message: 'Vault refused secret/data/handoff/alice: namespaces feature not enabled',
      });
    } finally {
      namespaced.close();
    }
  });
});
