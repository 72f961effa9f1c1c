// keyfob login --pagerduty: reads the user's PagerDuty API token from stdin (never argv, which
// other users can see), checks with PagerDuty whose it is, and keeps it in the OS keychain.
import type { Engine } from '../../core/engine/engine.ts';
import { signedInEmail } from '../../core/policy/identity.ts';
import { pagerDutyClient } from '../../core/policy/pagerDuty.ts';
import { checkPagerDutyToken, savePagerDutyToken } from '../../core/policy/pagerDutyToken.ts';
import type { CommandContext } from './context.ts';

const MAX_INPUT = 4096;

export async function storePagerDutyToken(engine: Engine, ctx: CommandContext, input: NodeJS.ReadableStream): Promise<number> {
  const settings = engine.config.onCall;
  if (!settings) throw new Error('the config has no onCall section, so Keyfob does not ask PagerDuty; nothing to store');
  if (engine.store.kind !== 'os-keychain') {
    throw new Error(`there is no OS keychain to keep the PagerDuty token in (${engine.store.reason ?? 'memory only'}): set ${settings.pagerduty.tokenEnv} instead`);
  }
  if ((input as { isTTY?: boolean }).isTTY) ctx.tell('paste your PagerDuty user API token, then press Enter and Ctrl-D');
  const token = checkPagerDutyToken(await readAll(input));
  if (!token) throw new Error('stdin did not hold a PagerDuty API token: pipe it in, e.g. keyfob login --pagerduty < token-file');
  const owner = await pagerDutyClient({ url: settings.pagerduty.url, token, tokenSource: 'stdin' }).me();
  const identity = signedInEmail(engine.signIn(), engine.config);
  if (identity && identity !== owner.email) {
    throw new Error(`that PagerDuty token belongs to ${owner.email}, but you are signed in as ${identity}: use your own API token`);
  }
  await savePagerDutyToken(engine.store, settings, token);
  ctx.out(`Stored the PagerDuty token of ${owner.email} in the OS keychain.`);
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
