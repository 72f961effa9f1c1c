import { awsCredentialKey, forgetAwsCredential } from '../../core/aws/credentialCache.ts';
import { forgetSsoMaterial, forgetVaultToken } from '../../core/keychain/index.ts';
import { withEngine, type CommandContext } from './context.ts';
import { revokeSessions } from './revoke.ts';

/** Revoke everything, then forget every token (design.md: logout is a session end). */
export async function logoutCommand(argv: string[], ctx: CommandContext): Promise<number> {
  if (argv.length > 0) throw new Error('logout takes no arguments');
  return withEngine(ctx, async (engine) => {
    const { config } = engine;
    let failed: string[] = [];
    if (engine.signIn()) {
      const ids = (await engine.journal.list()).map((e) => e.sessionId);
      ({ failed } = await revokeSessions(engine, ids, 'logout', ctx.tell));
      if (ids.length > 0) ctx.out(`Revoked ${ids.length - failed.length} session(s).`);
      // Revoking the token also revokes any lease it made that Keyfob did not know of.
      await engine.vault.revokeSelf().catch((error: Error) => ctx.tell(`Vault did not revoke the token: ${error.message}`));
    }
    await forgetVaultToken(engine.store, config.vault.address);
    if (config.auth.oidc) await forgetSsoMaterial(engine.store, 'oidc', config.auth.oidc.issuer);
    if (config.auth.awsSso) await forgetSsoMaterial(engine.store, 'aws-sso', config.auth.awsSso.startUrl);
    // Keys cached for credential_process: their sessions were revoked above.
    for (const t of config.targets) if (t.kind === 'aws') await forgetAwsCredential(engine.store, awsCredentialKey(engine.configPath, t.id));
    ctx.out('Signed out; tokens forgotten.');
    if (failed.length > 0) {
      ctx.tell(`could not revoke ${failed.join(', ')}; their leases end with their TTL or when Vault revokes the token's leases`);
      return 1;
    }
    return 0;
  });
}
