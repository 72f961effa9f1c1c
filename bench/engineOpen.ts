// Part of (a, whole process): what opening the engine costs inside one process, measured in
// process so other load on the machine does not drown it: the keychain (probe round trip and
// reading the sign-in), and the whole openEngine + close (config, state dir, keychain, Vault
// client, journal, audit, crash recovery), as every keyfob command but `targets` pays it.
import { openEngine } from '../main/core/engine/engine.ts';
import { loadVaultToken, openSecretStore } from '../main/core/keychain/index.ts';
import { sample, summarize, type Summary } from './stats.ts';

export interface EngineOpenResult {
  keychain: Summary;
  openAndClose: Summary;
  storeKind: string;
}

export async function benchEngineOpen(env: NodeJS.ProcessEnv, vaultAddress: string, iterations: number): Promise<EngineOpenResult> {
  let storeKind = 'unknown';
  const keychain = await sample(iterations, 2, async () => {
    const store = await openSecretStore({ env });
    storeKind = store.kind;
    await loadVaultToken(store, vaultAddress);
  });
  const openAndClose = await sample(iterations, 2, async () => {
    const engine = await openEngine({ env });
    await engine.close();
  });
  return { keychain: summarize(keychain), openAndClose: summarize(openAndClose), storeKind };
}
