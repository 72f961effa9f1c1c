// The keyfob command line (design.md, "The command line"): a thin shell over main/core.
import type { CommandContext } from './commands/context.ts';
import { reportFailure, UsageError } from './errors.ts';
import { usage } from './usage.ts';
import { terminalSafe } from './terminalSafe.ts';

type Command = (argv: string[], ctx: CommandContext) => Promise<number>;

// Loaded on demand: `keyfob targets` should not pay for the AWS SDK, sshpk and the Vault client.
const commands: Record<string, () => Promise<Command>> = {
  login: async () => (await import('./commands/login.ts')).loginCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  targets: async () => (await import('./commands/status.ts')).targetsCommand,
  exec: async () => (await import('./commands/exec.ts')).execCommand,
  renew: async () => (await import('./commands/renew.ts')).renewCommand,
  revoke: async () => (await import('./commands/revoke.ts')).revokeCommand,
  'aws-credential-process': async () => (await import('./commands/awsCredentialProcess.ts')).awsCredentialProcessCommand,
  logout: async () => (await import('./commands/logout.ts')).logoutCommand,
  exposure: async () => (await import('./commands/exposure.ts')).exposureCommand,
  handoff: async () => (await import('./commands/handoff.ts')).handoffCommand,
  leak: async () => (await import('./commands/leak.ts')).leakCommand,
  scan: async () => (await import('./commands/scan.ts')).scanCommand,
  copy: async () => (await import('./commands/copy.ts')).copyCommand,
};

/** Splits `[--config FILE] COMMAND ARGS…`; the global option must come before the command. */
export function parseGlobal(argv: string[]): { configPath: string | undefined; name: string | undefined; rest: string[] } {
  let configPath: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config') {
      configPath = argv[++i];
      if (!configPath) throw new UsageError('--config needs a file');
    } else if (arg.startsWith('--config=')) configPath = arg.slice('--config='.length);
    else break;
  }
  return { configPath, name: argv[i], rest: argv.slice(i + 1) };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const { configPath, name, rest } = parseGlobal(argv);
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(`${usage}\n`);
      return name ? 0 : 2;
    }
    const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!load) throw new UsageError(`unknown command "${name}"`);
    // zod's JIT off before any schema exists (jitless.ts). The cached credential_process answer
    // loads no zod at all (every `aws` command runs it); it loads jitless.ts itself on a miss.
    if (name !== 'aws-credential-process') await import('./jitless.ts');
    const command = await load();
    const ctx: CommandContext = {
      configPath,
      env,
      out: (text) => process.stdout.write(`${terminalSafe(text)}\n`),
      tell: (line) => process.stderr.write(`keyfob: ${terminalSafe(line)}\n`),
    };
    return await command(rest, ctx);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      return reportFailure(new UsageError(error.message));
    }
    return reportFailure(error);
  }
}

if (import.meta.main) {
  // Exit explicitly: a keep-alive socket or file watcher must not keep a finished command waiting.
  process.exit(await main(process.argv.slice(2), process.env));
}
