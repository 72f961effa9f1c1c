// `auth/<mount>/role/<name>` of the JWT/OIDC method (vault-plugin-auth-jwt path_role.go plus the
// token_* fields of sdk/helper/tokenutil): who may log in, which claims matter, what token results.
import { z } from 'zod';
import { VaultError } from '../backend.ts';
import { bool, boundClaimsMap, commaList, duration, kvPairs, readFields, str } from './fields.ts';

export interface JwtRole {
  roleType: 'oidc' | 'jwt';
  boundAudiences: string[];
  boundSubject: string;
  boundClaims: Record<string, unknown>;
  boundClaimsType: 'string' | 'glob';
  userClaim: string;
  userClaimJsonPointer: boolean;
  groupsClaim: string;
  claimMappings: Record<string, string>;
  oidcScopes: string[];
  allowedRedirectUris: string[];
  clockSkewLeeway: number;
  expirationLeeway: number;
  notBeforeLeeway: number;
  verboseOidcLogging: boolean;
  maxAge: number;
  tokenPolicies: string[];
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenBoundCidrs: string[];
  tokenNoDefaultPolicy: boolean;
  tokenType: string;
  tokenPeriod: number;
  tokenNumUses: number;
  tokenExplicitMaxTtl: number;
}

const DEFAULT_ROLE: JwtRole = {
  roleType: 'oidc', // Vault's default when role_type is not given
  boundAudiences: [],
  boundSubject: '',
  boundClaims: {},
  boundClaimsType: 'string',
  userClaim: '',
  userClaimJsonPointer: false,
  groupsClaim: '',
  claimMappings: {},
  oidcScopes: [],
  allowedRedirectUris: [],
  clockSkewLeeway: 60,
  expirationLeeway: 150,
  notBeforeLeeway: 150,
  verboseOidcLogging: false,
  maxAge: 0,
  tokenPolicies: [],
  tokenTtl: 0,
  tokenMaxTtl: 0,
  tokenBoundCidrs: [],
  tokenNoDefaultPolicy: false,
  tokenType: 'default',
  tokenPeriod: 0,
  tokenNumUses: 0,
  tokenExplicitMaxTtl: 0,
};

const roleFields = {
  role_type: z.string(),
  bound_audiences: commaList,
  bound_subject: str,
  bound_claims: boundClaimsMap,
  bound_claims_type: z.enum(['string', 'glob']),
  user_claim: str,
  user_claim_json_pointer: bool,
  groups_claim: str,
  claim_mappings: kvPairs,
  oidc_scopes: commaList,
  allowed_redirect_uris: commaList,
  clock_skew_leeway: duration,
  expiration_leeway: duration,
  not_before_leeway: duration,
  verbose_oidc_logging: bool,
  max_age: duration,
  token_policies: commaList,
  policies: commaList,
  token_ttl: duration,
  ttl: duration,
  token_max_ttl: duration,
  max_ttl: duration,
  token_bound_cidrs: commaList,
  bound_cidrs: commaList,
  token_no_default_policy: bool,
  token_type: z.enum(['default', 'service', 'batch', 'default-service', 'default-batch']),
  token_period: duration,
  period: duration,
  token_num_uses: z.coerce.number().int().nonnegative(),
  num_uses: z.coerce.number().int().nonnegative(),
  token_explicit_max_ttl: duration,
};

/** Role names are case-insensitive in the plugin (TypeLowerCaseString). */
export function normalizeRoleName(name: string): string {
  return name.toLowerCase();
}

/**
 * A role write: fields given replace those of `existing` (Vault merges on update), the rest keep
 * their values; then the plugin's consistency checks, each a 400 with its message.
 */
