// A session's child Vault token (engine/sessionLeases.ts): the token that read the session's
// lease, so its revoke-self ends that lease. It is a secret like the sign-in token, so it lives
// in the secret store, under account "session-token:<vault address>:<accessor>": any keyfob
// process that ends the session (the tray, a CLI in another terminal, crash recovery) finds it
// by the accessor the journal records. Deleted when the session ends.
import { z } from 'zod';
import type { SecretStore } from './secretStore.ts';

const storedSessionTokenSchema = z.object({ token: z.string().min(1), accessor: z.string().min(1) });

export function sessionTokenKey(vaultAddress: string, accessor: string): string {
  return `session-token:${vaultAddress.replace(/\/+$/, '')}:${accessor}`;
}

export async function saveSessionToken(store: SecretStore, vaultAddress: string, value: { token: string; accessor: string }): Promise<void> {
  await store.set(sessionTokenKey(vaultAddress, value.accessor), JSON.stringify(storedSessionTokenSchema.parse(value)));
}

/** The token, or null when the store has none (or what is there does not belong to that accessor). */
export async function loadSessionToken(store: SecretStore, vaultAddress: string, accessor: string): Promise<string | null> {
  const text = await store.get(sessionTokenKey(vaultAddress, accessor));
  if (text === null) return null;
  try {
    const parsed = storedSessionTokenSchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.accessor === accessor ? parsed.data.token : null;
  } catch {
    return null;
  }
}

export async function forgetSessionToken(store: SecretStore, vaultAddress: string, accessor: string): Promise<boolean> {
  return store.delete(sessionTokenKey(vaultAddress, accessor));
}
