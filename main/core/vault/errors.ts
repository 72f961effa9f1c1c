// Everything that can go wrong talking to Vault becomes one VaultError: a stable code the CLI
// and tray switch on, and one sentence a person can act on. No token ever goes into it.

export type VaultErrorCode =
  | 'VAULT_UNREACHABLE' // no connection (refused, DNS, TLS, reset)
  | 'VAULT_TIMEOUT' // connected, but no answer in time
  | 'AUTH_REQUIRED' // no token
  | 'AUTH_EXPIRED' // the token is expired or revoked
  | 'PERMISSION_DENIED' // the token's policies do not allow it
  | 'LOGIN_REFUSED' // an auth method refused the sign-in
  | 'BAD_REQUEST' // 400
  | 'LEASE_NOT_RENEWABLE'
  | 'LEASE_GONE' // expired, revoked or never existed
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'SEALED'
  | 'NOT_INITIALIZED'
  | 'UNAVAILABLE' // 5xx other than sealed
  | 'BAD_RESPONSE'; // the body did not match the schema

export class VaultError extends Error {
  override readonly name = 'VaultError';
  readonly code: VaultErrorCode;
  /** HTTP status when Vault answered. */
  readonly status: number | undefined;
  /** The logical path, without query string (e.g. `database/creds/orders-rw`). */
  readonly path: string;

  constructor(code: VaultErrorCode, message: string, path: string, status?: number) {
    super(message);
    this.code = code;
    this.path = path;
    this.status = status;
  }
}

export function isVaultError(error: unknown): error is VaultError {
  return error instanceof VaultError || (error instanceof Error && error.name === 'VaultError' && 'code' in error);
}

/**
 * Vault's `errors` strings, flattened: go-multierror text ("2 errors occurred:\n\t* permission
 * denied\n\t* invalid token\n\n") becomes its bullet lines.
 */
export function vaultErrorLines(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is string => typeof e === 'string')
    .flatMap((e) => {
      const bullets = [...e.matchAll(/^\s*\*\s+(.+)$/gm)].map((m) => m[1]!.trim());
      return bullets.length > 0
        ? bullets
        : e
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean);
    });
}

export interface HttpErrorContext {
  status: number;
  body: unknown;
  /** Logical path, no query string. */
  path: string;
  address: string;
  hasToken: boolean;
}

/** Turns a non-2xx Vault answer into one sentence with a code. */
export function describeHttpError({ status, body, path, address, hasToken }: HttpErrorContext): VaultError {
  const lines = vaultErrorLines(body);
  const all = lines.join('; ').toLowerCase();
  const first = lines[0];
  const isLogin = path.startsWith('auth/') && !path.startsWith('auth/token/');
  const make = (code: VaultErrorCode, message: string) => new VaultError(code, message, path, status);

  if (status === 403) {
    if (isLogin) return make('LOGIN_REFUSED', `Vault refused the sign-in at ${path}: ${first ?? 'permission denied'}`);
    if (all.includes('invalid token') || all.includes('token expired')) {
      return make('AUTH_EXPIRED', 'Vault says your sign-in has expired or was revoked; run keyfob login');
    }
    if (!hasToken) return make('AUTH_REQUIRED', `Vault refused ${path}: you are not signed in; run keyfob login`);
    if (all.includes('namespace')) return make('PERMISSION_DENIED', `Vault refused ${path}: ${first}`);
    return make('PERMISSION_DENIED', `Vault refused ${path}: your token's policies do not allow it`);
  }
  if (status === 400) {
    const detail = first ?? 'invalid request';
    if (isLogin) return make('LOGIN_REFUSED', `Vault refused the sign-in at ${path}: ${detail}`);
    if (/lease is not renewable|past the max ttl|cannot renew/.test(all)) return make('LEASE_NOT_RENEWABLE', `Vault rejected ${path}: ${detail}`);
    if (/lease not found|invalid lease|lease expired|lease is expired/.test(all)) return make('LEASE_GONE', `Vault rejected ${path}: ${detail}`);
    return make('BAD_REQUEST', `Vault rejected ${path}: ${detail}`);
  }
  if (status === 404) return make('NOT_FOUND', `Vault has nothing at ${path}${first ? `: ${first}` : ''} (check the mount and role names)`);
  if (status === 405) return make('BAD_REQUEST', `Vault does not support that operation on ${path}`);
  if (status === 429) return make('RATE_LIMITED', `Vault is rate limiting requests to ${path}; try again in a moment`);
  if (status === 412) return make('UNAVAILABLE', `Vault could not serve ${path} consistently (412); try again in a moment`);
  if (status === 501) return make('NOT_INITIALIZED', `Vault at ${address} is not initialized`);
  if (status === 503 && (all.includes('sealed') || lines.length === 0)) return make('SEALED', 'Vault is sealed');
  if (status >= 500) return make('UNAVAILABLE', `Vault failed on ${path} (HTTP ${status})${first ? `: ${first}` : ''}`);
  return make('BAD_REQUEST', `Vault answered ${path} with HTTP ${status}${first ? `: ${first}` : ''}`);
}

const connectionReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'the connection timed out',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is not valid for this host name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted (an admin can set vault.caFile)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is not trusted (an admin can set vault.caFile)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is not trusted (an admin can set vault.caFile)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted (an admin can set vault.caFile)',
  EPROTO: 'the TLS handshake failed',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the TLS handshake failed (is it serving plain http?)',
};

/** Network-level codes that show the request never reached Vault, so it is safe to send again. */
export const neverSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function describeConnectionError(code: string | undefined, address: string, path: string): VaultError {
  const reason = (code && connectionReasons[code]) || `connection failed (${code ?? 'unknown error'})`;
  return new VaultError('VAULT_UNREACHABLE', `Vault could not be reached at ${address}: ${reason}`, path);
}
