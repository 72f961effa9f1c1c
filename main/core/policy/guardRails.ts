// The access decision for one request (design.md journeys 5 and 8): TTL within the target's and
// its impact's cap, a reason (matching the ticket pattern), being on call as the signed-in
// person, and a confirmation, each per target or per impact (rules.ts). Every decision, granted
// or refused, goes to the audit log. These are guard rails in the client; Vault policy enforces.
import type { AuditSink } from '../audit/index.ts';
import type { KeyfobConfig, Target } from '../config/index.ts';
import { formatDuration } from '../duration.ts';
import type { SecretStore } from '../keychain/index.ts';
import { KeyfobError } from '../base/keyfobError.ts';
import { secretKind } from '../base/secretGuard.ts';
import { GuardRailError } from './errors.ts';
import { onCallNow, type OnCallNow } from './onCall.ts';
import { effectiveRules } from './rules.ts';

export interface AccessRequest {
  /** Seconds; the target's ttl when absent. */
  ttlSeconds?: number;
  reason?: string;
  /** The person confirmed (--yes, or a dialog) before asking. */
  confirmed?: boolean;
}

export interface AccessDeps {
  config: KeyfobConfig;
  audit: AuditSink;
  /** The signed-in email (identity.ts), undefined when unknown. */
  identity: string | undefined;
  store: SecretStore;
  env: NodeJS.ProcessEnv;
  now: () => number;
  fetch?: typeof fetch;
}

export interface AccessGranted {
  ttlSeconds: number;
  /** The on-call check's answer, for the end-of-shift warning (absent when not asked). */
  onCall?: OnCallNow;
}

/** Returns the TTL to ask for; throws a GuardRailError that names what is missing. Audits both ways. */
export async function checkAccess(target: Target, request: AccessRequest, deps: AccessDeps): Promise<AccessGranted> {
  const reason = request.reason?.trim() || undefined;
  // The reason goes to the audit log: one that holds a secret is refused before anything is
  // issued or written (a usage error, so not even the refusal line records it).
  const kind = reason === undefined ? undefined : secretKind(reason);
  if (kind)
    throw new KeyfobError('usage', `--reason looks like it holds ${kind}, and the reason is written to the audit log; give a ticket and a few words instead`);
  try {
    const granted = await decide(target, { ...request, ...(reason ? { reason } : {}) }, deps);
    deps.audit.append({ target: target.id, action: 'granted', ...(reason ? { reason } : {}), detail: describeGrant(target, granted) });
    return granted;
  } catch (error) {
    if (error instanceof GuardRailError) deps.audit.append({ target: target.id, action: 'refused', ...(reason ? { reason } : {}), detail: error.message });
    throw error;
  }
}

async function decide(target: Target, request: AccessRequest, deps: AccessDeps): Promise<AccessGranted> {
  const rules = effectiveRules(deps.config, target);
  const ttl = request.ttlSeconds ?? target.ttl;
  if (ttl <= 0) throw new GuardRailError('--ttl must be positive');
  if (ttl > rules.maxTtl) {
    const which =
      rules.maxTtl < target.maxTtl
        ? `the ${target.impact}-impact cap of ${formatDuration(rules.maxTtl)}`
        : `${target.id}'s maximum of ${formatDuration(rules.maxTtl)}`;
    throw new GuardRailError(`--ttl ${formatDuration(ttl)} is above ${which}: ask for ${formatDuration(rules.maxTtl)} or less`);
  }
  if (rules.requireReason && !request.reason) {
    const example = rules.ticketPattern ? 'INC-123 what you are doing' : 'TICKET-123 what you are doing';
    throw new GuardRailError(`${target.id} is ${target.impact} impact and needs a reason: add --reason "${example}"`);
  }
  if (rules.ticketPattern && request.reason && !rules.ticketPattern.test(request.reason)) {
    throw new GuardRailError(
      `${target.id} needs a reason that starts with a ticket matching ${rules.ticketPattern.source}, e.g. --reason "INC-123 what you are doing"`,
    );
  }
  let onCall: OnCallNow | undefined;
  if (rules.requireOnCall) {
    if (!deps.config.onCall) throw new GuardRailError(`${target.id} requires being on call, but the config has no onCall section`);
    onCall = await onCallNow(deps.identity, {
      settings: deps.config.onCall,
      store: deps.store,
      env: deps.env,
      now: deps.now,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    if (!onCall.onCall) {
      throw new GuardRailError(
        `${target.id} requires being on call, and PagerDuty says ${onCall.email} is not on call now in ${deps.config.onCall.pagerduty.scheduleIds.join(', ')}`,
      );
    }
  }
  if (rules.requireConfirmation && !request.confirmed) {
    throw new GuardRailError(
      `${target.id} is ${target.impact} impact and needs a confirmation: add --yes once you are sure (it grants ${target.grants} on ${target.scope})`,
    );
  }
  return { ttlSeconds: ttl, ...(onCall ? { onCall } : {}) };
}

function describeGrant(target: Target, granted: AccessGranted): string {
  const parts = [`${target.impact} impact`, `ttl ${formatDuration(granted.ttlSeconds)}`];
  if (granted.onCall) {
    const shift = granted.onCall.shift;
    parts.push(
      `on call as ${granted.onCall.email}${shift?.scheduleId ? ` in ${shift.scheduleId}` : ''}${shift?.endsAt ? ` until ${new Date(shift.endsAt).toISOString()}` : ''}`,
    );
  }
  return parts.join(', ');
}
