// Narrow slices of the Vault client, one per group of endpoints, so each part of the engine
// depends on the calls it makes (and a test can pass a fake): sign-in, credentials, leases.
import type { VaultClient } from './client.ts';

export type { LeaseApi } from './leaseApi.ts';

/** Sign-in and the token itself: login flows, AuthService, TokenKeeper. */
export type AuthApi = Pick<VaultClient, 'setToken' | 'lookupSelf' | 'renewSelf' | 'revokeSelf' | 'jwtLogin' | 'oidcAuthUrl' | 'oidcCallback'>;

/** Issuing credentials: engine/issue.ts. */
export type CredentialsApi = Pick<VaultClient, 'databaseCreds' | 'sshSign' | 'awsCreds'>;
