// keyfob copy TARGET: a static secret to the clipboard, cleared again after the target's
// clearAfter (keyfob waits for it; Ctrl-C clears at once).
import { parseArgs } from 'node:util';
import { readClipboard, writeClipboard } from '../clipboard.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';

export async function copyCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('copy takes one static target: keyfob copy TARGET');
  const clipboard = { read: () => readClipboard(ctx.env), write: (text: string) => writeClipboard(ctx.env, text) };
  const { cleared, version, clearAfterSeconds } = await withEngine(ctx, (engine) => engine.copyStatic(positionals[0]!, clipboard));
  ctx.tell(`copied ${positionals[0]} (version ${version}); the clipboard is cleared in ${clearAfterSeconds}s`);
  // The clearing timer does not hold the process; this does, until it has run (or Ctrl-C clears now).
  const hold = setInterval(() => {}, 1 << 30);
  const onSigint = () => void clipboard.write('').finally(() => process.exit(130));
  process.once('SIGINT', onSigint);
  try {
    ctx.tell((await cleared) === 'cleared' ? 'clipboard cleared' : 'something else was copied meanwhile; left as it is');
  } finally {
    clearInterval(hold);
    process.off('SIGINT', onSigint);
  }
  return 0;
}
