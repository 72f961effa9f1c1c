import { parseArgs } from 'node:util';
import { browserOpener } from '../../core/auth/browser.ts';
import { loginMethods, type LoginMethod } from '../../core/config/index.ts';
import { login } from '../../core/engine/login.ts';
import { recoverOrphans } from '../../core/sessions/index.ts';
import { formatClockTime } from '../../core/sessions/index.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';
import { storePagerDutyToken } from './loginPagerDuty.ts';

export async function loginCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { method: { type: 'string' }, pagerduty: { type: 'boolean', default: false } }, strict: true });
  if (values.pagerduty) {
    if (values.method !== undefined) throw new UsageError('login --pagerduty takes no --method: it stores your PagerDuty API token, read from stdin');
    return withEngine(ctx, (engine) => storePagerDutyToken(engine, ctx, process.stdin));
  }
  const method = values.method as LoginMethod | undefined;
  if (method !== undefined && !loginMethods.includes(method)) throw new UsageError(`--method must be one of ${loginMethods.join(', ')}`);
  const timeoutMs = loginTimeoutMs(ctx.env);
  return withEngine(ctx, async (engine) => {
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      const result = await login(method, {
        config: engine.config,
        vault: engine.vault,
        store: engine.store,
        openUrl: browserOpener(ctx.env),
        log: ctx.tell,
        now: () => engine.clock.now(),
        signal: abort.signal,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      if (result.method === 'aws-sso') {
        ctx.out(`Signed in to IAM Identity Center (${result.identity}) until ${formatClockTime(result.expiresAt)}.`);
      } else {
        const ends = result.token.expiresAt ? `; Vault sign-in ends ${formatClockTime(Date.parse(result.token.expiresAt))}` : '';
        ctx.out(`Signed in as ${result.identity}${ends}.`);
        // Now that there is a token, revoke what a crashed keyfob left behind.
        const report = await recoverOrphans(engine.journal, engine.vault, engine.audit, engine.clock);
        if (report.revoked.length > 0) ctx.tell(`revoked ${report.revoked.length} credential(s) left by a keyfob process that is gone`);
      }
      if (engine.store.kind === 'memory') ctx.tell(`tokens are kept in memory only: ${engine.store.reason}; this sign-in ends with this command`);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}

/**
 * KEYFOB_LOGIN_TIMEOUT (seconds) bounds the wait for the sign-in in the browser (default: 120 s
 * for vault-oidc and oidc, as the Vault CLI; the device code's lifetime for aws-sso): for
 * scripts and tests that must not hang for minutes.
 */
export function loginTimeoutMs(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.KEYFOB_LOGIN_TIMEOUT;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`KEYFOB_LOGIN_TIMEOUT must be a number of seconds above 0, not "${raw}"`);
  return Math.round(seconds * 1000);
}