export function parseRoleWrite(data: Record<string, unknown>, existing: JwtRole | undefined): JwtRole {
  const f = readFields(roleFields, data);
  const role: JwtRole = structuredClone(existing ?? DEFAULT_ROLE);
  if (f.role_type !== undefined) {
    if (f.role_type !== 'oidc' && f.role_type !== 'jwt') throw new VaultError(400, `invalid 'role_type': ${f.role_type}`);
    role.roleType = f.role_type;
  }
  if (f.bound_audiences) role.boundAudiences = f.bound_audiences;
  if (f.bound_subject !== undefined) role.boundSubject = f.bound_subject;
  if (f.bound_claims) role.boundClaims = f.bound_claims;
  if (f.bound_claims_type) role.boundClaimsType = f.bound_claims_type;
  if (f.user_claim !== undefined) role.userClaim = f.user_claim;
  if (f.user_claim_json_pointer !== undefined) role.userClaimJsonPointer = f.user_claim_json_pointer;
  if (f.groups_claim !== undefined) role.groupsClaim = f.groups_claim;
  if (f.claim_mappings) role.claimMappings = f.claim_mappings;
  if (f.oidc_scopes) role.oidcScopes = f.oidc_scopes;
  if (f.allowed_redirect_uris) role.allowedRedirectUris = f.allowed_redirect_uris;
  if (f.clock_skew_leeway !== undefined) role.clockSkewLeeway = f.clock_skew_leeway;
  if (f.expiration_leeway !== undefined) role.expirationLeeway = f.expiration_leeway;
  if (f.not_before_leeway !== undefined) role.notBeforeLeeway = f.not_before_leeway;
  if (f.verbose_oidc_logging !== undefined) role.verboseOidcLogging = f.verbose_oidc_logging;
  if (f.max_age !== undefined) role.maxAge = f.max_age;
  // token_* fields win over their deprecated aliases (tokenutil.ParseTokenFields).
  const policies = f.token_policies ?? f.policies;
  if (policies) role.tokenPolicies = policies;
  const ttl = f.token_ttl ?? f.ttl;
  if (ttl !== undefined) role.tokenTtl = ttl;
  const maxTtl = f.token_max_ttl ?? f.max_ttl;
  if (maxTtl !== undefined) role.tokenMaxTtl = maxTtl;
  const cidrs = f.token_bound_cidrs ?? f.bound_cidrs;
  if (cidrs) role.tokenBoundCidrs = cidrs;
  if (f.token_no_default_policy !== undefined) role.tokenNoDefaultPolicy = f.token_no_default_policy;
  if (f.token_type) role.tokenType = f.token_type;
  const period = f.token_period ?? f.period;
  if (period !== undefined) role.tokenPeriod = period;
  const numUses = f.token_num_uses ?? f.num_uses;
  if (numUses !== undefined) role.tokenNumUses = numUses;
  if (f.token_explicit_max_ttl !== undefined) role.tokenExplicitMaxTtl = f.token_explicit_max_ttl;

  if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) {
    throw new VaultError(400, "'token_ttl' cannot be greater than 'token_max_ttl'");
  }
  if (
    role.roleType === 'jwt' &&
    role.boundAudiences.length === 0 &&
    role.boundSubject === '' &&
    Object.keys(role.boundClaims).length === 0 &&
    role.tokenBoundCidrs.length === 0
  ) {
    throw new VaultError(400, 'must have at least one bound constraint when creating/updating a role');
  }
  if (role.userClaim === '') throw new VaultError(400, 'a user claim must be defined on the role');
  if (role.roleType === 'oidc' && role.allowedRedirectUris.length === 0) {
    throw new VaultError(400, "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.");
  }
  const targets = new Set<string>();
  for (const target of Object.values(role.claimMappings)) {
    if (target === 'role') throw new VaultError(400, `metadata key "role" is reserved and may not be a mapping destination`);
    if (targets.has(target)) throw new VaultError(400, `multiple keys are mapped to metadata key ${JSON.stringify(target)}`);
    targets.add(target);
  }
  return role;
}

/** The read view, with the deprecated aliases Vault still reports. */
export function roleReadData(role: JwtRole): Record<string, unknown> {
  return {
    role_type: role.roleType,
    bound_audiences: role.boundAudiences,
    bound_subject: role.boundSubject,
    bound_claims: Object.keys(role.boundClaims).length ? role.boundClaims : null,
    bound_claims_type: role.boundClaimsType,
    user_claim: role.userClaim,
    user_claim_json_pointer: role.userClaimJsonPointer,
    groups_claim: role.groupsClaim,
    claim_mappings: Object.keys(role.claimMappings).length ? role.claimMappings : null,
    oidc_scopes: role.oidcScopes,
    allowed_redirect_uris: role.allowedRedirectUris,
    clock_skew_leeway: role.clockSkewLeeway,
    expiration_leeway: role.expirationLeeway,
    not_before_leeway: role.notBeforeLeeway,
    verbose_oidc_logging: role.verboseOidcLogging,
    max_age: role.maxAge,
    token_policies: role.tokenPolicies,
    policies: role.tokenPolicies,
    token_ttl: role.tokenTtl,
    ttl: role.tokenTtl,
    token_max_ttl: role.tokenMaxTtl,
    max_ttl: role.tokenMaxTtl,
    token_bound_cidrs: role.tokenBoundCidrs,
    bound_cidrs: role.tokenBoundCidrs,
    token_no_default_policy: role.tokenNoDefaultPolicy,
    token_type: role.tokenType,
    token_period: role.tokenPeriod,
    period: role.tokenPeriod,
    token_num_uses: role.tokenNumUses,
    num_uses: role.tokenNumUses,
    token_explicit_max_ttl: role.tokenExplicitMaxTtl,
  };
}
