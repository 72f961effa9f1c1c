// Claim handling shared by JWT login and the OIDC callback (vault-plugin-auth-jwt claims.go,
// createIdentity in path_login.go) and the redirect_uri check of auth_url (path_oidc.go).
// Errors are plain Errors whose message is the exact text Vault puts in its 400.
import type { JwtRole } from './jwtRole.ts';

export type Claims = Record<string, unknown>;

/** A claim by name, or by JSON pointer ("/a/b") when it starts with a slash. */
export function getClaim(claims: Claims, name: string): unknown {
  if (!name.startsWith('/')) return claims[name];
  let current: unknown = claims;
  for (const raw of name.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

/** bound_claims: every bound claim present, and (any of) its values among the allowed ones. */
export function validateBoundClaims(role: JwtRole, claims: Claims): void {
  for (const [name, expectedRaw] of Object.entries(role.boundClaims)) {
    const actual = getClaim(claims, name);
    if (actual === undefined || actual === null) throw new Error(`claim ${JSON.stringify(name)} is missing`);
    const expected = (Array.isArray(expectedRaw) ? expectedRaw : [expectedRaw]).map(String);
    const actualValues = (Array.isArray(actual) ? actual : [actual]).map(String);
    const matches = actualValues.some((a) => expected.some((e) => (role.boundClaimsType === 'glob' ? globMatches(e, a) : e === a)));
    if (!matches) throw new Error(`claim ${JSON.stringify(name)} does not match any associated bound claim values`);
  }
}

export interface Identity {
  alias: string;
  groups: string[];
  /** claim_mappings output; the caller adds "role". */
  metadata: Record<string, string>;
}

/** The alias (user_claim), groups (groups_claim) and mapped metadata of a validated token. */
export function createIdentity(role: JwtRole, claims: Claims): Identity {
  // The user claim is read as a JSON pointer only when the role says so (user_claim_json_pointer).
  const userClaim = role.userClaimJsonPointer ? getClaim(claims, role.userClaim) : claims[role.userClaim];
  if (userClaim === undefined || userClaim === null) throw new Error(`claim ${JSON.stringify(role.userClaim)} not found in token`);
  if (typeof userClaim !== 'string' && typeof userClaim !== 'number') {
    throw new Error(`claim ${JSON.stringify(role.userClaim)} could not be converted to string`);
  }

  const metadata: Record<string, string> = {};
  for (const [claim, key] of Object.entries(role.claimMappings)) {
    const value = getClaim(claims, claim);
    if (value === undefined || value === null) continue;
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new Error(`error converting claim '${claim}' to string`);
    metadata[key] = String(value);
  }

  const groups: string[] = [];
  if (role.groupsClaim) {
    const raw = getClaim(claims, role.groupsClaim);
    if (raw === undefined || raw === null) throw new Error(`${JSON.stringify(role.groupsClaim)} claim not found in token`);
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : undefined;
    if (!list || list.some((g) => typeof g !== 'string')) {
      throw new Error(`${JSON.stringify(role.groupsClaim)} claim could not be converted to string list`);
    }
    groups.push(...(list as string[]).filter((g) => g !== ''));
  }
  return { alias: String(userClaim), groups, metadata };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Is `uri` allowed? Non-loopback URIs match an entry exactly (case-insensitively); loopback
 * ones ignore the port (RFC 8252 §7.3), as validRedirect in path_oidc.go does.
 */
export function validRedirect(uri: string, allowed: string[]): boolean {
  let input: URL;
  try {
    input = new URL(uri);
  } catch {
    return false;
  }
  if (!LOOPBACK_HOSTS.has(input.hostname)) return allowed.some((a) => a.toLowerCase() === uri.toLowerCase());
  const withoutPort = (u: URL) => {
    const copy = new URL(u.href);
    copy.port = '';
    return copy.href;
  };
  const wanted = withoutPort(input);
  return allowed.some((a) => {
    try {
      return withoutPort(new URL(a)) === wanted;
    } catch {
      return false;
    }
  });
}
