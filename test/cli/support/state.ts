// What a user (or an admin) can observe around the CLI: `status --json` parsed with the shared
// view schema, the audit log, Vault-made roles in PostgreSQL, leases in Vault, the stored token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { statusViewSchema, type StatusView } from '../../../common/views.ts';
import { auditEntrySchema, type AuditEntry } from '../../../main/core/audit/index.ts';
import { loadVaultToken, openSecretStore } from '../../../main/core/keychain/index.ts';
import { withPg } from '../../integration/support/postgres.ts';
import { vaultRequest } from '../../integration/support/vault.ts';
import type { StackInfo } from '../../stack/stack.ts';
import type { KeyfobResult, KeyfobUser } from './keyfob.ts';

export { roleExists } from '../../integration/support/postgres.ts';

/** Fails with everything keyfob said, so a failed step explains itself. */
export function expectSuccess(result: KeyfobResult, what: string): KeyfobResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code ?? result.signal}:\n--- stderr\n${result.stderr}\n--- stdout\n${result.stdout}`);
  return result;
}

/** `keyfob login` through the stack's browser command (BROWSER), as alice unless told otherwise. */
export async function signIn(user: KeyfobUser, method?: 'vault-oidc' | 'oidc'): Promise<KeyfobResult> {
  return expectSuccess(await user.run(['login', ...(method ? ['--method', method] : [])]), 'keyfob login');
}

/** `keyfob status --json`, parsed by the schema scripts rely on (common/views.ts). */
export async function readStatus(user: KeyfobUser): Promise<StatusView> {
  const result = expectSuccess(await user.run(['status', '--json']), 'keyfob status --json');
  return statusViewSchema.parse(JSON.parse(result.stdout));
}

/** The session id exec announces on stderr: `keyfob: session <id>: <target> until HH:MM; ...`. */
export const SESSION_LINE = /keyfob: session ([a-z0-9]+): (\S+) until \d\d:\d\d/;

/** KEYFOB_HOME/audit.jsonl, each line checked against the audit schema. */
export function readAudit(home: string): AuditEntry[] {
  let text: string;
  try {
    text = readFileSync(join(home, 'audit.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => auditEntrySchema.parse(JSON.parse(line)));
}

/** Roles Vault's database engine made (`v-…`) that exist in the stack's PostgreSQL now. */
export function vaultMadeRoles(info: StackInfo): Promise<string[]> {
  return withPg(info, info.postgres.adminUser, info.postgres.adminPassword, async (client) => {
    const res = await client.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%' ORDER BY rolname");
    return res.rows.map((r) => r.rolname);
  });
}

/** Lease ids Vault holds under `prefix` (e.g. database/creds/orders-ro/), asked with the root token; [] for none (404). */
export async function leasesUnder(info: StackInfo, prefix: string): Promise<string[]> {
  const reply = await vaultRequest(info.vault.addr, info.vault.rootToken, 'LIST', `sys/leases/lookup/${prefix}`);
  if (reply.status === 404) return [];
  if (reply.status !== 200) throw new Error(`LIST sys/leases/lookup/${prefix} answered ${reply.status}: ${reply.text}`);
  return z.object({ data: z.object({ keys: z.array(z.string()) }) }).parse(reply.body).data.keys;
}

/**
 * The Vault token keyfob keeps in the Secret Service for a Vault address (the stack's unless
 * told), read through @napi-rs/keyring as keyfob reads it.
 */
export async function storedVaultToken(info: StackInfo, vaultAddress = info.vault.addr): Promise<string | undefined> {
  const store = await openSecretStore({ env: {} });
  if (store.kind !== 'os-keychain') throw new Error('no Secret Service to read the token from');
  return (await loadVaultToken(store, vaultAddress))?.token;
}
