// Rate-limit quotas (vault-api.md §9): `rate` requests per `interval` per client address, on a
// path prefix (a mount, a path, or "" for everything); the most specific quota applies.
import { z } from 'zod';
import { parseDuration } from '../../../main/core/duration.ts';
import { VaultError } from './backend.ts';

const durationSeconds = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = parseDuration(v);
  if (s === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return s;
});

export const quotaBody = z.object({
  rate: z.coerce.number().positive(),
  path: z.string().default(''),
  interval: durationSeconds.default(1),
  block_interval: durationSeconds.default(0),
});

interface Quota {
  name: string;
  path: string;
  rate: number;
  interval: number;
  blockInterval: number;
  windows: Map<string, { start: number; count: number; blockedUntil: number }>;
}

/** Paths never limited (vault/quotas: exempt by default). */
const EXEMPT = ['sys/health', 'sys/seal-status', 'sys/unseal', 'sys/generate-root/', 'sys/generate-recovery-token/'];

export interface QuotaVerdict {
  headers: Record<string, string>;
  exceeded: boolean;
}

export class RateLimits {
  private readonly quotas = new Map<string, Quota>();
  private readonly now: () => number;
  enableHeaders = false;

  constructor(now: () => number) {
    this.now = now;
  }

  set(name: string, body: Record<string, unknown>): void {
    const parsed = quotaBody.safeParse(body);
    if (!parsed.success) throw new VaultError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const q = parsed.data;
    this.quotas.set(name, {
      name,
      path: q.path.replace(/^\/+/, ''),
      rate: q.rate,
      interval: q.interval || 1,
      blockInterval: q.block_interval,
      windows: new Map(),
    });
  }

  get(name: string): Record<string, unknown> | null {
    const q = this.quotas.get(name);
    if (!q) return null;
    return {
      name: q.name,
      path: q.path,
      rate: q.rate,
      interval: q.interval,
      block_interval: q.blockInterval,
      type: 'rate-limit',
      role: '',
      inheritable: false,
    };
  }

  delete(name: string): void {
    this.quotas.delete(name);
  }

  names(): string[] {
    return [...this.quotas.keys()].sort();
  }

  /** Counts the request and says whether it is over the quota (fixed window per client). */
  check(path: string, client: string): QuotaVerdict | undefined {
    if (EXEMPT.some((e) => path === e || (e.endsWith('/') && path.startsWith(e)))) return undefined;
    let quota: Quota | undefined;
    for (const q of this.quotas.values()) {
      if (path.startsWith(q.path) && (!quota || q.path.length > quota.path.length)) quota = q;
    }
    if (!quota) return undefined;
    const now = this.now();
    let w = quota.windows.get(client);
    if (!w || now >= w.start + quota.interval * 1000) {
      w = { start: now, count: 0, blockedUntil: w?.blockedUntil ?? 0 };
      quota.windows.set(client, w);
    }
    w.count += 1;
    const blocked = now < w.blockedUntil;
    const exceeded = blocked || w.count > quota.rate;
    if (exceeded && !blocked && quota.blockInterval > 0) w.blockedUntil = now + quota.blockInterval * 1000;
    const resetAt = Math.max(w.start + quota.interval * 1000, w.blockedUntil);
    const reset = Math.max(1, Math.ceil((resetAt - now) / 1000));
    const headers: Record<string, string> = {};
    if (this.enableHeaders) {
      headers['X-Ratelimit-Limit'] = String(quota.rate);
      headers['X-Ratelimit-Remaining'] = String(Math.max(0, quota.rate - w.count));
      headers['X-Ratelimit-Reset'] = String(reset);
      if (exceeded) headers['Retry-After'] = String(reset);
    }
    return { headers, exceeded };
  }
}
