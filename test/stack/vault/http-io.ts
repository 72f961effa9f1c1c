// Wire format: request bodies (JSON or form, http/logical.go) and responses (the envelope of
// sdk/logical/translate_response.go, {"errors":[...]} for failures), always Cache-Control: no-store.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VaultError } from './backend.ts';

const MAX_BODY = 32 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new VaultError(413, 'http: request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * A JSON object, or a form when the content type says so AND the body does not start like JSON
 * (http/logical.go isForm: curl -d '{"a":1}' sends a form content type with a JSON body).
 */
export function parseBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  const first = text.trimStart()[0];
  const formType = (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
  if (formType && first !== '{' && first !== '[') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new VaultError(400, 'error parsing JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new VaultError(400, 'error parsing JSON');
  return parsed as Record<string, unknown>;
}

/** Query parameters as Vault passes them to reads (a repeated key keeps the first value). */
export function queryData(params: URLSearchParams): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [k, v] of params) if (!(k in data)) data[k] = v;
  return data;
}

export interface Envelope {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: Record<string, unknown> | null;
  wrap_info: Record<string, unknown> | null;
  warnings: string[] | null;
  auth: Record<string, unknown> | null;
  mount_type: string;
}

export function envelope(parts: Partial<Envelope> & { request_id: string }): Envelope {
  return {
    request_id: parts.request_id,
    lease_id: parts.lease_id ?? '',
    renewable: parts.renewable ?? false,
    lease_duration: parts.lease_duration ?? 0,
    data: parts.data ?? null,
    wrap_info: parts.wrap_info ?? null,
    warnings: parts.warnings && parts.warnings.length > 0 ? parts.warnings : null,
    auth: parts.auth ?? null,
    mount_type: parts.mount_type ?? '',
  };
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  /** Undefined = no body (204, 202, HEAD). */
  body: string | undefined;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): WireResponse {
  // Go's json.Encoder ends every document with a newline.
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: `${JSON.stringify(body)}\n` };
}

export function errorResponse(status: number, errors: string[], headers: Record<string, string> = {}): WireResponse {
  return jsonResponse(status, { errors }, headers);
}

export function noContent(status = 204): WireResponse {
  return { status, headers: {}, body: undefined };
}

export function send(res: ServerResponse, wire: WireResponse, headOnly = false): void {
  res.statusCode = wire.status;
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(wire.headers)) res.setHeader(k, v);
  if (wire.body === undefined || headOnly) {
    res.end();
    return;
  }
  res.setHeader('Content-Length', Buffer.byteLength(wire.body));
  res.end(wire.body);
}
