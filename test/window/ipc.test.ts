// The window's IPC: every channel refuses a foreign sender and malformed input (random and
// hostile values, property-based from the contract), nothing thrown gets past a handler, and
// the handlers do what the screens rely on.
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../common/errors.ts';
import { exposureViewSchema } from '../../common/exposure.ts';
import { CHANNELS, invokeChannel, ipcContract, ipcResultSchema, type Channel } from '../../common/ipc.ts';
import { dispatch, type WindowHandlers } from '../../main/electron/ipc/dispatch.ts';
import { toErrorView } from '../../main/electron/ipc/errorView.ts';
import { createWindowHandlers } from '../../main/electron/ipc/handlers.ts';
import { isTrustedSender, registerWindowIpc } from '../../main/electron/ipc/registerIpc.ts';
import { FakeEngine, fakeHost } from './fakeEngine.ts';

const ours = { id: 'our-web-contents' };
const trusted = { sender: ours, senderFrame: { url: 'app://keyfob/index.html#/sessions' } };

/** Values a hostile page might send: prototype pollution, huge strings, wrong types, control characters. */
const hostile = fc.oneof(
  fc.anything({
    withObjectString: true,
    withNullPrototype: true,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
  }),
  fc.constantFrom(
    { __proto__: { targetId: 'orders-ro' } },
    JSON.parse('{"__proto__":{"polluted":1},"sessionId":"x"}'),
    { constructor: { prototype: { polluted: true } } },
    'x'.repeat(1_000_000),
    { targetId: 'orders-ro', deliver: 'copy', extra: 1 },
    { sessionId: '' },
    { sessionId: 'a'.repeat(10_000) },
    { method: 'kerberos' },
    { ttlSeconds: -1, targetId: 'orders-ro', deliver: 'copy' },
    { ttlSeconds: Number.NaN, targetId: 'orders-ro', deliver: 'copy' },
    { targetId: '\u0000\u001b[31m', deliver: 'copy' },
  ),
);

function everyHandlerThrows(message: string): WindowHandlers {
  return Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      () => {
        throw new Error(message);
      },
    ]),
  ) as unknown as WindowHandlers;
}

