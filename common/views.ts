// View models shared by the CLI's --json output and (later) the tray over IPC. They are a
// contract: scripts parse `keyfob status --json` and `keyfob targets --json` (docs/cli.md).
import { z } from 'zod';
import { storedHandoffSchema } from './handoff.ts';

export const sessionViewSchema = z.object({
  id: z.string(),
  target: z.string(),
  kind: z.enum(['database', 'ssh', 'aws']),
  leaseId: z.string().nullable(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  remainingSeconds: z.number().int().nonnegative(),
  renewable: z.boolean(),
  state: z.enum(['active', 'expiring', 'revoking', 'revoke-failed']),
  pid: z.number().int(),
  /** True when the owning keyfob process is this one. */
  ownedByThisProcess: z.boolean(),
  lastError: z.string().nullable(),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

export const statusViewSchema = z.object({
  config: z.string(),
  vault: z.object({ address: z.string() }),
  identity: z.object({
    signedIn: z.boolean(),
    name: z.string().nullable(),
    method: z.enum(['vault-oidc', 'oidc', 'aws-sso']).nullable(),
    tokenExpiresAt: z.string().nullable(),
    tokenRemainingSeconds: z.number().int().nullable(),
    renewable: z.boolean().nullable(),
  }),
  awsSso: z.object({ signedIn: z.boolean(), expiresAt: z.string().nullable() }).nullable(),
  keychain: z.object({ kind: z.enum(['os-keychain', 'memory']), note: z.string().nullable() }),
  sessions: z.array(sessionViewSchema),
  pendingRevocations: z.number().int().nonnegative(),
  /** The latest on-call handoff addressed to you or your schedule (docs/policy.md); absent when not asked. */
  handoff: storedHandoffSchema.nullable().optional(),
});
export type StatusView = z.infer<typeof statusViewSchema>;

export const targetViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['database', 'ssh', 'aws']),
  impact: z.enum(['low', 'medium', 'high']),
  grants: z.string(),
  scope: z.string(),
  ttlSeconds: z.number().int(),
  maxTtlSeconds: z.number().int(),
  requireReason: z.boolean(),
  requireOnCall: z.boolean(),
  // The access policy's view (docs/policy.md): the rules above and below include the impact's org rule.
  requireConfirmation: z.boolean(),
  /** A reason must match this regular expression (null: any non-blank reason, or none needed). */
  ticketPattern: z.string().nullable(),
  /** High impact, or gated by a reason or on call: what `keyfob handoff` revokes. */
  elevated: z.boolean(),
});
export type TargetView = z.infer<typeof targetViewSchema>;
