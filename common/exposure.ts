// The live exposure view (docs/policy.md): what someone holding this laptop would have right
// now. `keyfob exposure --json` prints it and the window's exposure screen renders it, so it is
// a contract: add fields, never rename one.
import { z } from 'zod';

export const impactSchema = z.enum(['low', 'medium', 'high']);

export const exposedSessionSchema = z.object({
  sessionId: z.string(),
  target: z.string(),
  name: z.string(),
  kind: z.enum(['database', 'ssh', 'aws']),
  impact: impactSchema,
  grants: z.string(),
  scope: z.string(),
  expiresAt: z.string(),
  remainingSeconds: z.number().int().nonnegative(),
  state: z.enum(['active', 'expiring', 'revoking', 'revoke-failed']),
  /** The keyfob process that holds it (any process of this state dir counts). */
  pid: z.number().int(),
  ownedByThisProcess: z.boolean(),
});
export type ExposedSession = z.infer<typeof exposedSessionSchema>;

export const exposedSignInSchema = z.object({
  identity: z.string().nullable(),
  method: z.enum(['vault-oidc', 'oidc', 'aws-sso']).nullable(),
  expiresAt: z.string().nullable(),
  remainingSeconds: z.number().int().nonnegative().nullable(),
  /** The token's policies as Vault reports them; null when Vault could not be asked. */
  policies: z.array(z.string()).nullable(),
  /** Config targets issued through Vault: what the token can be used to ask for (Vault's policies decide). */
  canRequest: z.array(z.object({ target: z.string(), impact: impactSchema })),
  /** The worst impact among canRequest (null: none). */
  impact: impactSchema.nullable(),
});
export type ExposedSignIn = z.infer<typeof exposedSignInSchema>;

export const exposureViewSchema = z.object({
  generatedAt: z.string(),
  /** One line: the worst group, e.g. "high: Orders DB (read-write) for 41 more minutes". */
  summary: z.string(),
  /** Non-empty groups only, worst impact first; sessions by time left, longest first. */
  groups: z.array(z.object({ impact: impactSchema, sessions: z.array(exposedSessionSchema) })),
  /** The Vault sign-in itself (null: not signed in). */
  signIn: exposedSignInSchema.nullable(),
});
export type ExposureView = z.infer<typeof exposureViewSchema>;
