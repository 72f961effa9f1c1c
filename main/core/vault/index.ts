export {
  createVaultClient,
  createVaultClientFromConfig,
  VaultClient,
  type AwsCredentials,
  type ChildTokenRequest,
  type DatabaseCredentials,
  type KvSecret,
  type Lease,
  type LeaseInfo,
  type OidcCallbackParams,
  type SshSignRequest,
  type SshSignature,
  type TokenInfo,
  type VaultAuth,
  type VaultClientOptions,
  type VaultHealth,
} from './client.ts';
export { isVaultError, VaultError, type VaultErrorCode } from './errors.ts';
export type { AuthApi, CredentialsApi } from './apis.ts';
export { isCapped } from './capped.ts';
export type { KvMetadata } from './kvMetadata.ts';
export type { LeaseApi, LeaseRenewal } from './leaseApi.ts';
export { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
