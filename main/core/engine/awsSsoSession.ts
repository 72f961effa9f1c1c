// The IAM Identity Center sign-in kept in the keychain, and role credentials from it. The AWS
// SDK loads only when credentials are actually asked for.
import type { AwsSsoToken, RoleCredentials } from '../auth/awsSso.ts';
import { SignInError } from '../auth/signInError.ts';
import type { AwsSsoSettings } from '../config/index.ts';
import { loadAwsSsoMaterial, type SecretStore } from '../keychain/index.ts';

/** The stored IAM Identity Center sign-in, if one is there and not expired. */
export async function storedAwsSso(store: SecretStore, settings: AwsSsoSettings, now: number): Promise<AwsSsoToken | null> {
  const m = await loadAwsSsoMaterial(store, settings);
  if (!m || typeof m.accessToken !== 'string' || typeof m.expiresAt !== 'number' || m.expiresAt <= now) return null;
  return {
    accessToken: m.accessToken,
    expiresAt: m.expiresAt,
    refreshToken: typeof m.refreshToken === 'string' ? m.refreshToken : undefined,
    clientId: String(m.clientId ?? ''),
    clientSecret: String(m.clientSecret ?? ''),
  };
}

export async function awsSsoRoleCredentials(
  store: SecretStore,
  settings: AwsSsoSettings,
  accountId: string,
  roleName: string,
  now: number,
): Promise<RoleCredentials> {
  const token = await storedAwsSso(store, settings, now);
  if (!token) throw new SignInError('you are not signed in to IAM Identity Center; run keyfob login --method aws-sso', 'not-signed-in');
  const { awsRoleCredentials } = await import('../auth/awsSso.ts');
  return awsRoleCredentials(settings, token.accessToken, accountId, roleName);
}