describe('dispatch', () => {
  let engine: FakeEngine;
  let handlers: WindowHandlers;
  beforeEach(() => {
    engine = new FakeEngine({ signedIn: true });
    handlers = createWindowHandlers(engine, fakeHost(engine));
  });

  it('answers every channel, for any input, with a well-formed envelope and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNELS), hostile, async (channel, input) => {
        const result = await dispatch(handlers, channel, input);
        expect(ipcResultSchema(ipcContract[channel].result).safeParse(result).success).toBe(true);
        if (!ipcContract[channel].input.safeParse(input).success) expect(result).toMatchObject({ ok: false, error: { code: 'usage' } });
      }),
      { numRuns: 400 },
    );
  });

  it('refuses malformed input before any engine call', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Channel>('sessions.issue', 'sessions.renew', 'sessions.revoke', 'signIn.login'), hostile, async (channel, input) => {
        fc.pre(!ipcContract[channel].input.safeParse(input).success);
        const before = engine.calls.length;
        await dispatch(handlers, channel, input);
        expect(engine.calls.length).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses channels outside the contract, including inherited names', async () => {
    for (const channel of ['constructor', '__proto__', 'toString', 'sessions', 'shell.openExternal', 42, null]) {
      expect(await dispatch(handlers, channel, undefined)).toMatchObject({ ok: false, error: { code: 'usage' } });
    }
  });

  it('turns an unexpected error into `internal` with no message, path or stack from inside', async () => {
    const secret = 'Error at /home/alice/.keyfob/journal.json hvs.CAESIabcdefghijklmnopqrstuvwxyz';
    for (const channel of CHANNELS) {
      const input =
        channel === 'activity.list'
          ? {}
          : channel === 'signIn.login'
            ? {}
            : channel === 'settings.set'
              ? {}
              : channel === 'sessions.revoke'
                ? { sessionId: 's' }
                : channel === 'sessions.renew'
                  ? { sessionId: 's' }
                  : channel === 'sessions.issue'
                    ? { targetId: 't', deliver: 'copy' }
                    : undefined;
      const result = await dispatch(everyHandlerThrows(secret), channel, input);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toMatch(/journal|hvs\.|alice|at \//);
      expect(result).toMatchObject({ error: { code: 'internal' } });
    }
  });

  it("passes the engine's coded errors through, one clean line, secrets redacted", () => {
    const error = Object.assign(new Error('Vault said no\n\u001b[31mtoken hvs.CAESIabcdefghijklmnopqrstuvwxyz0123\u0007'), { code: 'vault-denied' });
    const view = toErrorView(error);
    expect(view.code).toBe('vault-denied');
    // eslint-disable-next-line no-control-regex
    expect(view.message).not.toMatch(/[\u0000-\u001f]/);
    expect(view.message).not.toContain('hvs.CAES');
    expect(toErrorView(Object.assign(new Error('x'), { code: 'EACCES' })).code).toBe('internal');
    expect(ERROR_CODES).toContain(view.code);
  });

  it('drops fields the contract does not name, so a secret on a result never reaches the window', async () => {
    const leaky = { ...handlers, 'sessions.list': () => engine.sessions().map((s) => ({ ...s, password: 'hunter2' })) } as WindowHandlers;
    await engine.issue('orders-ro');
    const result = await dispatch(leaky, 'sessions.list', undefined);
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('registerWindowIpc', () => {
  const recorded = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain = {
    handle: (c: string, h: (event: never, ...args: unknown[]) => Promise<unknown>) => void recorded.set(c, h as never),
    removeHandler: (c: string) => void recorded.delete(c),
  };

  it('registers one handler per channel and removes them all on dispose', () => {
    const engine = new FakeEngine();
    const registration = registerWindowIpc(ipcMain, createWindowHandlers(engine, fakeHost(engine)), (s) => s === ours);
    expect([...recorded.keys()].sort()).toEqual(CHANNELS.map(invokeChannel).sort());
    registration.dispose();
    expect(recorded.size).toBe(0);
  });

  it('refuses every channel from a foreign origin, a foreign webContents or a frame without a URL', async () => {
    const engine = new FakeEngine({ signedIn: true });
    const registration = registerWindowIpc(ipcMain, createWindowHandlers(engine, fakeHost(engine)), (s) => s === ours);
    // Every channel of the contract, the exposure screen's included.
    expect(CHANNELS).toContain('exposure.get');
    const senders = fc.oneof(
      fc.record({
        sender: fc.constant(ours),
        senderFrame: fc.record({
          url: fc.oneof(
            fc.webUrl(),
            fc.constantFrom(
              'file:///etc/passwd',
              'app://keyfob.evil/index.html',
              'app://evil/index.html',
              'https://keyfob/',
              'app:keyfob',
              'devtools://devtools/bundled/inspector.html',
              'app://keyfob@evil/',
              '',
              'javascript:alert(1)',
              'data:text/html,x',
            ),
          ),
        }),
      }),
      fc.record({ sender: fc.constant({ id: 'other' }), senderFrame: fc.constant({ url: 'app://keyfob/index.html' }) }),
      fc.record({ sender: fc.constant(ours), senderFrame: fc.constant(null) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNELS), senders, async (channel, event) => {
        fc.pre(!isTrustedSender(event, (s) => s === ours));
        const result = await recorded.get(invokeChannel(channel))!(event, { sessionId: 's-1' });
        expect(result).toMatchObject({ ok: false, error: { code: 'usage', message: expect.stringContaining('did not come from Keyfob') } });
      }),
      { numRuns: 300 },
    );
    expect(engine.calls).toEqual([]);
    registration.dispose();
  });

  it('answers our own window', async () => {
    const engine = new FakeEngine({ signedIn: true });
    const registration = registerWindowIpc(ipcMain, createWindowHandlers(engine, fakeHost(engine)), (s) => s === ours);
    expect(await recorded.get(invokeChannel('signIn.state'))!(trusted, undefined)).toMatchObject({
      ok: true,
      value: { signedIn: true, name: 'alice@example.com' },
    });
    registration.dispose();
  });
});

describe('window handlers', () => {
  it('copies a connection string, says what it copied without the value, and clears the clipboard only if it still holds it', async () => {
    const engine = new FakeEngine({ signedIn: true });
    const host = fakeHost(engine);
    const result = await dispatch(createWindowHandlers(engine, host), 'sessions.issue', { targetId: 'orders-ro', deliver: 'copy' });
    expect(result).toMatchObject({ ok: true, value: { copied: 'connection string', clearsInSeconds: 30 } });
    expect(host.clipboardText()).toMatch(/^postgresql:\/\/v-s-1:pw-/);
    expect(JSON.stringify(result)).not.toContain(host.clipboardText());
    expect(host.timers.at(-1)!.ms).toBe(30_000);
    host.timers.at(-1)!.fn();
    expect(host.clipboardText()).toBe('');

    await dispatch(createWindowHandlers(engine, host), 'sessions.issue', { targetId: 'aws-prod', deliver: 'copy' });
    expect(host.clipboardText()).toMatch(/^export AWS_ACCESS_KEY_ID='ASIA/m);
    host.clipboard!.writeText('something the user copied since');
    host.timers.at(-1)!.fn();
    expect(host.clipboardText()).toBe('something the user copied since');
  });

  it('refuses to copy an SSH session and issues nothing', async () => {
    const engine = new FakeEngine({ signedIn: true });
    const result = await dispatch(createWindowHandlers(engine, fakeHost(engine)), 'sessions.issue', { targetId: 'bastion', deliver: 'copy' });
    expect(result).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(engine.sessions()).toEqual([]);
  });

  it('says when this host cannot open terminals', async () => {
    const engine = new FakeEngine({ signedIn: true });
    const handlers = createWindowHandlers(engine, fakeHost(engine, { terminal: false }));
    expect(await dispatch(handlers, 'app.info', undefined)).toMatchObject({ ok: true, value: { capabilities: { terminal: false, clipboard: true } } });
    expect(await dispatch(handlers, 'sessions.issue', { targetId: 'orders-ro', deliver: 'terminal' })).toMatchObject({ ok: false, error: { code: 'usage' } });
  });

  it("lists the config's sign-in methods with the default first", async () => {
    const engine = new FakeEngine();
    expect(await dispatch(createWindowHandlers(engine, fakeHost(engine)), 'app.info', undefined)).toMatchObject({
      ok: true,
      value: { methods: ['vault-oidc', 'aws-sso'] },
    });
  });

  it('cancels a sign-in waiting on the browser', async () => {
    const engine = new FakeEngine({ loginOutcome: 'hang' });
    const handlers = createWindowHandlers(engine, fakeHost(engine));
    const pending = dispatch(handlers, 'signIn.login', {});
    await new Promise((r) => setTimeout(r, 0));
    expect(await dispatch(handlers, 'signIn.cancel', undefined)).toEqual({ ok: true, value: null });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'sign-in-cancelled' } });
  });

  it('filters the audit log by target, action and time, newest first', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const engine = new FakeEngine({ signedIn: true, now: () => now });
    const handlers = createWindowHandlers(engine, fakeHost(engine));
    const a = await engine.issue('orders-ro');
    now += 60_000;
    await engine.issue('aws-prod');
    await engine.revoke(a.session.id);
    const list = async (filter: object) => {
      const result = await dispatch(handlers, 'activity.list', filter);
      if (!result.ok) throw new Error(result.error.message);
      return result.value as { action: string; target: string; sessionId: string }[];
    };
    expect((await list({})).map((e) => `${e.action} ${e.target}`)).toEqual(['revoked orders-ro', 'issued aws-prod', 'issued orders-ro']);
    expect((await list({ targetId: 'orders-ro', action: 'issued' })).map((e) => e.sessionId)).toEqual([a.session.id]);
    now += 2 * 3600_000;
    await engine.issue('bastion');
    expect((await list({ sinceHours: 1 })).map((e) => e.target)).toEqual(['bastion']);
  });

  it("lists the access policy's decisions, handoffs and leak reports, which name no session", async () => {
    const engine = new FakeEngine({ signedIn: true });
    const time = new Date(engine.now()).toISOString();
    engine.activity.push(
      { time, user: 'alice', target: 'orders-rw', action: 'refused', reason: 'no ticket', detail: 'needs a reason matching ^(INC|CHG)-[0-9]+' },
      { time, user: 'alice', target: 'orders-rw', action: 'granted', reason: 'CHG-9' },
      { time, user: 'alice', target: '*', action: 'handoff', detail: 'to bob' },
      { time, user: 'alice', target: 'orders-ro', action: 'leak-reported', sessionId: 's-9' },
    );
    const result = await dispatch(createWindowHandlers(engine, fakeHost(engine)), 'activity.list', {});
    expect(result).toMatchObject({ ok: true });
    const entries = (result as { value: { action: string; sessionId: string | null }[] }).value;
    expect(entries.map((e) => [e.action, e.sessionId])).toEqual([
      ['leak-reported', 's-9'],
      ['handoff', null],
      ['granted', null],
      ['refused', null],
    ]);
  });

  it("answers the exposure screen with the engine's exposure view: every process's sessions by impact, and the sign-in", async () => {
    const engine = new FakeEngine({ signedIn: true });
    await engine.issue('orders-ro');
    engine.addForeignSession('bastion', 600);
    const result = await dispatch(createWindowHandlers(engine, fakeHost(engine)), 'exposure.get', undefined);
    if (!result.ok) throw new Error(result.error.message);
    const view = exposureViewSchema.parse(result.value);
    expect(view.groups.map((g) => [g.impact, g.sessions.map((s) => [s.target, s.ownedByThisProcess])])).toEqual([
      ['medium', [['bastion', false]]],
      ['low', [['orders-ro', true]]],
    ]);
    expect(view.signIn).toMatchObject({ identity: 'alice@example.com', impact: 'high' });
    expect(await dispatch(createWindowHandlers(engine, fakeHost(engine)), 'exposure.get', { all: true })).toMatchObject({
      ok: false,
      error: { code: 'usage' },
    });
  });

  it('validates preferences, so Settings cannot store nonsense', async () => {
    const engine = new FakeEngine();
    const handlers = createWindowHandlers(engine, fakeHost(engine));
    expect(await dispatch(handlers, 'settings.set', { clipboardClearSeconds: 1 })).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(await dispatch(handlers, 'settings.set', { clipboardClearSeconds: 45, revokeOnSleepLock: 'all' })).toMatchObject({
      ok: true,
      value: { clipboardClearSeconds: 45, revokeOnSleepLock: 'all' },
    });
  });
});
