// Plain lists without zod, defined once: the renderer bundle imports them without a schema
// library, and the view schemas (views.ts), the audit log and the config build on the same ones.
export const LOGIN_METHODS = ['vault-oidc', 'oidc', 'aws-sso'] as const;

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
