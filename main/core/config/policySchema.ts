// The org's access policy (docs/policy.md): rules per impact that every target of that impact
// must meet, a ticket pattern for reasons, and where on-call handoffs are written. Validated at
// load (a target above its impact's TTL cap is a config error) and again at request time.
// Kept apart from schema.ts so other config sections can grow without touching it.
import { z } from 'zod';
import { formatDuration, parseDuration } from '../duration.ts';

const seconds = z.union([z.string(), z.number()], { error: 'must be a duration such as 30m or 1h' }).transform((raw, ctx) => {
  const value = parseDuration(raw);
  if (value === undefined || value < 1) {
    ctx.addIssue({ code: 'custom', message: `"${raw}" is not a duration of at least 1s (write e.g. 30m or 1h)` });
    return z.NEVER;
  }
  return value;
});

const flag = z.boolean({ error: 'must be true or false' });

/** What every target of one impact must meet; a target may ask for more, never less. */
export const impactRuleSchema = z.strictObject({
  /** The longest TTL (and maxTtl) a target of this impact may have. */
  maxTtl: seconds.optional(),
  requireReason: flag.optional(),
  requireOnCall: flag.optional(),
  /** Ask "are you sure?" (or --yes) before issuing. */
  requireConfirmation: flag.optional(),
});

const ticketPattern = z.string({ error: 'must be a regular expression' }).superRefine((raw, ctx) => {
  try {
    new RegExp(raw);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
  }
});

export const policySchema = z.strictObject({
  /** Reasons must match this (e.g. "^(INC|CHG)-[0-9]+") when a reason is required. */
  ticketPattern: ticketPattern.optional(),
  impacts: z.strictObject({ low: impactRuleSchema.optional(), medium: impactRuleSchema.optional(), high: impactRuleSchema.optional() }).prefault({}),
});

const vaultPath = z.string({ error: 'must be text' }).regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/, {
  error: 'must be a Vault path (letters, digits, . _ - and inner /)',
});

/** Where `keyfob handoff` writes its record: KV v2 `<kvMount>/data/<path>/<schedule id>`. */
export const handoffSchema = z.strictObject({
  kvMount: vaultPath.default('secret'),
  path: vaultPath.default('handoff'),
});

export type PolicySettings = z.output<typeof policySchema>;
export type ImpactRule = z.output<typeof impactRuleSchema>;
export type HandoffSettings = z.output<typeof handoffSchema>;

interface TargetLike {
  impact: 'low' | 'medium' | 'high';
  ttl: number;
  maxTtl: number;
  requireOnCall: boolean;
}

/** Cross-field checks of the policy against the targets (called from configSchema's superRefine). */
export function checkPolicy(config: { policy: PolicySettings; onCall?: unknown; targets: TargetLike[] }, ctx: z.RefinementCtx): void {
  for (const impact of ['low', 'medium', 'high'] as const) {
    if (config.policy.impacts[impact]?.requireOnCall && !config.onCall) {
      ctx.addIssue({
        code: 'custom',
        path: ['policy', 'impacts', impact, 'requireOnCall'],
        message: 'is true, but there is no onCall section to check it against',
      });
    }
  }
  config.targets.forEach((target, index) => {
    const cap = config.policy.impacts[target.impact]?.maxTtl;
    if (cap === undefined) return;
    for (const field of ['ttl', 'maxTtl'] as const) {
      if (target[field] > cap) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', index, field],
          message: `${formatDuration(target[field])} is above the ${target.impact}-impact cap of ${formatDuration(cap)} (policy.impacts.${target.impact}.maxTtl)`,
        });
      }
    }
  });
}
