// Client-side guard rails for elevated access (design.md journey 5), as the engine's issue use
// case calls them: the decision itself lives in core/policy (guardRails.ts); this wires in the
// engine's config, audit log, keychain, clock and the signed-in identity.
import type { AuditSink } from '../audit/index.ts';
import type { Clock } from '../base/clock.ts';
import type { KeyfobConfig, Target } from '../config/index.ts';
import type { SecretStore, StoredVaultToken } from '../keychain/index.ts';
import { checkAccess, type AccessGranted, type AccessRequest } from '../policy/guardRails.ts';
import { signedInEmail } from '../policy/identity.ts';

export { GuardRailError } from '../policy/errors.ts';
export type IssueRequest = AccessRequest;

export interface GuardRailEngine {
  readonly config: KeyfobConfig;
  readonly audit: AuditSink;
  readonly store: SecretStore;
  readonly clock: Clock;
  signIn(): StoredVaultToken | null;
  /** For PagerDuty; the global fetch when absent. */
  fetch?: typeof fetch;
}

/** The TTL to ask for (and the on-call answer); throws a one-line GuardRailError when the request may not go ahead. */
export function checkGuardRails(engine: GuardRailEngine, target: Target, request: IssueRequest, env: NodeJS.ProcessEnv): Promise<AccessGranted> {
  return checkAccess(target, request, {
    config: engine.config,
    audit: engine.audit,
    identity: signedInEmail(engine.signIn(), engine.config),
    store: engine.store,
    env,
    now: () => engine.clock.now(),
    ...(engine.fetch ? { fetch: engine.fetch } : {}),
  });
}
