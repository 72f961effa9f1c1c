// Every error leaving an engine method is a KeyfobError. Errors that already are one pass
// through; the services' own coded errors (VaultError, ConfigError, the keychain's) are mapped
// here, in one table, to the codes every face understands (common/errors.ts).
import type { ErrorCode } from '../../../common/errors.ts';
import { errorMessage, isKeyfobError, KeyfobError } from '../base/keyfobError.ts';
import { ConfigError } from '../config/index.ts';
import { isVaultError, type VaultErrorCode } from '../vault/index.ts';

const VAULT_CODES: Record<VaultErrorCode, ErrorCode> = {
  VAULT_UNREACHABLE: 'vault-unreachable',
  VAULT_TIMEOUT: 'vault-unreachable',
  AUTH_REQUIRED: 'not-signed-in',
  AUTH_EXPIRED: 'not-signed-in',
  PERMISSION_DENIED: 'vault-denied',
  LOGIN_REFUSED: 'sign-in-refused',
  BAD_REQUEST: 'vault-error',
  LEASE_NOT_RENEWABLE: 'not-renewable',
  LEASE_GONE: 'vault-error',
  NOT_FOUND: 'vault-error',
  RATE_LIMITED: 'vault-unreachable',
  SEALED: 'vault-unreachable',
  NOT_INITIALIZED: 'vault-error',
  UNAVAILABLE: 'vault-unreachable',
  BAD_RESPONSE: 'vault-error',
};

export function toKeyfobError(error: unknown): KeyfobError {
  if (isKeyfobError(error)) return error;
  if (isVaultError(error)) return new KeyfobError(VAULT_CODES[error.code] ?? 'vault-error', error.message, { cause: error });
  if (error instanceof ConfigError) return new KeyfobError('config-invalid', error.message, { cause: error });
  if (error instanceof Error && error.name === 'SecretStoreError') return new KeyfobError('keychain-unavailable', error.message, { cause: error });
  return new KeyfobError('internal', errorMessage(error), { cause: error });
}

/** Runs `work` and rethrows whatever it throws as a KeyfobError. */
export async function coded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toKeyfobError(error);
  }
}
