import { parseArgs } from 'node:util';
import { cachedCredentialProcessOutput } from '../../core/aws/cachedAnswer.ts';
import { credentialProcessOutput } from '../../core/brokers/aws.ts';
import { UsageError } from '../errors.ts';
import type { CommandContext } from './context.ts';

/**
 * For `credential_process = keyfob aws-credential-process TARGET` in ~/.aws/config. The AWS CLI
 * runs it for every command, so the keys are cached in the OS keychain and served from there
 * while good (core/aws/cachedAnswer.ts), without opening the engine; only a miss opens it, and
 * the engine's handOverAws issues, journals the session as held by credential_process (not
 * revoked at exit: the AWS CLI keeps using the keys until Expiration) and caches the keys.
 * `status` shows the session; `revoke` and `logout` end it.
 */
export async function awsCredentialProcessCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { reason: { type: 'string' }, yes: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('aws-credential-process takes one TARGET');
  const targetId = positionals[0]!;
  const cached = await cachedCredentialProcessOutput(targetId, ctx);
  if (cached) {
    ctx.out(cached);
    return 0;
  }
  // Loaded only on a miss: context.ts brings the whole engine (and zod, whose JIT goes off first:
  // keyfob.ts leaves this command's warm path without it), which the warm path must not load.
  await import('../jitless.ts');
  const { withEngine } = await import('./context.ts');
  return withEngine(ctx, async (engine) => {
    const { awsKeys } = await engine.handOverAws(targetId, { ...(values.reason ? { reason: values.reason } : {}), confirmed: values.yes });
    ctx.out(credentialProcessOutput(awsKeys));
    return 0;
  });
}
