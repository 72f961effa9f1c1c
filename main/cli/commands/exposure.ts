// keyfob exposure [--json]: what someone holding this laptop would have right now (docs/policy.md).
import { parseArgs } from 'node:util';
import type { ExposureView } from '../../../common/exposure.ts';
import { clockAndLeft, table } from '../format.ts';
import { withEngine, type CommandContext } from './context.ts';

export async function exposureCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  return withEngine(ctx, async (engine) => {
    const view = await engine.exposure();
    ctx.out(values.json ? JSON.stringify(view, null, 2) : exposureText(view));
    return 0;
  });
}

export function exposureText(view: ExposureView): string {
  const lines = [`Exposure now: ${view.summary}`];
  if (view.groups.length > 0) {
    lines.push(
      table(
        ['IMPACT', 'TARGET', 'GRANTS', 'SCOPE', 'EXPIRES', 'SESSION', 'PID'],
        view.groups.flatMap((g) =>
          g.sessions.map((s) => [
            g.impact,
            s.target,
            s.grants,
            s.scope,
            clockAndLeft(s.expiresAt, s.remainingSeconds),
            s.sessionId + (s.state === 'revoke-failed' ? ' (revoke failed)' : ''),
            String(s.pid),
          ]),
        ),
      ),
    );
  }
  const signIn = view.signIn;
  if (!signIn) lines.push('Vault sign-in: none');
  else {
    const until = signIn.expiresAt ? `until ${clockAndLeft(signIn.expiresAt, signIn.remainingSeconds ?? 0)}` : 'with no expiry';
    const policies = signIn.policies ? `policies ${signIn.policies.join(', ')}` : 'policies unknown (Vault did not answer)';
    const requests = signIn.canRequest.map((r) => `${r.target} (${r.impact})`).join(', ') || 'nothing in this config';
    lines.push(`Vault sign-in ${signIn.identity ?? ''} ${until}; ${policies}; can ask for ${requests}`.replace(/\s+/g, ' '));
  }
  return lines.join('\n');
}
