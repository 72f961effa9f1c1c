// Auth methods the Vault-compatible server can enable under sys/auth, by Vault type name.
// "jwt" and "oidc" are one plugin in Vault, so both map to the same backend.
import type { BackendFactory } from '../backend.ts';
import { jwtAuthFactory } from './jwtAuth.ts';

export const authBackends: Record<string, BackendFactory> = {
  jwt: jwtAuthFactory('jwt'),
  oidc: jwtAuthFactory('oidc'),
};

export { JwtAuthBackend, OIDC_STATE_TTL_MS } from './jwtAuth.ts';
