// The window's plain lists, without zod, so the renderer bundle imports them without a schema
// library (the renderer validates nothing: main and the preload did already).
export const LOGIN_METHODS = ['vault-oidc', 'oidc', 'aws-sso'] as const;
export const AUDIT_ACTIONS_VIEW = ['issued', 'renewed', 'revoked', 'expired', 'revoke-failed', 'recovered'] as const;
export const SCREENS = ['sign-in', 'targets', 'sessions', 'exposure', 'activity', 'settings'] as const;
