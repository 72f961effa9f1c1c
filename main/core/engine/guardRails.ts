// Client-side guard rails for elevated access (design.md journey 5): a reason for targets that
// need one, being on call for targets that require it, and a TTL within the target's bounds.
import { KeyfobError } from '../base/keyfobError.ts';
import { secretKind } from '../base/secretGuard.ts';
import type { KeyfobConfig, Target } from '../config/index.ts';
import { checkOnCall } from './onCall.ts';

/** A client-side guard rail refused the request (`guard-rail`), or its input was unusable (`usage`). */
export class GuardRailError extends KeyfobError {
  constructor(message: string, code: 'guard-rail' | 'usage' = 'guard-rail') {
    super(code, message);
  }
}

export interface IssueRequest {
  /** Seconds; the target's ttl when absent. */
  ttlSeconds?: number;
  reason?: string;
}

/** Returns the TTL to ask for; throws a one-line GuardRailError when the request may not go ahead. */
export async function checkGuardRails(
  config: KeyfobConfig,
  target: Target,
  request: IssueRequest,
  env: NodeJS.ProcessEnv,
  options: { fetch?: typeof fetch; now?: () => number } = {},
): Promise<number> {
  const ttl = request.ttlSeconds ?? target.ttl;
  if (ttl <= 0) throw new GuardRailError('--ttl must be positive', 'usage');
  if (ttl > target.maxTtl) throw new GuardRailError(`--ttl is above ${target.id}'s maximum of ${target.maxTtl} s`);
  // The reason goes to the audit log: one that holds a secret is refused before anything is issued.
  const kind = request.reason === undefined ? undefined : secretKind(request.reason);
  if (kind) throw new GuardRailError(`--reason looks like it holds ${kind}, and the reason is written to the audit log; give a ticket and a few words instead`, 'usage');
  if (target.requireReason && !request.reason?.trim()) {
    throw new GuardRailError(`${target.id} is ${target.impact} impact and needs a reason: add --reason "TICKET-123 what you are doing"`);
  }
  if (target.requireOnCall) {
    if (!config.onCall) throw new GuardRailError(`${target.id} requires being on call, but the config has no onCall section`);
    const status = await checkOnCall(config.onCall, env, new Date(options.now?.() ?? Date.now()), options.fetch);
    if (!status.onCall) throw new GuardRailError(`${target.id} requires being on call, and PagerDuty says ${status.who} is not on call now`);
  }
  return ttl;
}
