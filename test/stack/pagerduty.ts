// A local PagerDuty REST API v2 look-alike for on-call checks (shared/pagerduty-api.md):
// GET /oncalls, /users/me, /users, /users/{id}, /schedules/{id}, /schedules/{id}/users, with
// PagerDuty's auth header, reference objects, classic pagination, error bodies and rate-limit headers.
// Who is on call is test state: setOnCall() in-process, or PUT /_admin/oncalls from a shell.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface OnCallEntry {
  /** User name, e.g. "alice"; the PagerDuty id is derived from it (userIdFor). */
  user: string;
  email: string;
  /** null: a permanent on-call from a direct user escalation target (no schedule). */
  scheduleId: string | null;
  /** null: permanent on-call with no start. */
  start: Date | null;
  /** null: the user does not go off call. */
  end: Date | null;
  /** Default "PESCAL1". */
  escalationPolicyId?: string;
  /** Default 1. */
  escalationLevel?: number;
}

export interface PagerDutyUser {
  name: string;
  email: string;
}

export interface PagerDutyOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Users with user-level API keys. Default alice and bob @example.com. */
  users?: PagerDutyUser[];
  /** Default: DEFAULT on-calls (alice now, shift ending in 8 hours; bob on the next shift). */
  oncalls?: OnCallEntry[];
  /** Per API key per minute; exceeding it gets 429 as PagerDuty does. Default 960. */
  rateLimitPerMinute?: number;
}

export interface PagerDuty {
  url: string;
  /** alice's user-level API key: send as `Authorization: Token token=<token>`. */
  token: string;
  /** An account-level API key: /oncalls works, /users/me answers 400 (it has no user). */
  accountToken: string;
  /** A user-level API key for any user name (created on first use). */
  tokenFor(user: string): string;
  /** The PagerDuty user id of a user name, as /users/me and /oncalls report it. */
  userIdFor(user: string): string;
  setOnCall(entries: OnCallEntry[]): void;
  stop(): Promise<void>;
}

const SCHEDULE_NAMES: Record<string, string> = { PSCHED1: 'Primary On-Call' };
const ESCALATION_POLICY_NAMES: Record<string, string> = { PESCAL1: 'Engineering Escalation Policy' };
const HTML_BASE = 'https://keyfob-stack.pagerduty.com';
const HOUR_MS = 3600_000;

/** Deterministic ids, so tests and shell users can predict them: alice → PUALICE. */
export function userIdFor(name: string): string {
  return `PU${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
}

export function defaultOnCalls(now = new Date()): OnCallEntry[] {
  return [
    {
      user: 'alice',
      email: 'alice@example.com',
      scheduleId: 'PSCHED1',
      start: new Date(now.getTime() - 16 * HOUR_MS),
      end: new Date(now.getTime() + 8 * HOUR_MS),
    },
    { user: 'bob', email: 'bob@example.com', scheduleId: 'PSCHED1', start: new Date(now.getTime() + 8 * HOUR_MS), end: new Date(now.getTime() + 32 * HOUR_MS) },
  ];
}

class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly details: string[];
  /** A body that is not the usual `{error: {message, code}}` (PagerDuty has a few). */
  readonly rawBody: unknown;
  readonly headers: Record<string, number> | undefined;
  constructor(status: number, code: number, message: string, details: string[] = [], extra: { rawBody?: unknown; headers?: Record<string, number> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.rawBody = extra.rawBody;
    this.headers = extra.headers;
  }

  get body(): unknown {
    return this.rawBody ?? { error: { message: this.message, code: this.code, ...(this.details.length > 0 ? { errors: this.details } : {}) } };
  }
}

const invalidInput = (detail: string) => new ApiError(400, 2001, 'Invalid Input Provided', [detail]);
const notFound = () => new ApiError(404, 2100, 'Not Found');

// ---- time -------------------------------------------------------------------------------------

/** "now", "+8h", "-30m", "+90s", "+2d", or an ISO 8601 date-time (admin convenience for shells). */
export function parseAdminTime(value: string, now: number): Date {
  if (value === 'now') return new Date(now);
  const rel = /^([+-])(\d+)([smhd])$/.exec(value);
  if (rel) {
    const unit = { s: 1000, m: 60_000, h: HOUR_MS, d: 24 * HOUR_MS }[rel[3] as 's' | 'm' | 'h' | 'd'];
    return new Date(now + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * unit);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`not a time: ${value}`);
  return date;
}

/** PagerDuty renders whole seconds with the offset of the requested zone, e.g. 2015-03-06T15:28:51-05:00. */
function formatInZone(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offset = (parts.timeZoneName ?? 'GMT').replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset === '' || offset === '+00:00' ? 'Z' : offset}`;
}

