// The window's plain lists, without zod, so the renderer bundle imports them without a schema
// library (the renderer validates nothing: main and the preload did already).
export const LOGIN_METHODS = ['vault-oidc', 'oidc', 'aws-sso'] as const;
// The audit log's actions (main/core/audit/auditLog.ts): sessions', the access policy's decisions
// and handoffs (docs/policy.md), and leak reports (docs/runbook-leak.md).
export const AUDIT_ACTIONS_VIEW = [
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
export const SCREENS = ['sign-in', 'targets', 'sessions', 'exposure', 'activity', 'settings'] as const;
