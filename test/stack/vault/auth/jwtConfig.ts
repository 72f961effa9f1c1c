// `auth/<mount>/config` of the JWT/OIDC method (vault-plugin-auth-jwt path_config.go): which keys
// verify tokens (OIDC discovery, a JWKS URL or static PEM keys) and the OIDC client Vault uses.
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { VaultError } from '../backend.ts';
import { commaList, readFields, str, bool } from './fields.ts';

export interface JwtConfig {
  oidcDiscoveryUrl: string;
  oidcClientId: string;
  oidcClientSecret: string;
  oidcResponseMode: '' | 'query' | 'form_post';
  oidcResponseTypes: string[];
  defaultRole: string;
  jwksUrl: string;
  jwtValidationPubkeys: string[];
  jwtSupportedAlgs: string[];
  boundIssuer: string;
  namespaceInState: boolean;
}

/** How tokens are verified and whether the browser flow is available (Vault's authType()). */
export type AuthType = 'static-keys' | 'jwks' | 'oidc-discovery' | 'oidc-flow';

export function authTypeOf(config: JwtConfig): AuthType {
  if (config.jwtValidationPubkeys.length) return 'static-keys';
  if (config.jwksUrl) return 'jwks';
  return config.oidcClientId ? 'oidc-flow' : 'oidc-discovery';
}

const configFields = {
  oidc_discovery_url: str,
  oidc_discovery_ca_pem: str,
  oidc_client_id: str,
  oidc_client_secret: str,
  oidc_response_mode: z.enum(['', 'query', 'form_post']),
  oidc_response_types: commaList,
  default_role: str,
  jwks_url: str,
  jwks_ca_pem: str,
  jwt_validation_pubkeys: commaList,
  jwt_supported_algs: commaList,
  bound_issuer: str,
  namespace_in_state: bool,
};

/** Checks the shape of a config write; network checks (discovery, JWKS) are the caller's. */
export function parseConfigWrite(data: Record<string, unknown>): JwtConfig {
  const f = readFields(configFields, data);
  // PEM keys contain no commas, but a form body could still join several; keep whole PEM blocks.
  const pubkeys = (f.jwt_validation_pubkeys ?? []).filter((k) => k.trim() !== '');
  const config: JwtConfig = {
    oidcDiscoveryUrl: f.oidc_discovery_url ?? '',
    oidcClientId: f.oidc_client_id ?? '',
    oidcClientSecret: f.oidc_client_secret ?? '',
    oidcResponseMode: f.oidc_response_mode ?? '',
    oidcResponseTypes: f.oidc_response_types ?? [],
    defaultRole: (f.default_role ?? '').toLowerCase(),
    jwksUrl: f.jwks_url ?? '',
    jwtValidationPubkeys: pubkeys,
    jwtSupportedAlgs: f.jwt_supported_algs ?? [],
    boundIssuer: f.bound_issuer ?? '',
    namespaceInState: f.namespace_in_state ?? true,
  };

  const sources = [config.oidcDiscoveryUrl !== '', config.jwksUrl !== '', pubkeys.length > 0].filter(Boolean).length;
  if (sources !== 1) {
    throw new VaultError(400, "exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set");
  }
  if ((config.oidcClientId === '') !== (config.oidcClientSecret === '')) {
    throw new VaultError(400, "both 'oidc_client_id' and 'oidc_client_secret' must be set for OIDC");
  }
  if (config.oidcClientId && !config.oidcDiscoveryUrl) {
    throw new VaultError(400, "'oidc_discovery_url' must be set for OIDC");
  }
  for (const t of config.oidcResponseTypes) {
    if (t !== 'code' && t !== 'id_token') throw new VaultError(400, `invalid response_type value: ${JSON.stringify(t)}`);
  }
  if (config.oidcResponseTypes.includes('id_token') && config.oidcResponseMode !== 'form_post') {
    throw new VaultError(400, "'form_post' oidc_response_mode must be used with 'id_token' oidc_response_types");
  }
  return config;
}

/** Static keys as Node KeyObjects; a bad PEM is the 400 Vault gives. */
export function parseStaticKeys(pems: string[]): KeyObject[] {
  return pems.map((pem) => {
    try {
      return createPublicKey(pem);
    } catch (err) {
      throw new VaultError(400, `error parsing public key: ${(err as Error).message}`);
    }
  });
}

/** The read view: every field except the client secret, as Vault returns it. */
export function configReadData(config: JwtConfig): Record<string, unknown> {
  return {
    oidc_discovery_url: config.oidcDiscoveryUrl,
    oidc_discovery_ca_pem: '',
    oidc_client_id: config.oidcClientId,
    oidc_response_mode: config.oidcResponseMode,
    oidc_response_types: config.oidcResponseTypes,
    default_role: config.defaultRole,
    jwt_validation_pubkeys: config.jwtValidationPubkeys,
    jwt_supported_algs: config.jwtSupportedAlgs,
    jwks_url: config.jwksUrl,
    jwks_ca_pem: '',
    bound_issuer: config.boundIssuer,
    provider_config: {},
    namespace_in_state: config.namespaceInState,
  };
}
