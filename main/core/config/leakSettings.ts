// The config's `leak` block (docs/config.md#leak): where a reported leak is recorded, which
// runbook to point at, and which targets' whole lease prefix `keyfob leak --prefix` may revoke.
import { z } from 'zod';

const text = z.string({ error: 'must be text' }).trim().min(1, { error: 'must not be empty' });
const vaultPath = z.string({ error: 'must be text' }).regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/, {
  error: 'must be a Vault path (letters, digits, . _ - and inner /)',
});

export const leakSettingsSchema = z.strictObject({
  /** Printed by `keyfob leak`: the team's runbook (a URL or a document name). */
  runbook: text.optional(),
  /** A KV v2 location where each incident is written as `<path>/<time>-<session>`. */
  incidents: z.strictObject({ vaultMount: vaultPath.default('secret'), path: vaultPath }).optional(),
  /** Targets whose role's whole lease prefix `keyfob leak --prefix` may revoke (a sudo path in Vault). */
  prefixRevoke: z.array(text, { error: 'must be a list of target ids' }).default([]),
});

export type LeakSettings = z.output<typeof leakSettingsSchema>;

/** Cross-checks against the targets, for configSchema's superRefine. */
export function checkLeakSettings(
  config: { leak?: LeakSettings | undefined; targets: ReadonlyArray<{ id: string; kind: string }> },
  ctx: z.RefinementCtx,
): void {
  config.leak?.prefixRevoke.forEach((id, index) => {
    const target = config.targets.find((t) => t.id === id);
    if (!target) ctx.addIssue({ code: 'custom', path: ['leak', 'prefixRevoke', index], message: `names "${id}", which is not a target` });
    else if (target.kind !== 'database' && target.kind !== 'aws') {
      ctx.addIssue({
        code: 'custom',
        path: ['leak', 'prefixRevoke', index],
        message: `names "${id}", a ${target.kind} target: only database and aws targets have Vault leases`,
      });
    }
  });
}
