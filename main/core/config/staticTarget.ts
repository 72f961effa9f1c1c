// The `static` section of a `kind: static` target (docs/config.md#static-targets): a KV v2 secret
// Keyfob copies to the clipboard and whose age it watches; it cannot be revoked, only rotated
// by its owner.
import { z } from 'zod';
import { parseDuration } from '../duration.ts';

const vaultPath = z.string({ error: 'must be text' }).regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/, {
  error: 'must be a Vault path (letters, digits, . _ - and inner /)',
});
const seconds = (fallback: string) =>
  z
    .union([z.string(), z.number()], { error: 'must be a duration such as 30s, 90d' })
    .default(fallback)
    .transform((raw, ctx) => {
      const s = parseDuration(raw);
      if (s === undefined || s < 1) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not a duration (write e.g. 30s, 15m, 90d)` });
        return z.NEVER;
      }
      return s;
    });

export const staticSectionSchema = z.strictObject({
  vaultMount: vaultPath.default('secret'),
  /** The secret's path in the KV v2 mount, e.g. static/webhook-signing. */
  path: vaultPath,
  /** The key inside the secret's data that `keyfob copy` copies. */
  field: z.string().min(1).default('value'),
  /** How old the current version may get before `keyfob targets` flags it (e.g. 90d). */
  rotation: seconds('90d'),
  /** The clipboard is cleared this long after a copy (if it still holds the secret). */
  clearAfter: seconds('30s'),
  /** Where its owner's rotation runbook is; printed by `keyfob leak TARGET`. */
  runbook: z.string().trim().min(1).optional(),
});
