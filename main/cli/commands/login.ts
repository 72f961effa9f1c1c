import { parseArgs } from 'node:util';
import { LOGIN_METHODS } from '../../../common/lists.ts';
import type { LoginMethod } from '../../../common/views.ts';
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
  if (method !== undefined && !LOGIN_METHODS.includes(method)) throw new UsageError(`--method must be one of ${LOGIN_METHODS.join(', ')}`);
  const timeoutMs = loginTimeoutMs(ctx.env);
  return withEngine(ctx, async (engine) => {
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      const signedIn = await engine.login(method, {
        signal: abort.signal,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        onAuthUrl: (url, info) =>
          ctx.tell(
            info?.userCode
              ? `Opening your browser to approve this sign-in (code ${info.userCode}). If it does not open, visit:\n  ${url}`
              : `Opening your browser to sign in. If it does not open, visit:\n  ${url}`,
          ),
      });
      const ends = signedIn.expiresAt ? formatClockTime(Date.parse(signedIn.expiresAt)) : undefined;
      if (signedIn.method === 'aws-sso') ctx.out(`Signed in to IAM Identity Center (${signedIn.name}) until ${ends}.`);
      else ctx.out(`Signed in as ${signedIn.name}${ends ? `; Vault sign-in ends ${ends}` : ''}.`);
      if (engine.keychain.note) ctx.tell(`${engine.keychain.note}; this sign-in ends with this command`);
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
