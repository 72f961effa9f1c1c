import { parseArgs } from 'node:util';
import { credentialProcessOutput } from '../../core/brokers/aws.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';

/**
 * For `credential_process = keyfob aws-credential-process TARGET` in ~/.aws/config. The AWS CLI
 * caches the keys until Expiration, so they must outlive this process: the engine records the
 * session (audit) and hands it over instead of revoking it at exit.
 */
export async function awsCredentialProcessCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { reason: { type: 'string' }, yes: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('aws-credential-process takes one TARGET');
  return withEngine(ctx, async (engine) => {
    const { awsKeys } = await engine.handOverAws(positionals[0]!, { ...(values.reason ? { reason: values.reason } : {}), confirmed: values.yes });
    ctx.out(credentialProcessOutput(awsKeys));
    return 0;
  });
}
