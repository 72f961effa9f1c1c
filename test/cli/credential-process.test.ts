// `credential_process = keyfob aws-credential-process TARGET`, called the way the AWS SDKs call it:
// the SDK for JavaScript's own fromProcess provider reads ~/.aws/config and runs the command line
// through a shell. (@aws-sdk/credential-provider-process is in node_modules as a dependency of the
// SSO clients; it is what every JS SDK client uses for credential_process.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useStack } from '../integration/support/stack.ts';
import { keyfobScript, makeKeyfobUser, nodeBin, noSecretServiceReason, type KeyfobUser } from './support/keyfob.ts';
import { expectSuccess, readAudit, readStatus, signIn } from './support/state.ts';

const skipped = noSecretServiceReason !== undefined;

describe.skipIf(skipped)(`aws-credential-process through the AWS SDK${skipped ? ` (skipped: ${noSecretServiceReason})` : ''}`, () => {
  const fixture = useStack();
  let user: KeyfobUser;
  let awsDir: string;

  /** What an SDK client gets for profile `keyfob`, read fresh each time (as a new `aws` command would). */
  const sdkCredentials = () =>
    fromProcess({ profile: 'keyfob', configFilepath: join(awsDir, 'config'), filepath: join(awsDir, 'credentials'), ignoreCache: true })();

  beforeAll(async () => {
    user = makeKeyfobUser(fixture.stack);
    await signIn(user);
    awsDir = mkdtempSync(join(tmpdir(), 'keyfob-aws-config-'));
    // The SDK runs this through a shell with its own environment: say which keyfob home and config.
    const command = `env KEYFOB_CONFIG=${user.env.KEYFOB_CONFIG} KEYFOB_HOME=${user.home} ${nodeBin} ${keyfobScript} aws-credential-process aws-dev`;
    writeFileSync(join(awsDir, 'config'), `[profile keyfob]\ncredential_process = ${command}\n`);
    writeFileSync(join(awsDir, 'credentials'), '');
  });
  afterAll(() => {
    user?.dispose();
    if (awsDir) rmSync(awsDir, { recursive: true, force: true });
  });

  it('gives the same keys to consecutive calls, from one session that status shows, and asks Vault once', async () => {
    const first = await sdkCredentials();
    const second = await sdkCredentials();
    expect(first.accessKeyId).toMatch(/^\S{8,}$/);
    expect(second).toMatchObject({ accessKeyId: first.accessKeyId, secretAccessKey: first.secretAccessKey, sessionToken: first.sessionToken });
    expect(first.expiration!.getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);

    const status = await readStatus(user);
    const sessions = status.sessions.filter((s) => s.target === 'aws-dev');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.state).toBe('active');
    // One issue in the audit log for two calls: the second made no Vault call.
    expect(readAudit(user.home).filter((e) => e.target === 'aws-dev' && e.action === 'issued')).toHaveLength(1);
    // And the next keyfob start does not take the session for a crashed process's orphan.
    expectSuccess(await user.run(['status']), 'status');
    expect((await readStatus(user)).sessions.filter((s) => s.target === 'aws-dev')).toHaveLength(1);
  });

  it('after revoke the next call gets fresh keys from Vault; logout removes them from the keychain', async () => {
    const before = await sdkCredentials();
    const [session] = (await readStatus(user)).sessions.filter((s) => s.target === 'aws-dev');
    expectSuccess(await user.run(['revoke', session!.id]), 'revoke');
    const after = await sdkCredentials();
    expect(after.accessKeyId).not.toBe(before.accessKeyId);
    expect((await readStatus(user)).sessions.filter((s) => s.target === 'aws-dev').map((s) => s.id)).not.toContain(session!.id);

    expectSuccess(await user.run(['logout']), 'logout');
    expect((await readStatus(user)).sessions).toEqual([]);
    await signIn(user);
    const fresh = await sdkCredentials();
    expect(fresh.accessKeyId).not.toBe(after.accessKeyId);
  });
});
