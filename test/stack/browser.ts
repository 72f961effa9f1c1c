// The stack's BROWSER: `node test/stack/browser.ts [--stack DIR/stack.json] URL` completes an SSO
// login headlessly, as a person in a browser would (sign in, approve, follow the redirect back to
// the app's loopback listener), or confirms a device-verification URL. Keyfob runs it with the
// URL as the last argument (design.md: BROWSER). Page conventions: test/stack/oidc/formAgent.ts.
//
//   KEYFOB_STACK_USER     who signs in (default alice)
//   KEYFOB_STACK_CONSENT  "deny" presses Deny on the consent/approval page (default approve)
//   KEYFOB_STACK_FILE     stack.json, when --stack is not given; its `oidc.passwords` has the
//                         generated passwords ({"alice": "...", "bob": "..."})
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { completeLogin } from './oidc/formAgent.ts';

const StackFile = z.object({
  oidc: z.object({ passwords: z.record(z.string(), z.string()) }),
});

function fail(message: string): never {
  process.stderr.write(`keyfob-stack-browser: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: { stack: { type: 'string' } }, allowPositionals: true });
  } catch (err) {
    fail(`${(err as Error).message}\nusage: browser.ts [--stack DIR/stack.json] URL`);
  }
  const url = parsed.positionals.at(-1);
  if (!url || !URL.canParse(url)) fail('usage: browser.ts [--stack DIR/stack.json] URL');

  const stackPath = parsed.values.stack ?? process.env['KEYFOB_STACK_FILE'];
  if (!stackPath) fail('no stack file: pass --stack DIR/stack.json or set KEYFOB_STACK_FILE');
  let stackJson: unknown;
  try {
    stackJson = JSON.parse(readFileSync(stackPath, 'utf8'));
  } catch (err) {
    fail(`cannot read ${stackPath}: ${(err as Error).message}`);
  }
  const stack = StackFile.safeParse(stackJson);
  if (!stack.success) fail(`${stackPath} has no oidc.passwords map: ${stack.error.message}`);

  const user = process.env['KEYFOB_STACK_USER'] || 'alice';
  const password = stack.data.oidc.passwords[user];
  if (password === undefined) fail(`no password for user "${user}" in ${stackPath} (known: ${Object.keys(stack.data.oidc.passwords).join(', ')})`);
  const consentEnv = process.env['KEYFOB_STACK_CONSENT'];
  if (consentEnv && consentEnv !== 'approve' && consentEnv !== 'deny') fail(`KEYFOB_STACK_CONSENT must be "approve" or "deny", not "${consentEnv}"`);
  const consent = consentEnv === 'deny' ? 'deny' : 'approve';

  try {
    const outcome = await completeLogin(url, { user, password, consent });
    process.stderr.write(
      `keyfob-stack-browser: ${user} ${consent === 'deny' ? 'denied' : 'completed'} the login; last page ${outcome.finalUrl.split('?')[0]} (${outcome.finalStatus})\n`,
    );
  } catch (err) {
    fail((err as Error).message);
  }
}

await main();
