// Vault's side of OpenID Connect, as a server-side relying party: discovery, the code exchange at
// the token endpoint (client_secret_basic, PKCE), ID token/JWT verification and userinfo.
// Plain fetch + jose, so every check is visible here. Errors carry the text Vault would report
// after its prefix (go-oidc / golang.org/x/oauth2 style where it matters).
import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

const TIMEOUT_MS = 10_000;

const DiscoveryDocument = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  jwks_uri: z.string().url(),
  userinfo_endpoint: z.string().url().optional(),
});
export type DiscoveryDocument = z.infer<typeof DiscoveryDocument>;

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}: ${body.slice(0, 200)}`);
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`failed to decode response: ${body.slice(0, 200)}`);
  }
}

/**
 * OIDC discovery the way go-oidc does it: `oidc_discovery_url` is the issuer, the document is at
 * `<issuer>/.well-known/openid-configuration`, and its `issuer` must equal the URL configured.
 */
export async function discover(discoveryUrl: string): Promise<DiscoveryDocument> {
  const wellKnown = `${discoveryUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const parsed = DiscoveryDocument.safeParse(await getJson(wellKnown));
  if (!parsed.success) throw new Error(`oidc: failed to decode provider discovery object: ${parsed.error.issues[0]?.message ?? ''}`);
  if (parsed.data.issuer !== discoveryUrl) {
    throw new Error(
      `oidc: issuer did not match the issuer returned by provider, expected ${JSON.stringify(discoveryUrl)} got ${JSON.stringify(parsed.data.issuer)}`,
    );
  }
  return parsed.data;
}

/** A JWKS endpoint as a jose key resolver (cached, refetched on an unknown kid). */
export function remoteKeys(jwksUri: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: TIMEOUT_MS });
}

/** Fetch a JWKS once, to check a configured jwks_url answers with keys. */
export async function checkJwks(jwksUri: string): Promise<void> {
  const parsed = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).safeParse(await getJson(jwksUri));
  if (!parsed.success) throw new Error('failed to decode keys');
}

export interface VerifyExpectations {
  /** Checked when set. */
  issuer?: string;
  /** The token's aud must contain one of these, when any are given. */
  audiences?: string[];
  subject?: string;
  algorithms: string[];
  /** Seconds of leeway for exp and nbf. */
  leeway: number;
}

/** Verify a JWT's signature and registered claims; returns all its claims. */
export async function verifyJwt(token: string, keys: JWTVerifyGetKey | KeyObject[], expect: VerifyExpectations): Promise<JWTPayload> {
  const options = {
    algorithms: expect.algorithms,
    clockTolerance: expect.leeway,
    ...(expect.issuer ? { issuer: expect.issuer } : {}),
    ...(expect.audiences?.length ? { audience: expect.audiences } : {}),
    ...(expect.subject ? { subject: expect.subject } : {}),
  };
  if (Array.isArray(keys)) {
    let lastError: unknown = new Error('no known key successfully validated the token signature');
    for (const key of keys) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }
  return (await jwtVerify(token, keys, options)).payload;
}

const TokenResponse = z.object({
  access_token: z.string().optional(),
  id_token: z.string().optional(),
  token_type: z.string().optional(),
});
const TokenError = z.object({ error: z.string(), error_description: z.string().optional() });

/** The authorization-code exchange; a refusal reads like golang.org/x/oauth2's RetrieveError. */
export async function exchangeCode(opts: {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  codeVerifier: string | undefined;
}): Promise<z.infer<typeof TokenResponse>> {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: opts.code, redirect_uri: opts.redirectUri });
  if (opts.codeVerifier) body.set('code_verifier', opts.codeVerifier);
  const basic = Buffer.from(`${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`).toString('base64');
  const res = await fetch(opts.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = TokenError.safeParse(json);
    if (err.success) throw new Error(`oauth2: ${JSON.stringify(err.data.error)} ${JSON.stringify(err.data.error_description ?? '')}`);
    throw new Error(`oauth2: cannot fetch token: ${res.status} ${res.statusText}\nResponse: ${text.slice(0, 200)}`);
  }
  const parsed = TokenResponse.safeParse(json);
  if (!parsed.success) throw new Error(`oauth2: cannot parse json: ${text.slice(0, 200)}`);
  return parsed.data;
}

/** Userinfo claims, or undefined when the endpoint is missing or fails (never fatal, as in Vault). */
export async function fetchUserInfo(endpoint: string | undefined, accessToken: string): Promise<Record<string, unknown> | undefined> {
  if (!endpoint) return undefined;
  try {
    const parsed = z.record(z.string(), z.unknown()).safeParse(await getJson(endpoint, { authorization: `Bearer ${accessToken}` }));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
