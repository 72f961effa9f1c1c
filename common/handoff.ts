// The on-call handoff record (docs/policy.md): written to Vault KV v2 by `keyfob handoff`, read
// by `keyfob handoff --show` and `keyfob status` on the incoming engineer's laptop, and printed
// by `--json`. A contract: add fields, never rename one.
import { z } from 'zod';

export const handoffItemSchema = z.object({
  sessionId: z.string(),
  target: z.string(),
  name: z.string(),
  impact: z.enum(['low', 'medium', 'high']),
  grants: z.string(),
  scope: z.string(),
  expiresAt: z.string(),
  /** revoke: elevated, ended by the handoff; keep: left open until it expires. */
  action: z.enum(['revoke', 'keep']),
});
export type HandoffItem = z.infer<typeof handoffItemSchema>;

export const handoffRecordSchema = z.object({
  format: z.literal(1),
  time: z.string(),
  /** The outgoing engineer (signed-in email). */
  from: z.string(),
  /** The incoming engineer as given with --to (null: whoever is next on the schedule). */
  to: z.string().nullable(),
  schedule: z.object({ id: z.string(), name: z.string().nullable() }),
  note: z.string().nullable(),
  items: z.array(handoffItemSchema),
});
export type HandoffRecord = z.infer<typeof handoffRecordSchema>;

/** A record as read back: where it is in Vault and which KV version it is. */
export const storedHandoffSchema = z.object({ path: z.string(), version: z.number().int().positive(), record: handoffRecordSchema });
export type StoredHandoff = z.infer<typeof storedHandoffSchema>;

/** The signed-in person's on-call state now, as PagerDuty says (`keyfob status`, docs/policy.md). */
export const shiftViewSchema = z.object({
  onCall: z.boolean(),
  /** The PagerDuty user, verified to be the signed-in person. */
  email: z.string(),
  /** The shift on now (the one that ends last when several are); null when not on call. */
  schedule: z.object({ id: z.string().nullable(), name: z.string().nullable() }).nullable(),
  /** null: not on call, or a shift with no end. */
  endsAt: z.string().nullable(),
});
export type ShiftView = z.infer<typeof shiftViewSchema>;

/** What `keyfob handoff --json` prints and the engine's handoff use case returns. */
export const handoffResultSchema = z.object({ stored: storedHandoffSchema, revoked: z.array(z.string()), failed: z.array(z.string()) });
export type HandoffResult = z.infer<typeof handoffResultSchema>;
