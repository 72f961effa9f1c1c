// The wire under node-vault. node-vault builds paths and token/namespace headers and turns
// statuses into errors; this transport (plugged in through node-vault's `request-promise`
// option) owns what node-vault lacks: X-Vault-Request on every request, the CA file, a timeout,
// and retries that can see Retry-After. TLS verification is always on; there is no switch.
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { describeConnectionError, neverSentCodes, VaultError } from './errors.ts';
import { RateGate } from './rateGate.ts';
import { backoffMs, defaultRetryPolicy, isRetryableStatus, parseRetryAfterMs, provesNotExecuted, type RetryPolicy } from './retry.ts';

/**
 * How a request may be repeated:
 * - `replay-safe`: reads, renewals, revocations; retried on any retryable failure.
 * - `issues-credential`: each success mints a new lease, so it is repeated only when the failure
 *   proves Vault did not act (connection never made, 412/429/503); otherwise a second, unknown
 *   credential could be left behind.
 * - `never`: health checks, where the status is the answer.
 */
export type RetryMode = 'replay-safe' | 'issues-credential' | 'never';

/** What node-vault hands its request function, plus Keyfob's own per-request options. */
export interface WireRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
  retryMode?: RetryMode;
  /** Send no token (login endpoints are unauthenticated, and a stale token must not ride along). */
  anonymous?: boolean;
}

/** What node-vault's handleVaultResponse expects back. */
export interface WireResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

export interface TransportOptions {
  address: string;
  timeoutMs: number;
  /** PEM CA bundle trusted for Vault's certificate, instead of the system roots (as VAULT_CACERT does). */
  ca?: string;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

// As CommonJS modules: importing node:http as ESM builds a facade that reads every export,
// which loads Node's fetch (undici), a cost for commands that may not call Vault at all.
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

const maxBodyBytes = 8 * 1024 * 1024;

interface RawResponse {
  statusCode: number;
  headers: Http.IncomingHttpHeaders;
  body: unknown;
}

export class VaultTransport {
  readonly #address: string;
  readonly #timeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #httpsAgent: Https.Agent;
  readonly #httpAgent: Http.Agent;
  readonly #gate: RateGate;

  constructor(options: TransportOptions) {
    this.#address = options.address;
    this.#timeoutMs = options.timeoutMs;
    this.#policy = { ...defaultRetryPolicy, ...options.retry };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#httpsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: true, ...(options.ca ? { ca: options.ca } : {}) });
    this.#httpAgent = new http.Agent({ keepAlive: true });
    this.#gate = new RateGate({ sleep: this.#sleep, random: this.#random });
  }

  /** node-vault's `request-promise` hook: `.defaults()` returns the request function. */
  asRequestPromise(): { defaults: () => (request: WireRequest) => Promise<WireResponse> } {
    return { defaults: () => (request) => this.send(request) };
  }

  async send(request: WireRequest): Promise<WireResponse> {
    const url = new URL(request.uri);
    const path = logicalPath(url);
    const mode = request.retryMode ?? 'replay-safe';
    for (let attempt = 1; ; attempt++) {
      const canRetry = attempt <= this.#policy.retries && mode !== 'never';
      let response: RawResponse;
      const ticket = await this.#gate.acquire();
      try {
        response = await this.#once(url, request);
      } catch (error) {
        this.#gate.release(ticket);
        const code = (error as NodeJS.ErrnoException).code;
        if (canRetry && (mode === 'replay-safe' || (code !== undefined && neverSentCodes.has(code)))) {
          await this.#sleep(backoffMs(attempt, this.#policy, this.#random));
          continue;
        }
        if (code === 'KEYFOB_TIMEOUT') {
          throw new VaultError('VAULT_TIMEOUT', `Vault at ${this.#address} did not answer ${path} within ${this.#timeoutMs / 1000}s`, path);
        }
        throw describeConnectionError(code, this.#address, path);
      }
      const status = response.statusCode;
      const header = response.headers['retry-after'];
      const retryAfter = parseRetryAfterMs(Array.isArray(header) ? header[0] : header);
      const waitOut = retryAfter === undefined || retryAfter <= this.#policy.maxRetryAfterMs;
      // A 429 slows every request of this process down (rateGate.ts); one too long to wait out fails alone.
      const throttledForMs = status === 429 && waitOut ? (retryAfter ?? backoffMs(attempt, this.#policy, this.#random)) : undefined;
      this.#gate.release(ticket, throttledForMs);
      const retryable = isRetryableStatus(status) && (mode === 'replay-safe' || provesNotExecuted(status));
      if (canRetry && retryable && waitOut) {
        // After a 429 the gate does the waiting (see acquire above).
        if (throttledForMs === undefined) await this.#sleep(retryAfter ?? backoffMs(attempt, this.#policy, this.#random));
        continue;
      }
      return { statusCode: status, body: response.body, request: { path: url.pathname } };
    }
  }

  close(): void {
    this.#httpsAgent.destroy();
    this.#httpAgent.destroy();
  }

  #once(url: URL, request: WireRequest): Promise<RawResponse> {
    const headers: Record<string, string> = { ...request.headers, 'X-Vault-Request': 'true', Accept: 'application/json', 'User-Agent': 'keyfob' };
    if (request.anonymous) delete headers['X-Vault-Token'];
    const payload = request.json !== undefined && request.json !== null && typeof request.json === 'object' ? JSON.stringify(request.json) : undefined;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const isHttps = url.protocol === 'https:';
    const send = isHttps ? https.request : http.request;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = send(url, { method: request.method, headers, agent: isHttps ? this.#httpsAgent : this.#httpAgent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) req.destroy(Object.assign(new Error('response too large'), { code: 'KEYFOB_TOO_LARGE' }));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            body: decodeBody(Buffer.concat(chunks).toString('utf8'), res.headers['content-type']),
          });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timed out'), { code: 'KEYFOB_TIMEOUT' })), this.#timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(payload);
    });
  }
}

/** JSON when it parses; otherwise the raw text (a proxy's HTML page, SSH public_key), so the schema can say what it got. */
function decodeBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** `/v1/database/creds/orders-rw?x=y` → `database/creds/orders-rw`: what messages name, never a query string. */
export function logicalPath(url: URL): string {
  return url.pathname.replace(/^\/v1\//, '');
}
