// Is the signed-in engineer on call right now? Asked of PagerDuty's REST API (pagerduty-api.md)
// for targets marked requireOnCall. A guard rail in the client: Vault policy is the enforcement.
import { z } from 'zod';
import { KeyfobError } from '../base/keyfobError.ts';
import type { OnCallSettings } from '../config/index.ts';

const meSchema = z.object({ user: z.object({ id: z.string(), email: z.string().optional(), name: z.string().optional() }) });
const onCallsSchema = z.object({
  oncalls: z.array(z.object({ end: z.string().nullable().optional(), schedule: z.object({ id: z.string() }).nullable().optional() })),
});

export interface OnCallStatus {
  onCall: boolean;
  /** When the current shift ends (null: no end, or not on call). */
  shiftEndsAt: Date | null;
  who: string;
}

/** PagerDuty could not say whether you are on call: the guard rail cannot let the request through. */
export class OnCallError extends KeyfobError {
  constructor(message: string) {
    super('guard-rail', message);
  }
}

/** `fetchImpl` is injected by engine tests (a fake PagerDuty); the global fetch otherwise. */
export async function checkOnCall(settings: NonNullable<OnCallSettings>, env: NodeJS.ProcessEnv, now = new Date(), fetchImpl: typeof fetch = fetch): Promise<OnCallStatus> {
  const { url, scheduleIds, tokenEnv } = settings.pagerduty;
  const token = env[tokenEnv];
  if (!token) throw new OnCallError(`this target needs you to be on call, and Keyfob asks PagerDuty: set ${tokenEnv} to your PagerDuty API token`);
  const get = async (path: string) => {
    let res: Response;
    try {
      res = await fetchImpl(new URL(path, url.endsWith('/') ? url : `${url}/`), {
        headers: { Authorization: `Token token=${token}`, Accept: 'application/vnd.pagerduty+json;version=2' },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new OnCallError(`could not reach PagerDuty at ${url}: ${(error as Error).message}`);
    }
    if (res.status === 401) throw new OnCallError(`PagerDuty refused the token in ${tokenEnv}`);
    if (!res.ok) throw new OnCallError(`PagerDuty answered ${res.status} for ${path.split('?')[0]}`);
    return res.json() as Promise<unknown>;
  };
  const me = meSchema.safeParse(await get('users/me'));
  if (!me.success) throw new OnCallError('PagerDuty sent an unexpected answer for /users/me');
  const query = new URLSearchParams({ 'user_ids[]': me.data.user.id, since: now.toISOString(), until: now.toISOString() });
  for (const id of scheduleIds) query.append('schedule_ids[]', id);
  const calls = onCallsSchema.safeParse(await get(`oncalls?${query}`));
  if (!calls.success) throw new OnCallError('PagerDuty sent an unexpected answer for /oncalls');
  const ends = calls.data.oncalls.map((o) => (o.end ? new Date(o.end) : null));
  const onCall = ends.length > 0;
  const shiftEndsAt = !onCall || ends.some((e) => e === null) ? null : new Date(Math.max(...ends.map((e) => e!.getTime())));
  return { onCall, shiftEndsAt, who: me.data.user.email ?? me.data.user.name ?? me.data.user.id };
}
