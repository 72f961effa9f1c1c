import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { cachedCredentialProcessOutput } from './awsCredentialCacheHit.ts';
import type { CommandContext } from './context.ts';

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
  const { issueForCredentialProcess } = await import('./awsCredentialIssue.ts');
  return issueForCredentialProcess(positionals[0]!, values.reason, ctx);
}
