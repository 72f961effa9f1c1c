// Plain lists without zod, defined once: the renderer bundle imports them without a schema
// library, and the view schemas (views.ts), the audit log and the config build on the same ones.
// Core modules on the CLI's start-up paths (the journal, the keychain) import them from here, not
// from views.ts: that module builds every view schema when it loads (a few ms of a command).
export const LOGIN_METHODS = ['vault-oidc', 'oidc', 'aws-sso'] as const;

/** Kinds that issue a credential with a session; a `static` target is a KV secret Keyfob only copies. */
export const SESSION_KINDS = ['database', 'ssh', 'aws'] as const;
export const TARGET_KINDS = [...SESSION_KINDS, 'static'] as const;
export const IMPACTS = ['low', 'medium', 'high'] as const;
/** A live session as every face sees it (the engine's own states add `ended`, which no view shows). */
export const SESSION_VIEW_STATES = ['active', 'expiring', 'revoking', 'revoke-failed'] as const;
export const END_REASONS = ['command-exit', 'revoked', 'logout', 'expired', 'quit', 'sleep', 'lock', 'crash-recovery', 'sso-ended'] as const;

// The audit log's actions: sessions', the access policy's decisions and handoffs (docs/policy.md),
// and leak reports (docs/runbook-leak.md).
export const AUDIT_ACTIONS = [
  'issued',
  'renewed',
  'revoked',
  'expired',
  'revoke-failed',
  'recovered',
  'granted',
  'refused',
  'handoff',
  'leak-reported',
] as const;