/** Shifts live on whole seconds, as PagerDuty's do, so a rendered end time fed back as `since` matches it. */
function wholeSeconds(date: Date | null): Date | null {
  return date && new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// ---- query parsing ----------------------------------------------------------------------------

function parseQueryDate(query: URLSearchParams, name: string): Date | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const date = new Date(raw);
  if (raw.trim() === '' || Number.isNaN(date.getTime())) {
    throw new ApiError(400, 2004, "Invalid time values in 'since' and/or 'until' parameters", [`${name} is not a valid date-time`]);
  }
  return date;
}

/** since/until both default to now; a lone bound makes the other one meet it (never an inverted range). */
function parseWindow(query: URLSearchParams, now: number): { since: Date; until: Date } {
  const sinceParam = parseQueryDate(query, 'since');
  const untilParam = parseQueryDate(query, 'until');
  const since = sinceParam ?? new Date(Math.min(now, untilParam?.getTime() ?? now));
  const until = untilParam ?? new Date(Math.max(now, since.getTime()));
  if (until < since) throw new ApiError(400, 2005, 'Invalid Query Date Range', ['until must not be before since']);
  return { since, until };
}

function parseBoolean(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  throw invalidInput(`${name} must be true or false`);
}

interface Page {
  limit: number;
  offset: number;
  total: boolean;
}

function parsePage(query: URLSearchParams): Page {
  const int = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < 0) throw invalidInput(`${name} must be a non-negative integer`);
    return n;
  };
  const limit = Math.min(Math.max(int('limit', 25), 1), 100);
  const offset = int('offset', 0);
  if (offset + limit > 10000) throw invalidInput('offset + limit must not exceed 10000');
  return { limit, offset, total: parseBoolean(query, 'total') };
}

function paginated<T>(key: string, items: T[], page: Page) {
  return {
    [key]: items.slice(page.offset, page.offset + page.limit),
    limit: page.limit,
    offset: page.offset,
    more: page.offset + page.limit < items.length,
    total: page.total ? items.length : null,
  };
}

function includes(query: URLSearchParams, allowed: string[]): Set<string> {
  const values = query.getAll('include[]');
  for (const v of values) if (!allowed.includes(v)) throw invalidInput(`include[] must be one of ${allowed.join(', ')}`);
  return new Set(values);
}

// ---- admin input ------------------------------------------------------------------------------

const AdminOnCall = z.object({
  user: z.string().min(1),
  email: z.string().optional(),
  scheduleId: z.string().nullable().optional(),
  start: z.string().nullable().optional(),
  end: z.string().nullable().optional(),
  escalationPolicyId: z.string().optional(),
  escalationLevel: z.number().int().min(1).optional(),
});
const AdminOnCalls = z.union([z.array(AdminOnCall), z.object({ oncalls: z.array(AdminOnCall) })]);

// ---- server -----------------------------------------------------------------------------------

