// The incident record of a reported leak: what the audit log keeps (action `leak-reported`) and
// what goes to the team's KV v2 path in Vault. Times are ISO strings; never a secret.
import { z } from 'zod';

export const LEAK_OUTCOMES = ['revoked', 'not-revocable', 'already-ended', 'revoke-failed', 'rotate-by-owner'] as const;
export type LeakOutcome = (typeof LEAK_OUTCOMES)[number];

export const incidentSchema = z
  .object({
    /** When the credential was issued (for a static secret: when its current version was written). */
    issuedAt: z.string().nullable(),
    reportedAt: z.string(),
    /** When Keyfob's revocation completed; null when nothing could be revoked. */
    revokedAt: z.string().nullable(),
    /** Until when a credential that cannot be revoked early stays valid. */
    validUntil: z.string().nullable(),
    outcome: z.enum(LEAK_OUTCOMES),
    grants: z.string(),
    scope: z.string(),
    /** The lease prefix revoked too (`--prefix`), and whether that worked. */
    prefix: z.object({ path: z.string(), revoked: z.boolean(), error: z.string().optional() }).optional(),
    note: z.string().optional(),
  })
  .strict();

export type Incident = z.infer<typeof incidentSchema>;
