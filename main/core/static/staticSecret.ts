// Static secrets (`kind: static`): a KV v2 secret Keyfob copies to the clipboard and clears
// again, and whose current version's age it compares with the target's rotation period. Keyfob
// cannot revoke one; a leak is recorded and its owner rotates it (docs/runbook-leak.md).
import { KeyfobError } from '../base/keyfobError.ts';
import type { StaticTarget } from '../config/index.ts';
import type { Clock } from '../base/clock.ts';
import type { KvMetadata, KvSecret } from '../vault/index.ts';

export interface StaticAge {
  version: number;
  /** When the current version was written. */
  rotatedAt: Date;
  ageSeconds: number;
  rotationSeconds: number;
  /** Older than its rotation period. */
  overdue: boolean;
}

export interface KvApi {
  kvMetadata(mount: string, path: string): Promise<KvMetadata | null>;
  kvRead(mount: string, path: string): Promise<KvSecret | null>;
}

/** The age of the current version, from KV metadata (the secret itself is not read); null if nothing is there. */
export async function staticSecretAge(target: StaticTarget, kv: Pick<KvApi, 'kvMetadata'>, now: number): Promise<StaticAge | null> {
  const meta = await kv.kvMetadata(target.static.vaultMount, target.static.path);
  if (!meta) return null;
  const ageSeconds = Math.max(0, Math.floor((now - meta.currentVersionCreated.getTime()) / 1000));
  return {
    version: meta.currentVersion,
    rotatedAt: meta.currentVersionCreated,
    ageSeconds,
    rotationSeconds: target.static.rotation,
    overdue: ageSeconds > target.static.rotation,
  };
}

export interface Clipboard {
  read(): Promise<string>;
  write(text: string): Promise<void>;
}

/**
 * Copies the secret's field to the clipboard; the returned `cleared` settles once the clipboard
 * has been cleared after `clearAfter` (left alone if something else was copied meanwhile).
 */
export async function copyStaticSecret(
  target: StaticTarget,
  deps: { kv: Pick<KvApi, 'kvRead'>; clipboard: Clipboard; clock: Pick<Clock, 'setTimer'> },
): Promise<{ version: number; clearAfterSeconds: number; cleared: Promise<'cleared' | 'replaced'> }> {
  const s = target.static;
  const secret = await deps.kv.kvRead(s.vaultMount, s.path);
  if (!secret) throw new KeyfobError('vault-error', `${target.id}: nothing at ${s.vaultMount}/data/${s.path} in Vault (deleted, or never written)`);
  const value = secret.data[s.field];
  if (typeof value !== 'string')
    throw new KeyfobError('vault-error', `${target.id}: the secret at ${s.vaultMount}/data/${s.path} has no text field "${s.field}"`);
  await deps.clipboard.write(value);
  const cleared = new Promise<'cleared' | 'replaced'>((resolve, reject) => {
    deps.clock.setTimer(() => {
      void (async () => {
        // Only our copy is cleared: something the user copied since is theirs.
        if ((await deps.clipboard.read()) !== value) return resolve('replaced');
        await deps.clipboard.write('');
        resolve('cleared');
      })().catch(reject);
    }, s.clearAfter * 1000);
  });
  return { version: secret.version, clearAfterSeconds: s.clearAfter, cleared };
}
