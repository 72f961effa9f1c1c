// The engine in process, as the tray and the CLI use it: two engines sharing one state dir and
// one keychain (as two keyfob processes of one person do), a FakeClock, the stack's browser
// command as the injected opener, and an injected fetch standing in for PagerDuty. Against the
// stack's real Vault-compatible server and PostgreSQL.
import { describe, expect, it } from 'vitest';
import type { SessionView, SignInView } from '../../common/views.ts';
import { cachedCredentialProcessOutput } from '../../main/core/aws/cachedAnswer.ts';
import { awsCredentialKey } from '../../main/core/aws/credentialCache.ts';
import { MemorySecretStore, type SecretStore } from '../../main/core/keychain/index.ts';
import { useStack } from '../integration/support/stack.ts';
import { engineMachines } from './support/machine.ts';

const fixture = useStack();
const machine = engineMachines(fixture);

/** PagerDuty as the guard rail sees it: the engineer, and whether they are on call now. */
function fakePagerDuty(onCall: boolean): { fetch: typeof fetch; asked: string[] } {
  const asked: string[] = [];
  const fake = async (input: string | URL | Request) => {
    const url = new URL(String(input));
    asked.push(url.pathname);
    const body = url.pathname.endsWith('/users/me')
      ? { user: { id: 'PALICE', email: 'alice@example.com' } }
      : { oncalls: onCall ? [{ end: null, schedule: { id: 'PSCHED1' } }] : [] };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch: fake as typeof fetch, asked };
}

