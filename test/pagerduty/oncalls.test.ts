// GET /oncalls as Keyfob's on-call guard rail uses it: who is on call now, on which schedule, until
// when, and how filters, windows and pagination narrow that down (pagerduty-api.md §1, §2, §6).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultOnCalls, startPagerDuty, type PagerDuty } from '../stack/pagerduty.ts';
import { hours, oncallsOf, pdGet } from './client.ts';

describe('PagerDuty /oncalls', () => {
  let pd: PagerDuty;
  const get = (params: [string, string][] = []) => pdGet(pd.url, '/oncalls', pd.token, params);

  beforeAll(async () => {
    pd = await startPagerDuty();
  });
  beforeEach(() => {
    pd.setOnCall(defaultOnCalls());
  });
  afterAll(async () => {
    await pd.stop();
  });

  it('says alice is on call right now on PSCHED1, with her shift ending in 8 hours', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ limit: 25, offset: 0, more: false, total: null });
    const [only, ...rest] = oncallsOf(res);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      user: { id: 'PUALICE', type: 'user_reference', summary: 'alice', self: `${pd.url}/users/PUALICE` },
      schedule: { id: 'PSCHED1', type: 'schedule_reference', self: `${pd.url}/schedules/PSCHED1` },
      escalation_policy: { id: 'PESCAL1', type: 'escalation_policy_reference' },
      escalation_level: 1,
    });
    expect(only!.user.html_url).toMatch(/^https:\/\//);
    // Whole seconds with an offset, as PagerDuty renders them.
    expect(only!.end).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(only!.end!) - hours(8).getTime())).toBeLessThan(5000);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(res.headers.get('ratelimit-limit'))).toBe(960);
    expect(Number(res.headers.get('ratelimit-remaining'))).toBeLessThan(960);
  });

  it('filters by user_ids[] (union within, intersection across filters) over a since/until window', async () => {
    expect(oncallsOf(await get([['user_ids[]', 'PUBOB']]))).toEqual([]);
    const window: [string, string][] = [
      ['since', new Date().toISOString()],
      ['until', hours(12).toISOString()],
    ];
    const both = oncallsOf(await get([['user_ids[]', 'PUALICE'], ['user_ids[]', 'PUBOB'], ...window]));
    expect(both.map((o) => o.user.id)).toEqual(['PUALICE', 'PUBOB']);
    const bobOnly = oncallsOf(await get([['user_ids[]', 'PUBOB'], ...window]));
    expect(bobOnly.map((o) => o.user.id)).toEqual(['PUBOB']);
    expect(oncallsOf(await get([['user_ids[]', 'PUALICE'], ['schedule_ids[]', 'POTHER1'], ...window]))).toEqual([]);
    expect(oncallsOf(await get([['escalation_policy_ids[]', 'PESCAL1'], ['schedule_ids[]', 'PSCHED1'], ...window]))).toHaveLength(2);
  });

  it('returns shifts overlapping the window only: a window after alice goes off call has only bob', async () => {
    const later = oncallsOf(
      await get([
        ['since', hours(9).toISOString()],
        ['until', hours(10).toISOString()],
      ]),
    );
    expect(later.map((o) => o.user.summary)).toEqual(['bob']);
    // A lone future `since` means "at that moment".
    expect(oncallsOf(await get([['since', hours(20).toISOString()]])).map((o) => o.user.summary)).toEqual(['bob']);
    // Ending exactly at `since` does not overlap it.
    const aliceEnd = oncallsOf(await get())[0]!.end!;
    expect(
      oncallsOf(
        await get([
          ['since', aliceEnd],
          ['until', aliceEnd],
          ['user_ids[]', 'PUALICE'],
        ]),
      ),
    ).toEqual([]);
  });

  it('keeps only the earliest shift per user and level with earliest=true', async () => {
    pd.setOnCall([
      { user: 'alice', email: 'alice@example.com', scheduleId: 'PSCHED1', start: hours(24), end: hours(36) },
      { user: 'alice', email: 'alice@example.com', scheduleId: 'PSCHED1', start: hours(48), end: hours(60) },
    ]);
    const params: [string, string][] = [
      ['user_ids[]', 'PUALICE'],
      ['since', new Date().toISOString()],
      ['until', hours(72).toISOString()],
    ];
    expect(oncallsOf(await get(params))).toHaveLength(2);
    const next = oncallsOf(await get([...params, ['earliest', 'true']]));
    expect(next).toHaveLength(1);
    expect(Math.abs(Date.parse(next[0]!.start!) - hours(24).getTime())).toBeLessThan(5000);
  });

  it('pages with limit/offset, more and total', async () => {
    pd.setOnCall(['a', 'b', 'c'].map((name) => ({ user: name, email: `${name}@example.com`, scheduleId: 'PSCHED1', start: hours(-1), end: hours(1) })));
    const first = await get([
      ['limit', '2'],
      ['total', 'true'],
    ]);
    expect(first.body).toMatchObject({ limit: 2, offset: 0, more: true, total: 3 });
    expect(oncallsOf(first).map((o) => o.user.summary)).toEqual(['a', 'b']);
    const second = await get([
      ['limit', '2'],
      ['offset', '2'],
    ]);
    expect(second.body).toMatchObject({ limit: 2, offset: 2, more: false, total: null });
    expect(oncallsOf(second).map((o) => o.user.summary)).toEqual(['c']);
  });

  it('expands references with include[] and renders times in time_zone', async () => {
    const res = await get([
      ['include[]', 'users'],
      ['include[]', 'schedules'],
      ['time_zone', 'Asia/Kolkata'],
    ]);
    const [oncall] = oncallsOf(res);
    expect(oncall!.user).toMatchObject({ id: 'PUALICE', type: 'user', email: 'alice@example.com' });
    expect(oncall!.schedule).toMatchObject({ id: 'PSCHED1', type: 'schedule' });
    expect(oncall!.escalation_policy.type).toBe('escalation_policy_reference');
    expect(oncall!.end).toMatch(/\+05:30$/);
    expect(Math.abs(Date.parse(oncall!.end!) - hours(8).getTime())).toBeLessThan(5000);
  });

  it('selects permanent on-calls with schedule_ids[]=null', async () => {
    pd.setOnCall([
      { user: 'alice', email: 'alice@example.com', scheduleId: null, start: null, end: null },
      { user: 'bob', email: 'bob@example.com', scheduleId: 'PSCHED1', start: hours(-1), end: hours(1) },
    ]);
    const permanent = oncallsOf(await get([['schedule_ids[]', 'null']]));
    expect(permanent).toEqual([expect.objectContaining({ schedule: null, start: null, end: null, user: expect.objectContaining({ id: 'PUALICE' }) })]);
  });

  it('answers bad parameters with 400 and PagerDuty error codes', async () => {
    const badDate = await get([['since', 'yesterday-ish']]);
    expect(badDate.status).toBe(400);
    expect(badDate.body).toMatchObject({ error: { code: 2004, message: expect.any(String) } });
    const inverted = await get([
      ['since', hours(2).toISOString()],
      ['until', hours(1).toISOString()],
    ]);
    expect(inverted.body).toMatchObject({ error: { code: 2005, message: 'Invalid Query Date Range' } });
    for (const params of [
      [
        ['offset', '9990'],
        ['limit', '20'],
      ],
      [['limit', 'many']],
      [['include[]', 'teams']],
      [['time_zone', 'Mars/Olympus']],
    ] as [string, string][][]) {
      const res = await get(params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 2001, message: 'Invalid Input Provided', errors: [expect.any(String)] } });
    }
  });

  it('refuses requests without a valid API key', async () => {
    for (const auth of [undefined, 'wrong-token']) {
      const res = await pdGet(pd.url, '/oncalls', auth);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { message: 'Authentication failed', code: 2006 } });
    }
    // The key alone, without PagerDuty's `Token token=` format, is refused too.
    const bare = await fetch(`${pd.url}/oncalls`, { headers: { authorization: pd.token } });
    expect(bare.status).toBe(401);
  });

  it('lets a shell change who is on call with PUT /_admin/oncalls and relative times', async () => {
    const put = await fetch(`${pd.url}/_admin/oncalls`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ user: 'bob', start: '-1h', end: '+30m' }]),
    });
    expect(put.status).toBe(200);
    const [now] = oncallsOf(await get());
    expect(now).toMatchObject({ user: { id: 'PUBOB' }, schedule: { id: 'PSCHED1' } });
    expect(Math.abs(Date.parse(now!.end!) - hours(0.5).getTime())).toBeLessThan(5000);

    const shown = (await (await fetch(`${pd.url}/_admin/oncalls`)).json()) as { oncalls: { user: string; email: string }[] };
    expect(shown.oncalls).toEqual([expect.objectContaining({ user: 'bob', email: 'bob@example.com' })]);

    const bad = await fetch(`${pd.url}/_admin/oncalls`, { method: 'PUT', body: '[{"user":"bob","end":"soon"}]' });
    expect(bad.status).toBe(400);
  });
});
