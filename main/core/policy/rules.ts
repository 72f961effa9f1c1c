// The rules that apply to one target: its own flags joined with its impact's org rule. The org
// rule is a floor: a target may ask for more (a reason on a medium target), never for less.
import type { Impact, KeyfobConfig, Target } from '../config/index.ts';

export interface EffectiveRules {
  /** The longest TTL a request may ask for: the target's maxTtl, capped by its impact's rule. */
  maxTtl: number;
  requireReason: boolean;
  requireOnCall: boolean;
  requireConfirmation: boolean;
  /** Reasons must match it (set only when a reason is required). */
  ticketPattern: RegExp | undefined;
}

export function effectiveRules(config: Pick<KeyfobConfig, 'policy'>, target: Target): EffectiveRules {
  const rule = config.policy.impacts[target.impact] ?? {};
  const requireReason = target.requireReason || rule.requireReason === true;
  return {
    maxTtl: Math.min(target.maxTtl, rule.maxTtl ?? Infinity),
    requireReason,
    requireOnCall: target.requireOnCall || rule.requireOnCall === true,
    requireConfirmation: target.requireConfirmation || rule.requireConfirmation === true,
    ticketPattern: requireReason && config.policy.ticketPattern ? new RegExp(config.policy.ticketPattern) : undefined,
  };
}

/** Elevated access: what a handoff revokes. High impact, or anything gated by a reason or on call. */
export function isElevated(config: Pick<KeyfobConfig, 'policy'>, target: Target): boolean {
  const rules = effectiveRules(config, target);
  return target.impact === 'high' || rules.requireReason || rules.requireOnCall;
}

export const IMPACT_ORDER: readonly Impact[] = ['high', 'medium', 'low'];

/** Sorts worst first. */
export function byImpact(a: Impact, b: Impact): number {
  return IMPACT_ORDER.indexOf(a) - IMPACT_ORDER.indexOf(b);
}
