// A tiny Vault HTTP client for integration tests: raw status and parsed body, no retries, so
// tests see exactly what Vault answered.
import { z } from 'zod';

export interface VaultReply {
  status: number;
  /** Parsed JSON body; undefined for an empty body (204). */
  body: unknown;
  /** Raw body text (for non-JSON answers such as ssh public_key). */
  text: string;
}

export async function vaultRequest(addr: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<VaultReply> {
  const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
  if (token) headers['X-Vault-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${addr}/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** A Vault client bound to one address and token. */
export function vaultClient(addr: string, token?: string) {
  return {
    read: (path: string) => vaultRequest(addr, token, 'GET', path),
    write: (path: string, body: unknown = {}) => vaultRequest(addr, token, 'POST', path, body),
    put: (path: string, body: unknown = {}) => vaultRequest(addr, token, 'PUT', path, body),
    delete: (path: string) => vaultRequest(addr, token, 'DELETE', path),
  };
}
export type VaultClient = ReturnType<typeof vaultClient>;

/** Parse a reply with a schema, failing with the status and body so a test failure says why. */
export function expectBody<T extends z.ZodType>(reply: VaultReply, schema: T, status = 200): z.output<T> {
  if (reply.status !== status) throw new Error(`expected HTTP ${status}, got ${reply.status}: ${reply.text.slice(0, 500)}`);
  const parsed = schema.safeParse(reply.body);
  if (!parsed.success) throw new Error(`unexpected body: ${reply.text.slice(0, 500)}\n${parsed.error.message}`);
  return parsed.data;
}

export const AuthReply = z.object({
  auth: z.object({
    client_token: z.string().min(1),
    accessor: z.string(),
    policies: z.array(z.string()),
    token_policies: z.array(z.string()),
    lease_duration: z.number(),
    renewable: z.boolean(),
  }),
});

export const LeaseReply = <T extends z.ZodType>(data: T) => z.object({ lease_id: z.string(), lease_duration: z.number(), renewable: z.boolean(), data });

export const ErrorsReply = z.object({ errors: z.array(z.string()) });

/**
 * What Keyfob does at issue (engine/sessionLeases.ts): a child of the engineer's token, made for
 * one session, which reads the lease; its revoke-self ends that lease.
 */
export async function sessionChildToken(addr: string, parentToken: string, ttl = '5m'): Promise<{ client: VaultClient; token: string; accessor: string }> {
  const reply = await vaultRequest(addr, parentToken, 'POST', 'auth/token/create', {
    ttl,
    explicit_max_ttl: '1h',
    display_name: 'keyfob-test',
    renewable: true,
  });
  const { client_token: token, accessor } = expectBody(reply, AuthReply).auth;
  return { client: vaultClient(addr, token), token, accessor };
}