/** Resolves with the next value `event` fires; fails after `ms` (watches of the state dir take a moment). */
function next<T>(event: (listener: (value: T) => void) => { dispose(): void }, ms = 5000, where: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no event within ${ms} ms`));
    }, ms);
    const sub = event((value) => {
      if (!where(value)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
  });
}

describe('the engine in process', () => {
  it('says what is wrong with a code before anything is issued', async () => {
    const pd = fakePagerDuty(false);
    const engine = await machine().open({ fetch: pd.fetch });
    expect(engine.signIn()).toEqual({ signedIn: false, name: null, method: null, expiresAt: null });
    await expect(engine.issue('orders-ro')).rejects.toMatchObject({
      name: 'KeyfobError',
      code: 'not-signed-in',
      message: expect.stringContaining('run keyfob login'),
    });
    await expect(engine.issue('no-such-target')).rejects.toMatchObject({ code: 'unknown-target' });
    await expect(engine.handOverAws('orders-ro')).rejects.toMatchObject({ code: 'usage' });
    await expect(engine.revoke('zzzzzz')).rejects.toMatchObject({ code: 'not-signed-in' });
    await expect(engine.renew('zzzzzz')).rejects.toMatchObject({ code: 'not-signed-in' });
    expect(engine.targets().map((t) => t.id)).toContain('orders-rw');
    expect((await engine.status()).identity.signedIn).toBe(false);
  });

  it('signs in; a second engine on the same state dir and keychain hears of it, and of the logout', async () => {
    const m = machine();
    const tray = await m.open();
    const terminal = await m.open();
    const seenByTerminal = next<SignInView>(terminal.onDidSignIn);

    const signedIn = await tray.login('vault-oidc');
    expect(signedIn).toMatchObject({ signedIn: true, method: 'vault-oidc', name: expect.stringContaining('alice') });
    expect(tray.signIn()).toEqual(signedIn);
    expect(await seenByTerminal).toEqual(signedIn);
    expect(terminal.signIn()).toEqual(signedIn);

    const trayOut = next<{ reason: string }>(tray.onDidSignOut);
    const result = await terminal.logout();
    expect(result).toEqual({ revoked: [], failed: [] });
    expect(terminal.signIn().signedIn).toBe(false);
    expect(await trayOut).toEqual({ reason: 'elsewhere' });
    expect(tray.signIn().signedIn).toBe(false);
    await expect(tray.issue('orders-ro')).rejects.toMatchObject({ code: 'not-signed-in' });
  });

  it('issues, renews and revokes; the other engine sees the session, its renewal and its end', async () => {
    const m = machine();
    const pd = fakePagerDuty(false);
    const owner = await m.open({ fetch: pd.fetch });
    const other = await m.open();
    await owner.login('vault-oidc');

    const added = next<SessionView>(other.onDidAddSession);
    const issued = await owner.issue('orders-ro', { reason: 'TICKET-1 engine test' });
    expect(issued.session).toMatchObject({
      target: 'orders-ro',
      targetName: 'Orders DB (read-only)',
      kind: 'database',
      impact: 'medium',
      state: 'active',
      owner: { thisProcess: true },
    });
    expect(issued.credential.env.PGUSER).toMatch(/\S/);
    expect(issued.credential.env.PGPASSWORD).toMatch(/\S/);
    expect(issued.credential.connectionUri).toMatch(/^postgres(ql)?:\/\//);
    // The other engine learns of it from the journal, not from the owner.
    expect((await added).id).toBe(issued.session.id);
    expect(other.sessions().map((s) => s.id)).toEqual([issued.session.id]);
    expect(owner.sessions().map((s) => s.id)).toEqual([issued.session.id]);

    // Guard rails: a high-impact target needs a reason, one that starts with a ticket (the stack's
    // policy), then being on call as the signed-in person (PagerDuty says no).
    await expect(owner.issue('orders-rw')).rejects.toMatchObject({ code: 'guard-rail', message: expect.stringContaining('needs a reason') });
    await expect(owner.issue('orders-rw', { reason: 'TICKET-2' })).rejects.toMatchObject({
      code: 'guard-rail',
      message: expect.stringContaining('ticket matching'),
    });
    expect(pd.asked).toEqual([]);
    await expect(owner.issue('orders-rw', { reason: 'INC-2 engine test' })).rejects.toMatchObject({
      code: 'guard-rail',
      message: expect.stringContaining('not on call'),
    });
    expect(pd.asked).toEqual(['/users/me', '/oncalls']);

    // A renewal may not ask past the target's maxTtl, from the owner or from another process.
    const maxTtl = owner.targets().find((t) => t.id === 'orders-ro')!.maxTtlSeconds;
    for (const engine of [owner, other]) {
      await expect(engine.renew(issued.session.id, { ttlSeconds: maxTtl + 60 })).rejects.toMatchObject({
        code: 'guard-rail',
        message: expect.stringContaining('maximum'),
      });
    }

    // Renewing another engine's session goes through the journal; the owner adopts the expiry.
    const updated = next<SessionView>(owner.onDidUpdateSession, 5000, (s) => s.id === issued.session.id);
    const renewed = await other.renew(issued.session.id, { ttlSeconds: 60 });
    expect(renewed.askedSeconds).toBe(60);
    expect(renewed.grantedSeconds).toBeGreaterThan(0);
    expect((await updated).expiresAt).toBe(renewed.session.expiresAt);

    // A revoke from the other engine ends the owner's session there too (its command would stop).
    const ended = next<{ session: SessionView; reason: string }>(owner.onDidEndSession);
    await other.revoke(issued.session.id);
    expect(await ended).toMatchObject({ session: { id: issued.session.id }, reason: 'revoked' });
    expect(owner.sessions()).toEqual([]);
    await expect(other.revoke(issued.session.id)).rejects.toMatchObject({ code: 'unknown-session' });
    await expect(owner.renew('zzzzzz')).rejects.toMatchObject({ code: 'unknown-session' });
  });

  it('leak ends a session another engine holds at once, records the incident, and refuses what cannot apply', async () => {
    const m = machine();
    const owner = await m.open();
    const reporter = await m.open();
    // The reporter learns of the sign-in from the marker's watch: wait for it, as a second process would.
    const reporterSignedIn = next<SignInView>(reporter.onDidSignIn);
    await owner.login('vault-oidc');
    await reporterSignedIn;
    const issued = await owner.issue('orders-ro');
    const aws = await owner.issue('aws-dev');
    // Refused before anything runs: --prefix where leak.prefixRevoke does not list the target, and an unknown session.
    await expect(reporter.leak(aws.session.id, { prefix: true })).rejects.toMatchObject({
      code: 'guard-rail',
      message: expect.stringContaining('prefixRevoke'),
    });
    expect(owner.sessions().map((s) => s.id)).toContain(aws.session.id);
    await expect(reporter.leak('zzzzzz')).rejects.toMatchObject({ code: 'unknown-session' });
    const ended = next<{ session: SessionView; reason: string }>(owner.onDidEndSession, 5000, (e) => e.session.id === issued.session.id);
    const report = await reporter.leak(issued.session.id, { note: 'pasted in #general' });
    expect(report).toMatchObject({
      sessionId: issued.session.id,
      targetId: 'orders-ro',
      runbook: 'docs/runbook-leak.md',
      incident: { outcome: 'revoked', note: 'pasted in #general', grants: expect.any(String) },
    });
    const { issuedAt, reportedAt, revokedAt } = report.incident;
    expect(Date.parse(issuedAt!)).toBeLessThanOrEqual(Date.parse(reportedAt));
    expect(Date.parse(revokedAt!)).toBeGreaterThanOrEqual(Date.parse(reportedAt));
    // The owner (a tray, a keyfob exec) hears the end and lists nothing.
    expect(await ended).toMatchObject({ reason: 'revoked' });
    expect(owner.sessions().map((s) => s.id)).toEqual([aws.session.id]);
    // Again: the fingerprint ledger is empty with a memory keychain, so the session is unknown now.
    await expect(reporter.leak(issued.session.id)).rejects.toMatchObject({ name: 'KeyfobError', code: 'unknown-session' });
  });

  it('renews the sign-in on its own as time passes, and says so', async () => {
    const m = machine();
    const engine = await m.open();
    const first = await engine.login('vault-oidc');
    const renewed = next<SignInView>(engine.onDidRenewSignIn);
    // The keeper renews inside the renewal window before expiry: move the fake clock there.
    await m.clock.advance(Date.parse(first.expiresAt!) - m.clock.now() - 1000);
    const after = await renewed;
    expect(after.signedIn).toBe(true);
    expect(Date.parse(after.expiresAt!)).toBeGreaterThan(Date.parse(first.expiresAt!));
    expect(engine.signIn()).toEqual(after);
  });

  it("revokeAll ends this engine's sessions by impact, and logout ends the rest", async () => {
    const m = machine();
    const engine = await m.open();
    await engine.login('vault-oidc');
    const a = await engine.issue('orders-ro');
    const b = await engine.issue('aws-dev');
    const none = await engine.revokeAll('quit', { impacts: ['high'] });
    expect(none).toEqual({ revoked: [], failed: [] });
    const observer = await m.open();
    const ended: string[] = [];
    const seenElsewhere: string[] = [];
    engine.onDidEndSession(({ session, reason }) => ended.push(`${session.id} ${reason}`));
    observer.onDidEndSession(({ session }) => seenElsewhere.push(session.id));
    const bothSeen = new Promise<void>((resolve) => observer.onDidEndSession(() => seenElsewhere.length === 2 && resolve()));
    const out = await engine.logout();
    expect(out.failed).toEqual([]);
    expect(out.revoked.map((s) => s.id).sort()).toEqual([a.session.id, b.session.id].sort());
    // Once the journal watch has told another engine, this one has heard the same change: its
    // own sessions' ends are still announced once each, not again as another process's.
    await bothSeen;
    expect(ended.sort()).toEqual([`${a.session.id} logout`, `${b.session.id} logout`].sort());
    expect((await engine.status()).sessions).toEqual([]);
    expect(engine.sessions()).toEqual([]);
  });

  it('hands AWS keys over to credential_process: journaled and shown, served from the keychain without Vault until revoked, forgotten at logout', async () => {
    const m = machine();
    // The OS keychain's kind: the cache is only ever kept there, never in a memory store.
    const memory = new MemorySecretStore();
    const keychain: SecretStore = {
      kind: 'os-keychain',
      reason: undefined,
      get: (k) => memory.get(k),
      set: (k, v) => memory.set(k, v),
      delete: (k) => memory.delete(k),
    };
    const issuer = await m.open({ secretStore: keychain });
    await issuer.login('vault-oidc');
    const { session, awsKeys } = await issuer.handOverAws('aws-dev');
    await issuer.dispose(); // the CLI process exits: a handed-over session is not revoked with it

    const terminal = await m.open({ secretStore: keychain });
    expect(terminal.sessions().map((s) => s.id)).toEqual([session.id]);
    expect((await terminal.status()).sessions).toEqual([expect.objectContaining({ id: session.id, state: 'active' })]);
    const warm = () => cachedCredentialProcessOutput('aws-dev', { env: m.env, secretStore: keychain });
    expect(JSON.parse((await warm())!)).toMatchObject({ AccessKeyId: awsKeys.accessKeyId, SecretAccessKey: awsKeys.secretAccessKey });
    // Without a session to go with them, cached keys are not served.
    await terminal.revoke(session.id);
    expect(await warm()).toBeUndefined();

    const again = await terminal.handOverAws('aws-dev');
    expect(again.awsKeys.accessKeyId).not.toBe(awsKeys.accessKeyId);
    expect(await warm()).toBeDefined();
    const out = await terminal.logout();
    expect(out.revoked.map((s) => s.id)).toEqual([again.session.id]);
    expect(await keychain.get(awsCredentialKey(terminal.configPath, 'aws-dev'))).toBeNull();
  });
});
