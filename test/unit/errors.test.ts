// Errors as every face sees them: one code from common/errors.ts and a message with no token
// and no terminal control characters; the CLI turns the code into its exit status (usage → 2).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../common/errors.ts';
import { KeyfobError } from '../../main/core/base/index.ts';
import { ConfigError } from '../../main/core/config/index.ts';
import { toKeyfobError } from '../../main/core/engine/errors.ts';
import { SecretStoreError } from '../../main/core/keychain/index.ts';
import { VaultError } from '../../main/core/vault/index.ts';
import { EXIT_CODES } from '../../main/cli/errors.ts';
import { keyfobScript, nodeBin } from '../cli/support/keyfob.ts';

describe('KeyfobError', () => {
  it('never carries a token or a control character in its message', () => {
    const token = `hvs.${randomBytes(24).toString('base64url')}`;
    const error = new KeyfobError('vault-error', `Vault said \u001b[2J${token} is bad\u0007`);
    expect(error.message).not.toContain(token);
    // eslint-disable-next-line no-control-regex
    expect(error.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(error.toView()).toEqual({ code: 'vault-error', message: error.message });
  });

  it('maps the services’ own errors to the shared codes', () => {
    const cases: Array<[unknown, string]> = [
      [new VaultError('VAULT_UNREACHABLE', 'Vault could not be reached', 'sys/health'), 'vault-unreachable'],
      [new VaultError('AUTH_EXPIRED', 'expired', 'auth/token/lookup-self', 403), 'not-signed-in'],
      [new VaultError('PERMISSION_DENIED', 'denied', 'database/creds/x', 403), 'vault-denied'],
      [new VaultError('LEASE_NOT_RENEWABLE', 'no', 'sys/leases/renew', 400), 'not-renewable'],
      [new VaultError('BAD_RESPONSE', 'odd', 'x'), 'vault-error'],
      [new ConfigError('CONFIG_INVALID', '/etc/keyfob.yaml', 'bad'), 'config-invalid'],
      [new SecretStoreError('The OS keychain could not read', 'locked'), 'keychain-unavailable'],
      [new Error('something else'), 'internal'],
      ['not even an Error', 'internal'],
    ];
    for (const [error, code] of cases) expect(toKeyfobError(error), String(error)).toMatchObject({ name: 'KeyfobError', code });
    const already = new KeyfobError('guard-rail', 'needs a reason');
    expect(toKeyfobError(already)).toBe(already);
  });

  it('every code has an exit status, and only usage errors exit 2', () => {
    expect(Object.keys(EXIT_CODES).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(EXIT_CODES[code], code).toBe(code === 'usage' ? 2 : 1);
  });
});

describe('the CLI’s usage errors', () => {
  const run = promisify(execFile);
  const keyfob = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(nodeBin, [keyfobScript, ...args], { env: { PATH: process.env.PATH, KEYFOB_CONFIG: '/nonexistent/keyfob.yaml' } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exit 2 with a pointer to --help, before any config is read', async () => {
    for (const args of [['logout', 'now'], ['revoke'], ['exec', 'orders-ro'], ['renew'], ['frobnicate']]) {
      const result = await keyfob(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^keyfob: .+\nRun keyfob --help for usage\.\n$/);
    }
  });

  it('exit 1 for a config that is not there, with the code’s one line', async () => {
    const result = await keyfob(['status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^keyfob: No Keyfob config at \/nonexistent\/keyfob\.yaml .*\n$/);
  });
});
