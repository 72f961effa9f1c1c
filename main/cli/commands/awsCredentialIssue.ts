// The cold path of `aws-credential-process`: no usable cached keys, so open the engine and issue.
// A module of its own so that the warm path (awsCredentialCacheHit.ts) loads none of the engine.
import { awsCredentialKey, cacheAwsCredential } from '../../core/aws/credentialCache.ts';
import { credentialProcessOutput } from '../../core/brokers/aws.ts';
import { checkGuardRails } from '../../core/engine/guardRails.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';

export function issueForCredentialProcess(targetId: string, reason: string | undefined, ctx: CommandContext): Promise<number> {
  return withEngine(ctx, async (engine) => {
    const target = engine.target(targetId);
    if (target.kind !== 'aws') throw new UsageError(`${target.id} is a ${target.kind} target, not aws`);
    if (target.aws.source === 'vault') await engine.requireSignIn();
    const ttl = await checkGuardRails(engine.config, target, reason ? { reason } : {}, ctx.env);
    const issued = await engine.issue(target, ttl, reason);
    // Durable before the keys are printed: a crash must not leave them to be revoked as an orphan.
    await engine.journal.patch(issued.session.id, { heldBy: 'credential-process' });
    if (engine.store.kind === 'os-keychain') await cacheAwsCredential(engine.store, awsCredentialKey(engine.configPath, target.id), issued.session.id, issued.awsKeys!);
    ctx.out(credentialProcessOutput(issued.awsKeys!));
    return 0;
  });
}
