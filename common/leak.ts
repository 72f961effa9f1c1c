// The leak response as every face sees it: `keyfob leak --json`, and what the tray and window get
// back from Engine.leak over IPC. Times are ISO strings; never a secret (a note is redacted, and a
// note holding an issued secret is refused before anything is recorded).
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

export const leakReportViewSchema = z
  .object({
    sessionId: z.string(),
    targetId: z.string(),
    incident: incidentSchema,
    /** Where the incident went in Vault, or why it did not (the audit log always has it). */
    recorded: z.object({ vaultPath: z.string().optional(), vaultError: z.string().optional() }).strict(),
    /** The runbook to follow: the target's, else the config's leak.runbook. */
    runbook: z.string().optional(),
  })
  .strict();
export type LeakReportView = z.infer<typeof leakReportViewSchema>;
