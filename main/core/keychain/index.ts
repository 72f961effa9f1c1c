export {
  awsSsoKey,
  forgetAwsSsoMaterial,
  loadAwsSsoMaterial,
  saveAwsSsoMaterial,
  type AwsSsoAccount,
  forgetSsoMaterial,
  forgetVaultToken,
  loadSsoMaterial,
  loadVaultToken,
  saveSsoMaterial,
  saveVaultToken,
  ssoKey,
  vaultTokenKey,
  type SsoMaterial,
  type SsoMethod,
  type StoredVaultToken,
} from './credentials.ts';
export { keychainService, openSecretStore, type OpenSecretStoreOptions } from './open.ts';
export { MemorySecretStore, SecretStoreError, type SecretStore, type SecretStoreKind } from './secretStore.ts';
export { forgetSessionToken, loadSessionToken, saveSessionToken, sessionTokenKey } from './sessionTokens.ts';
