// PagerDuty's REST API v2 (shared/pagerduty-api.md), the two calls on-call checks need:
// who owns this API key (/users/me) and their on-calls now (/oncalls). Every answer is parsed.
import { z } from 'zod';
import { GuardRailError } from './errors.ts';

const meSchema = z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string().optional() }) });
const onCallsSchema = z.object({
  oncalls: z.array(
    z.object({
      start: z.string().nullable().optional(),
      end: z.string().nullable().optional(),
      schedule: z.object({ id: z.string(), summary: z.string().nullable().optional() }).nullable().optional(),
    }),
  ),
});

export interface PagerDutyUser {
  id: string;
  email: string;
  name: string | undefined;
}

export interface OnCallShift {
  scheduleId: string | null;
  scheduleName: string | null;
  /** null: the user does not go off call. */
  endsAt: number | null;
}

export interface PagerDutyClient {
  me(): Promise<PagerDutyUser>;
  /** The user's on-call shifts overlapping `at`, in the given schedules. */
  shifts(userId: string, scheduleIds: string[], at: number): Promise<OnCallShift[]>;
}

export interface PagerDutyClientOptions {
  url: string;
  token: string;
  /** Where the token came from, for messages ("the keychain", "KEYFOB_PAGERDUTY_TOKEN"). */
  tokenSource: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export function pagerDutyClient(options: PagerDutyClientOptions): PagerDutyClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  const get = async (path: string): Promise<unknown> => {
    let res: Response;
    try {
      res = await doFetch(new URL(path, base), {
        headers: { Authorization: `Token token=${options.token}`, Accept: 'application/vnd.pagerduty+json;version=2' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new GuardRailError(`could not reach PagerDuty at ${options.url} to check who is on call (${(error as Error).message})`);
    }
    if (res.status === 401)
      throw new GuardRailError(`PagerDuty refused the API token from ${options.tokenSource}: run keyfob login --pagerduty with a valid user token`);
    if (res.status === 400 && path.startsWith('users/me')) {
      throw new GuardRailError(`the PagerDuty token from ${options.tokenSource} is an account-level key: on-call checks need your own user-level API key`);
    }
    if (!res.ok) throw new GuardRailError(`PagerDuty answered ${res.status} for /${path.split('?')[0]}; try again, or ask your admin`);
    try {
      return await res.json();
    } catch {
      throw new GuardRailError(`PagerDuty sent an answer that is not JSON for /${path.split('?')[0]}`);
    }
  };
  return {
    async me() {
      const parsed = meSchema.safeParse(await get('users/me'));
      if (!parsed.success) throw new GuardRailError('PagerDuty sent an unexpected answer for /users/me');
      return { id: parsed.data.user.id, email: parsed.data.user.email.toLowerCase(), name: parsed.data.user.name };
    },
    async shifts(userId, scheduleIds, at) {
      const when = new Date(at).toISOString();
      const query = new URLSearchParams({ 'user_ids[]': userId, since: when, until: when });
      for (const id of scheduleIds) query.append('schedule_ids[]', id);
      const parsed = onCallsSchema.safeParse(await get(`oncalls?${query}`));
      if (!parsed.success) throw new GuardRailError('PagerDuty sent an unexpected answer for /oncalls');
      return parsed.data.oncalls.map((o) => ({
        scheduleId: o.schedule?.id ?? null,
        scheduleName: o.schedule?.summary ?? null,
        endsAt: o.end ? Date.parse(o.end) : null,
      }));
    },
  };
}
