import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';

/** Revoke everything, then forget every token (design.md: logout is a session end). */
export async function logoutCommand(argv: string[], ctx: CommandContext): Promise<number> {
  if (argv.length > 0) throw new UsageError('logout takes no arguments');
  return withEngine(ctx, async (engine) => {
    const { revoked, failed } = await engine.logout();
    if (revoked.length + failed.length > 0) ctx.out(`Revoked ${revoked.length} session(s).`);
    ctx.out('Signed out; tokens forgotten.');
    if (failed.length > 0) {
      ctx.tell(`could not revoke ${failed.map((s) => s.id).join(', ')}; their leases end with their TTL or when Vault revokes the token's leases`);
      return 1;
    }
    return 0;
  });
}
