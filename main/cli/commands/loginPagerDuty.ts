// keyfob login --pagerduty: reads the user's PagerDuty API token from stdin (never argv, which
// other users can see); the engine checks with PagerDuty whose it is and keeps it in the keychain.
import type { Engine } from '../../core/engine/engine.ts';
import type { CommandContext } from './context.ts';

const MAX_INPUT = 4096;

export async function storePagerDutyToken(engine: Engine, ctx: CommandContext, input: NodeJS.ReadableStream): Promise<number> {
  if ((input as { isTTY?: boolean }).isTTY) ctx.tell('paste your PagerDuty user API token, then press Enter and Ctrl-D');
  const { email } = await engine.savePagerDutyToken(await readAll(input));
  ctx.out(`Stored the PagerDuty token of ${email} in the OS keychain.`);
  return 0;
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > MAX_INPUT) break;
  }
  return text;
}
