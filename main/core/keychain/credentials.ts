// The only things Keyfob keeps in the secret store, each as one JSON value parsed by a schema
// on the way back in (a keychain is a boundary too):
// - the Vault token, with its accessor and expiry, under account "<vault address>";
// - SSO refresh material: the OIDC refresh token under account "sso:oidc:<issuer>", the IAM
//   Identity Center client registration and tokens under "sso:aws-sso:<start URL>@<region>";
// - each live session's child Vault token under "session-token:<vault address>:<accessor>"
//   (sessionTokens.ts).
// Issued database passwords and SSH keys never come here; AWS keys handed to credential_process
// are cached by aws/credentialCache.ts (docs/security.md).
import { z } from 'zod';
import { LOGIN_METHODS } from '../../../common/lists.ts';
import type { SecretStore } from './secretStore.ts';

const storedVaultTokenSchema = z.object({
  token: z.string().min(1),
  accessor: z.string(),
  /** ISO time the token expires; null for a token without expiry. */
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  renewable: z.boolean(),
  /** Who signed in, for `status` without a round trip (e.g. "oidc-alice@corp"). */
  displayName: z.string().optional(),
  /** The login method that produced it. */
  method: z.enum(LOGIN_METHODS).optional(),
});
export type StoredVaultToken = z.output<typeof storedVaultTokenSchema>;

const ssoMaterialSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type SsoMaterial = z.output<typeof ssoMaterialSchema>;
export type SsoMethod = 'oidc' | 'aws-sso';

/** The account name of the Vault token: the Vault address, without a trailing slash. */
export function vaultTokenKey(vaultAddress: string): string {
  return vaultAddress.replace(/\/+$/, '');
}

export function ssoKey(method: SsoMethod, url: string): string {
  return `sso:${method}:${url.replace(/\/+$/, '')}`;
}

/** Identity Center is keyed by start URL and region: its client and tokens belong to one region's OIDC service. */
export interface AwsSsoAccount {
  startUrl: string;
  region: string;
}

export function awsSsoKey(account: AwsSsoAccount): string {
  return `${ssoKey('aws-sso', account.startUrl)}@${account.region}`;
}

export async function saveAwsSsoMaterial(store: SecretStore, account: AwsSsoAccount, material: SsoMaterial): Promise<void> {
  await store.set(awsSsoKey(account), JSON.stringify(ssoMaterialSchema.parse(material)));
}

/**
 * The Identity Center material, moving an entry an older keyfob kept under the start URL alone
 * to the start URL and region (once: the old account is deleted).
 */
export async function loadAwsSsoMaterial(store: SecretStore, account: AwsSsoAccount): Promise<SsoMaterial | null> {
  const current = parseStored(await store.get(awsSsoKey(account)), ssoMaterialSchema);
  if (current) return current;
  const legacy = await loadSsoMaterial(store, 'aws-sso', account.startUrl);
  if (!legacy) return null;
  await saveAwsSsoMaterial(store, account, legacy);
  await forgetSsoMaterial(store, 'aws-sso', account.startUrl);
  return legacy;
}

/** Forgets the Identity Center material, and any entry left under the start URL alone. */
export async function forgetAwsSsoMaterial(store: SecretStore, account: AwsSsoAccount): Promise<boolean> {
  const forgot = await store.delete(awsSsoKey(account));
  return (await forgetSsoMaterial(store, 'aws-sso', account.startUrl)) || forgot;
}

export async function saveVaultToken(store: SecretStore, vaultAddress: string, value: StoredVaultToken): Promise<void> {
  await store.set(vaultTokenKey(vaultAddress), JSON.stringify(storedVaultTokenSchema.parse(value)));
}

/** The stored token, or null when there is none or what is there is not ours to trust. */
export async function loadVaultToken(store: SecretStore, vaultAddress: string): Promise<StoredVaultToken | null> {
  return parseStored(await store.get(vaultTokenKey(vaultAddress)), storedVaultTokenSchema);
}

export async function forgetVaultToken(store: SecretStore, vaultAddress: string): Promise<boolean> {
  return store.delete(vaultTokenKey(vaultAddress));
}

export async function saveSsoMaterial(store: SecretStore, method: SsoMethod, url: string, material: SsoMaterial): Promise<void> {
  await store.set(ssoKey(method, url), JSON.stringify(ssoMaterialSchema.parse(material)));
}

export async function loadSsoMaterial(store: SecretStore, method: SsoMethod, url: string): Promise<SsoMaterial | null> {
  return parseStored(await store.get(ssoKey(method, url)), ssoMaterialSchema);
}

export async function forgetSsoMaterial(store: SecretStore, method: SsoMethod, url: string): Promise<boolean> {
  return store.delete(ssoKey(method, url));
}

function parseStored<S extends z.ZodType>(text: string | null, schema: S): z.output<S> | null {
  if (text === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
