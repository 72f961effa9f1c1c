// Words and numbers the screens show, kept pure so tests pin them.
import type { ErrorView } from '../common/errors.ts';

/** 3725 → "1:02:05", 125 → "2:05", 0 → "0:00". Fixed-width digits keep the layout still. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** 5400 → "1 h 30 min", 900 → "15 min", 45 → "45 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "16:40" in the user's time zone. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${formatClock(iso)}`;
}

export const METHOD_LABELS: Record<string, string> = {
  'vault-oidc': 'Sign in with SSO (Vault)',
  oidc: 'Sign in with SSO (OpenID Connect)',
  'aws-sso': 'Sign in with AWS IAM Identity Center',
};

const NEXT_STEP: Partial<Record<ErrorView['code'], string>> = {
  'not-signed-in': 'Sign in, then try again.',
  'sign-in-timeout': 'The browser step took too long. Try again and finish signing in in the browser.',
  'sign-in-refused': 'Check that you picked the right account in the browser, or ask your admin for access.',
  'sign-in-cancelled': 'Sign in again when you are ready.',
  'vault-unreachable': 'Check your network or VPN, then try again.',
  'vault-denied': 'Vault says your identity may not do this. Ask your admin to check your Vault policy.',
  'guard-rail': 'Fill in what the request form asks for, or ask your on-call lead.',
  'not-renewable': 'Revoke it and request a new session instead.',
  'unknown-session': 'It has ended already; the list is up to date now.',
  'revoke-failed': 'Keyfob keeps it and retries; run `keyfob status` in a terminal to see it.',
  'keychain-unavailable': 'Unlock your keychain (or log in to your desktop session), then try again.',
  'config-invalid': 'Ask your admin for a corrected org config.',
};

/** What went wrong and what to do next, in one or two sentences. */
export function describeError(error: ErrorView): { message: string; next: string | null } {
  return { message: error.message, next: NEXT_STEP[error.code] ?? null };
}
