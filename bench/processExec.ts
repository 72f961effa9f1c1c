// Benchmark (a, whole process): `keyfob exec TARGET -- true` as a user runs it, against the
// steps it is made of: a bare Node start, Node plus loading the CLI's modules (`--help`), and a
// full engine open without issuing (`status --json`: config, keychain probe, journal, recovery).
// The same again for the CLI bundled as it would ship. Commands take turns within each round,
// so load from other work on the machine falls on all of them alike.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { now, since, summarize, type Summary } from './stats.ts';

const cli = fileURLToPath(new URL('../main/cli/keyfob.ts', import.meta.url));

export interface ProcessRow {
  label: string;
  summary: Summary;
}

export interface ProcessResult {
  nodeBare: Summary;
  source: CliFigures;
  /** The same CLI bundled (scripts/build.ts style), if one was built. */
  bundled: CliFigures | undefined;
  /** Why status/exec were not measured (no Secret Service to carry the sign-in between processes). */
  skipped: string | undefined;
}

export interface CliFigures {
  help: Summary;
  status: Summary | undefined;
  exec: Summary | undefined;
  /** `aws-credential-process` answered from the keychain (the warm-up round made the first, cold call). */
  awsWarm: Summary | undefined;
  /** bench/statusFloor.ts: what `status` cannot skip (its keychain reads, one Vault call), without Keyfob's code. */
  statusFloor?: Summary | undefined;
}

export interface ProcessOptions {
  env: NodeJS.ProcessEnv;
  targetId: string;
  iterations: number;
  warmup: number;
  /** False when the sign-in cannot reach a separate keyfob process. */
  signedIn: boolean;
  skipReason?: string;
  /** The bundled CLI (bin/keyfob.js over the build) to compare with the sources, if one was built. */
  bundle?: string;
  /** An aws target for credential_process (Vault-issued). */
  awsTargetId?: string;
  /** The bundled status floor and its arguments (Vault address, the keychain keys status reads). */
  statusFloor?: string[];
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const elapsed = since(start);
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').pop()}`));
      else resolve(elapsed);
    });
  });
}

export async function benchProcess(options: ProcessOptions): Promise<ProcessResult> {
  const { env, iterations, warmup, signedIn } = options;
  const exec = ['exec', options.targetId, '--', 'true'];
  const commands: Record<string, string[]> = { node: ['-e', '0'], help: [cli, '--help'] };
  if (signedIn) Object.assign(commands, { status: [cli, 'status', '--json'], exec: [cli, ...exec] });
  if (options.bundle) {
    commands.bundledHelp = [options.bundle, '--help'];
    if (signedIn) Object.assign(commands, { bundledStatus: [options.bundle, 'status', '--json'], bundledExec: [options.bundle, ...exec] });
    if (signedIn && options.awsTargetId) commands.bundledAwsWarm = [options.bundle, 'aws-credential-process', options.awsTargetId];
    if (signedIn && options.statusFloor) commands.statusFloor = options.statusFloor;
  }
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, [] as number[]]));
  for (let round = 0; round < warmup + iterations; round++) {
    for (const [name, args] of Object.entries(commands)) {
      const elapsed = await run(args, env);
      if (round >= warmup) samples[name]!.push(elapsed);
    }
  }
  const get = (name: string) => (samples[name] && samples[name].length > 0 ? summarize(samples[name]) : undefined);
  return {
    nodeBare: get('node')!,
    source: { help: get('help')!, status: get('status'), exec: get('exec'), awsWarm: undefined },
    bundled: options.bundle
      ? { help: get('bundledHelp')!, status: get('bundledStatus'), exec: get('bundledExec'), awsWarm: get('bundledAwsWarm'), statusFloor: get('statusFloor') }
      : undefined,
    skipped: signedIn ? undefined : (options.skipReason ?? 'not signed in'),
  };
}
