// A stand-in for a terminal emulator (KEYFOB_TERMINAL in the whole-app tests): it runs the command
// it was given (the keyfob CLI's exec) and types one query into it, as a person at psql would.
// What the command prints goes to KEYFOB_TEST_TERMINAL_DIR/<pid>.log; SIGTERM is the user closing
// the window: the command's input ends (psql quits), and the terminal exits with it.
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const log = join(process.env.KEYFOB_TEST_TERMINAL_DIR ?? '.', `${process.pid}.log`);
writeFileSync(log, `argv ${JSON.stringify(process.argv.slice(2))}\n`);
const [file, ...args] = process.argv.slice(2);
const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
child.stdout.on('data', (chunk) => appendFileSync(log, chunk));
child.stderr.on('data', (chunk) => appendFileSync(log, chunk));
child.stdin.write("select 'role=' || current_user;\n");
process.on('SIGTERM', () => child.stdin.end());
child.on('close', (code, signal) => {
  appendFileSync(log, `\nexited ${code ?? signal}\n`);
  process.exit(0);
});
