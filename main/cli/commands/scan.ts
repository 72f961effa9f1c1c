// keyfob scan [--staged | --clipboard | FILE... | -] [--rules FILE] [--revoke] [--json]
// keyfob scan --install-hook
// Exit codes a hook understands: 0 clean, 1 found, 2 error (any error, usage included).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  builtInRules,
  detect,
  fileChunk,
  installPreCommitHook,
  knownCredentialsHere,
  loadRuleFile,
  repoRoot,
  stagedChunks,
  streamChunk,
  type Chunk,
  type Finding,
  type RuleSet,
} from '../../core/scan/index.ts';
import { redactSecrets } from '../../core/audit/index.ts';
import { readClipboard } from '../clipboard.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';

export const SCAN_CLEAN = 0;
export const SCAN_FOUND = 1;
export const SCAN_ERROR = 2;

export async function scanCommand(argv: string[], ctx: CommandContext): Promise<number> {
  try {
    return await scan(argv, ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.tell(redactSecrets(message.split('\n')[0] ?? message));
    if (error instanceof UsageError || (error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write('Run keyfob --help for usage.\n');
    }
    return SCAN_ERROR;
  }
}

async function scan(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      staged: { type: 'boolean', default: false },
      clipboard: { type: 'boolean', default: false },
      rules: { type: 'string' },
      revoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'install-hook': { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const cwd = process.cwd();
  if (values['install-hook']) {
    if (values.staged || values.clipboard || positionals.length > 0) throw new UsageError('--install-hook takes no source');
    const { path, replaced } = await installPreCommitHook(cwd, [process.execPath, resolve(process.argv[1] ?? 'keyfob')]);
    ctx.out(`${replaced ? 'Updated' : 'Installed'} the pre-commit hook ${path}: every commit runs keyfob scan --staged.`);
    return SCAN_CLEAN;
  }
  const sources = [values.staged, values.clipboard, positionals.length > 0].filter(Boolean).length;
  if (sources > 1) throw new UsageError('scan one source at a time: --staged, --clipboard, or FILE... (- for stdin)');
  if (sources === 0 && process.stdin.isTTY) throw new UsageError('what should keyfob scan? --staged, --clipboard, or FILE... (- for stdin)');

  const chunks: Chunk[] = [];
  let what: string;
  if (values.staged) {
    chunks.push(...(await stagedChunks(cwd)));
    what = 'the staged changes';
  } else if (values.clipboard) {
    chunks.push({ path: '(clipboard)', startLine: 1, text: await readClipboard(ctx.env) });
    what = 'the clipboard';
  } else if (positionals.length === 0 || (positionals.length === 1 && positionals[0] === '-')) {
    chunks.push(await streamChunk('(stdin)', process.stdin));
    what = 'stdin';
  } else {
    for (const file of positionals) {
      const chunk = file === '-' ? await streamChunk('(stdin)', process.stdin) : await fileChunk(file);
      if (chunk) chunks.push(chunk);
    }
    what = `${positionals.length} file(s)`;
  }

  const rules = await rulesFor(values.rules, values.staged ? await repoRoot(cwd) : cwd);
  const known = await knownCredentialsHere(ctx.env, Date.now());
  if (known.unavailable && known.keychain !== 'os-keychain') ctx.tell(`Keyfob's own credentials are not recognised: ${known.unavailable}`);
  const findings = detect(chunks, rules, known.lookup);
  const bytes = chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0);

  let revokeFailed = false;
  const revoked: string[] = [];
  const live = [...new Set(findings.filter((f) => f.keyfob?.state === 'live').map((f) => f.keyfob!.sessionId))];
  if (values.revoke && live.length > 0) {
    await withEngine(ctx, async (engine) => {
      for (const sessionId of live) {
        const report = await engine.leak(sessionId, { note: `found by keyfob scan in ${what}` });
        if (report.incident.outcome === 'revoke-failed') revokeFailed = true;
        else revoked.push(sessionId);
      }
    });
  }

  if (values.json) {
    ctx.out(JSON.stringify({ findings, scannedBytes: bytes, rules: rules.source, keyfobCredentials: known.count, revoked }, null, 2));
  } else {
    for (const f of findings) ctx.out(describeFinding(f));
  }
  if (findings.length === 0) {
    ctx.tell(`no secrets in ${what} (${bytes} bytes; rules: ${rules.source})`);
    return SCAN_CLEAN;
  }
  const stillLive = live.filter((id) => !revoked.includes(id));
  ctx.tell(
    `${findings.length} secret(s) in ${what}` +
      (revoked.length > 0 ? `; revoked ${revoked.join(', ')} (reported as leaked)` : '') +
      (stillLive.length > 0 ? `; live Keyfob credential(s): keyfob leak ${stillLive.join(' / ')} revokes, or scan again with --revoke` : ''),
  );
  return revokeFailed ? SCAN_ERROR : SCAN_FOUND;
}

function describeFinding(f: Finding): string {
  return `${f.path}:${f.line}: ${f.ruleId}: ${f.match} (${f.description})`;
}

/** --rules FILE, else the .gitleaks.toml at `root`, else the built-in rules. */
async function rulesFor(explicit: string | undefined, root: string): Promise<RuleSet> {
  if (explicit) return loadRuleFile(resolve(explicit));
  const local = join(root, '.gitleaks.toml');
  return existsSync(local) ? loadRuleFile(local) : builtInRules();
}
