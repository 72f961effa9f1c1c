import { parseArgs } from 'node:util';
import { credentialProcessOutput } from '../../core/brokers/aws.ts';
import { checkGuardRails } from '../../core/engine/guardRails.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';
import { awsCredentialKey, cacheAwsCredential } from '../../core/aws/credentialCache.ts';
import { cachedCredentialProcessOutput } from './awsCredentialCacheHit.ts';

/**
 * For `credential_process = keyfob aws-credential-process TARGET` in ~/.aws/config. The AWS CLI
 * runs it for every command, so the keys are cached in the OS keychain and served from there
 * while good (aws/credentialCache.ts); only a miss opens the engine and asks Vault. The session
 * is handed over (journaled as held by credential_process), not revoked at exit: the AWS CLI
 * keeps using the keys until Expiration. `status` shows it; `revoke` and `logout` end it.
 */
export async function awsCredentialProcessCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { reason: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('aws-credential-process takes one TARGET');
  const cached = await cachedCredentialProcessOutput(positionals[0]!, ctx);
  if (cached) {
    ctx.out(cached);
    return 0;
  }
  return withEngine(ctx, async (engine) => {
    const target = engine.target(positionals[0]!);
    if (target.kind !== 'aws') throw new UsageError(`${target.id} is a ${target.kind} target, not aws`);
    if (target.aws.source === 'vault') await engine.requireSignIn();
    const ttl = await checkGuardRails(engine.config, target, values.reason ? { reason: values.reason } : {}, ctx.env);
    const issued = await engine.issue(target, ttl, values.reason);
    // Durable before the keys are printed: a crash must not leave them to be revoked as an orphan.
    await engine.journal.patch(issued.session.id, { heldBy: 'credential-process' });
    if (engine.store.kind === 'os-keychain') await cacheAwsCredential(engine.store, awsCredentialKey(engine.configPath, target.id), issued.session.id, issued.awsKeys!);
    ctx.out(credentialProcessOutput(issued.awsKeys!));
    return 0;
  });
}