export async function startPagerDuty(opts: PagerDutyOptions = {}): Promise<PagerDuty> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rateLimit = opts.rateLimitPerMinute ?? 960;

  const users = new Map<string, PagerDutyUser>();
  const tokens = new Map<string, string | null>(); // API key → user name (null: account-level key)
  const tokenByUser = new Map<string, string>();
  const usage = new Map<string, { windowStart: number; count: number }>();
  let oncalls: OnCallEntry[] = [];

  const newKey = () => randomBytes(15).toString('base64url');
  function tokenFor(name: string): string {
    let token = tokenByUser.get(name);
    if (!token) {
      token = newKey();
      tokenByUser.set(name, token);
      tokens.set(token, name);
    }
    return token;
  }
  function addUser(user: PagerDutyUser): void {
    users.set(user.name, user);
    tokenFor(user.name);
  }
  function setOnCall(entries: OnCallEntry[]): void {
    for (const e of entries) addUser({ name: e.user, email: e.email });
    oncalls = entries.map((e) => ({ ...e, start: wholeSeconds(e.start), end: wholeSeconds(e.end) }));
  }
  const accountToken = newKey();
  tokens.set(accountToken, null);
  for (const u of opts.users ?? [
    { name: 'alice', email: 'alice@example.com' },
    { name: 'bob', email: 'bob@example.com' },
  ])
    addUser(u);
  setOnCall(opts.oncalls ?? defaultOnCalls());

  // -- representations --
  const ref = (type: string, collection: string, id: string, summary: string) => ({
    id,
    type: `${type}_reference`,
    summary,
    self: `${url}/${collection}/${id}`,
    html_url: `${HTML_BASE}/${collection}/${id}`,
  });
  const userRef = (name: string) => ref('user', 'users', userIdFor(name), name);
  const scheduleName = (id: string) => SCHEDULE_NAMES[id] ?? id;
  const policyName = (id: string) => ESCALATION_POLICY_NAMES[id] ?? id;
  function fullUser(name: string) {
    const user = users.get(name) ?? { name, email: `${name}@example.com` };
    const id = userIdFor(name);
    return {
      id,
      type: 'user',
      summary: name,
      self: `${url}/users/${id}`,
      html_url: `${HTML_BASE}/users/${id}`,
      name,
      email: user.email,
      time_zone: 'UTC',
      color: 'purple',
      role: 'user',
      avatar_url: `${HTML_BASE}/avatars/${id}.png`,
      description: null,
      invitation_sent: false,
      job_title: null,
      contact_methods: [],
      notification_rules: [],
      teams: [],
    };
  }
  const full = (reference: ReturnType<typeof ref>, type: string) => ({ ...reference, type, name: reference.summary });

  function renderOnCall(e: OnCallEntry, include: Set<string>, timeZone: string) {
    const policyId = e.escalationPolicyId ?? 'PESCAL1';
    const policy = ref('escalation_policy', 'escalation_policies', policyId, policyName(policyId));
    const schedule = e.scheduleId === null ? null : ref('schedule', 'schedules', e.scheduleId, scheduleName(e.scheduleId));
    return {
      escalation_policy: include.has('escalation_policies') ? full(policy, 'escalation_policy') : policy,
      escalation_level: e.escalationLevel ?? 1,
      schedule: schedule && include.has('schedules') ? full(schedule, 'schedule') : schedule,
      user: include.has('users') ? fullUser(e.user) : userRef(e.user),
      start: e.start && formatInZone(e.start, timeZone),
      end: e.end && formatInZone(e.end, timeZone),
    };
  }

  const overlaps = (e: OnCallEntry, since: Date, until: Date) => (e.start === null || e.start <= until) && (e.end === null || e.end > since);

  function timeZoneOf(query: URLSearchParams): string {
    const tz = query.get('time_zone') ?? 'UTC';
    if (!validTimeZone(tz)) throw invalidInput('time_zone must be an IANA time zone name');
    return tz;
  }

  // -- operations --
  function listOnCalls(query: URLSearchParams) {
    const include = includes(query, ['escalation_policies', 'users', 'schedules']);
    const timeZone = timeZoneOf(query);
    const page = parsePage(query);
    const { since, until } = parseWindow(query, Date.now());
    const userIds = new Set(query.getAll('user_ids[]'));
    const policyIds = new Set(query.getAll('escalation_policy_ids[]'));
    // "null" in schedule_ids[] selects permanent on-calls from direct user targets.
    const scheduleIds = new Set(query.getAll('schedule_ids[]'));
    let matches = oncalls.filter(
      (e) =>
        overlaps(e, since, until) &&
        (userIds.size === 0 || userIds.has(userIdFor(e.user))) &&
        (policyIds.size === 0 || policyIds.has(e.escalationPolicyId ?? 'PESCAL1')) &&
        (scheduleIds.size === 0 || scheduleIds.has(e.scheduleId ?? 'null')),
    );
    const startMs = (e: OnCallEntry) => e.start?.getTime() ?? -Infinity;
    matches.sort((a, b) => startMs(a) - startMs(b) || (a.escalationLevel ?? 1) - (b.escalationLevel ?? 1));
    if (parseBoolean(query, 'earliest')) {
      const seen = new Set<string>();
      matches = matches.filter((e) => {
        const key = `${e.escalationPolicyId ?? 'PESCAL1'}|${e.escalationLevel ?? 1}|${e.user}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    return paginated(
      'oncalls',
      matches.map((e) => renderOnCall(e, include, timeZone)),
      page,
    );
  }

  function currentUser(caller: string | null) {
    if (caller === null) {
      // python-pagerduty detects key type by this exact shape: 400 with a string `error`.
      throw new ApiError(400, 0, 'account-level token', [], {
        rawBody: {
          error:
            "Because this request was made using an account-level access token, we were unable to determine the user's identity. Please use a user-level token.",
        },
      });
    }
    return { user: fullUser(caller) };
  }

  function userById(id: string) {
    const name = [...users.keys()].find((n) => userIdFor(n) === id);
    if (name === undefined) throw notFound();
    return { user: fullUser(name) };
  }

  function listUsers(query: URLSearchParams) {
    const page = parsePage(query);
    const q = (query.get('query') ?? '').toLowerCase();
    const matches = [...users.values()].filter((u) => u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q));
    return paginated(
      'users',
      matches.map((u) => fullUser(u.name)),
      page,
    );
  }

  function knownSchedule(id: string): OnCallEntry[] {
    const entries = oncalls.filter((e) => e.scheduleId === id);
    if (entries.length === 0 && !(id in SCHEDULE_NAMES)) throw notFound();
    return entries;
  }

  function getSchedule(id: string, query: URLSearchParams) {
    const entries = knownSchedule(id);
    const timeZone = timeZoneOf(query);
    const since = parseQueryDate(query, 'since') ?? new Date();
    const until = parseQueryDate(query, 'until') ?? new Date(since.getTime() + 14 * 24 * HOUR_MS);
    if (until < since) throw new ApiError(400, 2005, 'Invalid Query Date Range');
    const rendered = entries
      .filter((e) => overlaps(e, since, until))
      .map((e) => ({
        start: formatInZone(e.start ?? since, timeZone),
        end: formatInZone(e.end ?? until, timeZone),
        user: userRef(e.user),
      }));
    const reference = ref('schedule', 'schedules', id, scheduleName(id));
    const policies = [...new Set(entries.map((e) => e.escalationPolicyId ?? 'PESCAL1'))];
    return {
      schedule: {
        ...reference,
        type: 'schedule',
        name: reference.summary,
        time_zone: timeZone,
        description: null,
        escalation_policies: policies.map((p) => ref('escalation_policy', 'escalation_policies', p, policyName(p))),
        users: [...new Set(entries.map((e) => e.user))].map(userRef),
        teams: [],
        schedule_layers: [],
        final_schedule: { name: 'Final Schedule', rendered_schedule_entries: rendered },
      },
    };
  }

  function scheduleUsers(id: string, query: URLSearchParams) {
    const entries = knownSchedule(id);
    const { since, until } = parseWindow(query, Date.now());
    const names = [...new Set(entries.filter((e) => overlaps(e, since, until)).map((e) => e.user))];
    return { users: names.map(fullUser) };
  }

  // -- HTTP --
  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-request-id': randomUUID(),
      ...headers,
    });
    res.end(text);
  }

  /** Accepts `Token token=<key>` (API keys) and `Bearer <token>` (OAuth); null user = account-level key. */
  function authenticate(req: IncomingMessage): { token: string; user: string | null } {
    const header = req.headers.authorization ?? '';
    const match = /^Token token=(\S+)$/.exec(header) ?? /^Bearer (\S+)$/.exec(header);
    const token = match?.[1];
    if (token === undefined || !tokens.has(token)) throw new ApiError(401, 2006, 'Authentication failed');
    return { token, user: tokens.get(token) ?? null };
  }

  function rateLimitHeaders(token: string): Record<string, number> {
    const now = Date.now();
    let window = usage.get(token);
    if (!window || now - window.windowStart >= 60_000) {
      window = { windowStart: now, count: 0 };
      usage.set(token, window);
    }
    window.count++;
    const headers = {
      'ratelimit-limit': rateLimit,
      'ratelimit-remaining': Math.max(0, rateLimit - window.count),
      'ratelimit-reset': Math.ceil((window.windowStart + 60_000 - now) / 1000),
    };
    if (window.count > rateLimit) throw new ApiError(429, 2020, 'Rate Limit Exceeded', [], { headers });
    return headers;
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const show = () => oncalls.map((e) => ({ ...e, start: e.start?.toISOString() ?? null, end: e.end?.toISOString() ?? null }));
    if (path === '/_admin/oncalls' && req.method === 'GET') return send(res, 200, { oncalls: show() });
    if (path === '/_admin/oncalls' && req.method === 'PUT') {
      let parsed;
      try {
        parsed = AdminOnCalls.parse(JSON.parse(await readBody(req)));
      } catch (err) {
        return send(res, 400, { error: { message: 'Invalid Input Provided', code: 2001, errors: [String(err)] } });
      }
      const now = Date.now();
      try {
        setOnCall(
          (Array.isArray(parsed) ? parsed : parsed.oncalls).map((e) => ({
            user: e.user,
            email: e.email ?? users.get(e.user)?.email ?? `${e.user}@example.com`,
            scheduleId: e.scheduleId === undefined ? 'PSCHED1' : e.scheduleId,
            start: e.start === null ? null : parseAdminTime(e.start ?? 'now', now),
            end: e.end === null || e.end === undefined ? null : parseAdminTime(e.end, now),
            ...(e.escalationPolicyId ? { escalationPolicyId: e.escalationPolicyId } : {}),
            ...(e.escalationLevel ? { escalationLevel: e.escalationLevel } : {}),
          })),
        );
      } catch (err) {
        return send(res, 400, { error: { message: 'Invalid Input Provided', code: 2001, errors: [String(err)] } });
      }
      return send(res, 200, { oncalls: show() });
    }
    send(res, 404, { error: { message: 'Not Found', code: 2100 } });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname, searchParams: query } = new URL(req.url ?? '/', url);
    const path = pathname.replace(/\/+$/, '') || '/';
    if (path.startsWith('/_admin/')) return admin(req, res, path);
    let headers: Record<string, number> = {};
    try {
      const caller = authenticate(req);
      headers = rateLimitHeaders(caller.token);
      const segments = path.split('/').slice(1);
      let body: unknown;
      if (req.method !== 'GET') throw new ApiError(404, 2100, 'Not Found');
      else if (path === '/oncalls') body = listOnCalls(query);
      else if (path === '/users/me') body = currentUser(caller.user);
      else if (path === '/users') body = listUsers(query);
      else if (segments[0] === 'users' && segments.length === 2) body = userById(segments[1]!);
      else if (segments[0] === 'schedules' && segments.length === 2) body = getSchedule(segments[1]!, query);
      else if (segments[0] === 'schedules' && segments.length === 3 && segments[2] === 'users') body = scheduleUsers(segments[1]!, query);
      else throw notFound();
      send(res, 200, body, headers);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      send(res, err.status, err.body, err.headers ?? headers);
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: { message: 'Internal Error', code: 2000 } });
      else res.destroy();
    });
  });

  return {
    url,
    token: tokenFor('alice'),
    accountToken,
    tokenFor,
    userIdFor,
    setOnCall,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
