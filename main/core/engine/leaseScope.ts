// A journal entry names a lease for this process's Vault token to revoke. The journal is a file
// in the state dir: an entry planted there (by another local user, or a config that no longer
// has the target) must not make the user's token revoke a lease the entry's author chose. So a
// journaled lease is revoked only when its id starts with the Vault path its target issues from.
import type { Target } from '../config/index.ts';

/** Why a journaled lease may not be revoked with this config, or undefined when it may. */
export type LeaseScope = (entry: { targetId: string; leaseId?: string | undefined }) => string | undefined;

/** The request path a target's leases are issued from (lease ids start with it), if it has leases. */
export function leasePathOf(target: Target): string | undefined {
  switch (target.kind) {
    case 'database':
      return `${target.database.vaultMount}/creds/${target.database.vaultRole}`;
    case 'aws':
      return target.aws.source === 'vault' ? `${target.aws.vaultMount}/${target.aws.credentialType}/${target.aws.vaultRole}` : undefined;
    case 'ssh':
      return undefined;
  }
}

export function leaseScopeFor(targets: readonly Target[]): LeaseScope {
  const paths = new Map(targets.map((t) => [t.id, leasePathOf(t)]));
  return ({ targetId, leaseId }) => {
    if (leaseId === undefined) return undefined;
    if (!paths.has(targetId)) return `refused to revoke lease ${leaseId}: target "${targetId}" is not in this config`;
    const path = paths.get(targetId);
    if (path === undefined || !leaseId.startsWith(`${path}/`))
      return `refused to revoke lease ${leaseId}: target "${targetId}" issues from ${path ?? 'no Vault lease'}, not there`;
    return undefined;
  };
}
