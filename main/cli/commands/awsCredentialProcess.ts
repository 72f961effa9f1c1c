import { parseArgs } from 'node:util';
import { credentialProcessOutput } from '../../core/brokers/aws.ts';
import { checkGuardRails } from '../../core/engine/guardRails.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';

/**
 * For `credential_process = keyfob aws-credential-process TARGET` in ~/.aws/config. The AWS CLI
 * caches the keys until Expiration, so they must outlive this process: the session is recorded
 * (audit) and then handed over, not revoked at exit. STS keys cannot be revoked early anyway.
 */
export async function awsCredentialProcessCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { reason: { type: 'string' }, yes: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('aws-credential-process takes one TARGET');
  return withEngine(ctx, async (engine) => {
    const target = engine.target(positionals[0]!);
    if (target.kind !== 'aws') throw new UsageError(`${target.id} is a ${target.kind} target, not aws`);
    if (target.aws.source === 'vault') await engine.requireSignIn();
    const { ttlSeconds } = await checkGuardRails(engine, target, { ...(values.reason ? { reason: values.reason } : {}), confirmed: values.yes }, ctx.env);
    const issued = await engine.issue(target, ttlSeconds, values.reason);
    await engine.journal.remove(issued.session.id);
    ctx.out(credentialProcessOutput(issued.awsKeys!));
    return 0;
  });
}
