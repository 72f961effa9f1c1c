// The words of the tray contract (docs/tray.md). Tests, docs and screenshots use these strings;
// change them only together with the doc.
import type { LoginMethod } from '../ports.ts';

export const LABELS = {
  notSignedIn: 'Not signed in',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  cancelSignIn: 'Cancel sign-in',
  signOut: 'Sign out',
  extend: 'Extend',
  revoke: 'Revoke',
  copyConnectionString: 'Copy connection string',
  copyCredentials: 'Copy credentials',
  copySecret: 'Copy secret',
  revokeAll: 'Revoke all',
  openInTerminal: 'Open in terminal',
  openKeyfob: 'Open Keyfob',
  quit: 'Quit Keyfob',
} as const;

export const LOGIN_METHOD_LABELS: Record<LoginMethod, string> = {
  'vault-oidc': 'Vault (OIDC)',
  oidc: 'Single sign-on (OIDC)',
  'aws-sso': 'AWS IAM Identity Center',
};

/** U+00B7, the separator in every composed label. */
export const DOT = ' · ';
