// Who is signed in, as an email address: what PagerDuty and handoff records are matched on.
// Vault names a login token "<auth mount with / as ->-<alias>", and the alias is the role's
// user_claim (email in docs/vault-setup.md): "oidc-alice@example.com" is alice@example.com.
import type { KeyfobConfig } from '../config/index.ts';
import type { StoredVaultToken } from '../keychain/index.ts';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The signed-in email, or undefined when the sign-in does not carry one. */
export function signedInEmail(token: Pick<StoredVaultToken, 'displayName' | 'method'> | null, config: Pick<KeyfobConfig, 'auth'>): string | undefined {
  const name = token?.displayName;
  if (!name) return undefined;
  const mounts = [config.auth.vaultOidc?.mount, config.auth.oidc?.vaultMount].filter((m): m is string => !!m);
  for (const mount of mounts) {
    const prefix = `${mount.replace(/\//g, '-')}-`;
    if (name.startsWith(prefix) && EMAIL.test(name.slice(prefix.length))) return name.slice(prefix.length).toLowerCase();
  }
  // A mount the config does not name: the part after the first "-" when it is an address.
  const rest = name.slice(name.indexOf('-') + 1);
  return EMAIL.test(rest) ? rest.toLowerCase() : EMAIL.test(name) ? name.toLowerCase() : undefined;
}
