// View models shared by the CLI's --json output and the tray and window over IPC. They are a
// contract: scripts parse `keyfob status --json` and `keyfob targets --json` (docs/cli.md).
// The lists below are defined once here and reused by core (config schema, sessions, keychain).
import { z } from 'zod';
import { shiftViewSchema, storedHandoffSchema } from './handoff.ts';

import { END_REASONS, IMPACTS, LOGIN_METHODS, SESSION_KINDS, SESSION_VIEW_STATES, TARGET_KINDS } from './lists.ts';

export { END_REASONS, IMPACTS, LOGIN_METHODS, SESSION_KINDS, SESSION_VIEW_STATES, TARGET_KINDS };
export type SessionKind = (typeof SESSION_KINDS)[number];
export type TargetKind = (typeof TARGET_KINDS)[number];
export type Impact = (typeof IMPACTS)[number];
export type LoginMethod = (typeof LOGIN_METHODS)[number];
export type SessionViewState = (typeof SESSION_VIEW_STATES)[number];
export type EndReason = (typeof END_REASONS)[number];

/** The Vault sign-in as the faces show it; never the token. */
export const signInViewSchema = z.object({
  signedIn: z.boolean(),
  /** Vault's display name for the token, e.g. `oidc-alice@example.com`. */
  name: z.string().nullable(),
  method: z.enum(LOGIN_METHODS).nullable(),
  expiresAt: z.string().nullable(),
});
export type SignInView = z.infer<typeof signInViewSchema>;

export const sessionViewSchema = z.object({
  id: z.string(),
  target: z.string(),
  /** The target's human name (the target id when the config no longer has it). */
  targetName: z.string(),
  kind: z.enum(SESSION_KINDS),
  /** The target's blast radius (`low` when the config no longer has it). */
  impact: z.enum(IMPACTS),
  leaseId: z.string().nullable(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  remainingSeconds: z.number().int().nonnegative(),
  renewable: z.boolean(),
  state: z.enum(SESSION_VIEW_STATES),
  pid: z.number().int(),
  /** True when the owning keyfob process is this one. */
  ownedByThisProcess: z.boolean(),
  /** Who owns the session: its pid, whether that is this process, and a label for people. */
  owner: z.object({ pid: z.number().int(), thisProcess: z.boolean(), label: z.string() }),
  lastError: z.string().nullable(),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

export const statusViewSchema = z.object({
  config: z.string(),
  vault: z.object({ address: z.string() }),
  identity: z.object({
    signedIn: z.boolean(),
    name: z.string().nullable(),
    method: z.enum(LOGIN_METHODS).nullable(),
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
  /** Your on-call shift now (docs/policy.md); absent when not asked (no onCall section, signed out, no PagerDuty token). */
  shift: shiftViewSchema.optional(),
});
export type StatusView = z.infer<typeof statusViewSchema>;

export const rotationViewSchema = z.object({
  version: z.number().int(),
  /** When the current version was written. */
  rotatedAt: z.string(),
  ageSeconds: z.number().int().nonnegative(),
  /** Older than the target's rotation period. */
  overdue: z.boolean(),
});
export type RotationView = z.infer<typeof rotationViewSchema>;

export const targetViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(TARGET_KINDS),
  impact: z.enum(IMPACTS),
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
  /** Static targets: the rotation period in seconds (absent for other kinds). */
  rotationSeconds: z.number().int().optional(),
  /**
   * Static targets, when asked for (`keyfob targets`, Engine.targetsWithRotation): the current
   * version's age from KV metadata; null when signed out or nothing is stored there.
   */
  rotation: rotationViewSchema.nullable().optional(),
});
export type TargetView = z.infer<typeof targetViewSchema>;
