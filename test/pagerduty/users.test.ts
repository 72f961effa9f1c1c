// Who the API key belongs to (GET /users/me) and the other lookups a client makes around on-calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPagerDuty, type PagerDuty } from '../stack/pagerduty.ts';
import { pdGet } from './client.ts';

describe('PagerDuty users and schedules', () => {
  let pd: PagerDuty;
  beforeAll(async () => {
    pd = await startPagerDuty();
  });
  afterAll(async () => {
    await pd.stop();
  });

  it('tells each user-level key who it belongs to, alice by default', async () => {
    const me = await pdGet(pd.url, '/users/me', pd.token);
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: 'PUALICE', type: 'user', name: 'alice', email: 'alice@example.com', summary: 'alice' });
    const bob = await pdGet(pd.url, '/users/me', pd.tokenFor('bob'));
    expect(bob.body.user).toMatchObject({ id: pd.userIdFor('bob'), email: 'bob@example.com' });
    // OAuth tokens come as Bearer.
    const bearer = await fetch(`${pd.url}/users/me`, { headers: { authorization: `Bearer ${pd.token}` } });
    expect(bearer.status).toBe(200);
  });

  it('answers an account-level key on /users/me with the 400 string error clients detect it by', async () => {
    const res = await pdGet(pd.url, '/users/me', pd.accountToken);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.stringContaining('account-level access token'));
    // The same key still reads on-calls.
    expect((await pdGet(pd.url, '/oncalls', pd.accountToken)).status).toBe(200);
  });

  it('finds users by email and by id', async () => {
    const found = await pdGet(pd.url, '/users', pd.accountToken, [['query', 'bob@example.com']]);
    expect(found.body).toMatchObject({ users: [expect.objectContaining({ id: 'PUBOB' })], more: false });
    expect((await pdGet(pd.url, '/users/PUALICE', pd.token)).body.user).toMatchObject({ name: 'alice' });
    expect((await pdGet(pd.url, '/users/PNOBODY', pd.token)).body).toEqual({ error: { message: 'Not Found', code: 2100 } });
  });

  it('shows a schedule and who is on call in it; an unknown schedule is 404', async () => {
    const schedule = await pdGet(pd.url, '/schedules/PSCHED1', pd.token);
    expect(schedule.body.schedule).toMatchObject({ id: 'PSCHED1', type: 'schedule', name: 'Primary On-Call' });
    const onCallNow = await pdGet(pd.url, '/schedules/PSCHED1/users', pd.token);
    expect(onCallNow.body).toEqual({ users: [expect.objectContaining({ id: 'PUALICE' })] });
    const missing = await pdGet(pd.url, '/schedules/PNOPE', pd.token);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { message: 'Not Found', code: 2100 } });
  });
});

describe('PagerDuty rate limits', () => {
  let pd: PagerDuty;
  beforeAll(async () => {
    pd = await startPagerDuty({ rateLimitPerMinute: 2 });
  });
  afterAll(async () => {
    await pd.stop();
  });

  it('answers 429 with ratelimit headers once a key exceeds its budget', async () => {
    await pdGet(pd.url, '/oncalls', pd.token);
    const last = await pdGet(pd.url, '/oncalls', pd.token);
    expect(last.headers.get('ratelimit-remaining')).toBe('0');
    const limited = await pdGet(pd.url, '/oncalls', pd.token);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { message: 'Rate Limit Exceeded', code: 2020 } });
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    // Budgets are per key.
    expect((await pdGet(pd.url, '/oncalls', pd.tokenFor('bob'))).status).toBe(200);
  });
});
