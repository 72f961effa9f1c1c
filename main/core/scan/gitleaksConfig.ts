// Reads scan rules in the gitleaks configuration format (`.gitleaks.toml`), the format the team
// already uses, with smol-toml. Honoured: [extend] useDefault / path / disabledRules; [[rules]]
// id, description, regex, secretGroup, entropy, keywords, path, tags, and their allowlists;
// the global [allowlist] and [[allowlists]]: regexes (regexTarget secret|match|line), paths,
// stopwords, condition OR|AND. `useDefault` brings in Keyfob's built-in rules (defaultRules.ts),
// not gitleaks' own list. Unknown keys are ignored, as gitleaks does.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { DEFAULT_RULES_TOML } from './defaultRules.ts';
import { compileGoRegex, RuleSyntaxError } from './goRegex.ts';

const allowlistSchema = z.object({
  description: z.string().optional(),
  condition: z.enum(['OR', 'AND', 'or', 'and']).optional(),
  regexTarget: z.enum(['secret', 'match', 'line']).optional(),
  regexes: z.array(z.string()).optional(),
  paths: z.array(z.string()).optional(),
  stopwords: z.array(z.string()).optional(),
});

const ruleSchema = z.object({
  id: z.string().min(1),
  description: z.string().optional(),
  regex: z.string().optional(),
  secretGroup: z.number().int().nonnegative().optional(),
  entropy: z.number().nonnegative().optional(),
  keywords: z.array(z.string()).optional(),
  path: z.string().optional(),
  tags: z.array(z.string()).optional(),
  allowlist: allowlistSchema.optional(),
  allowlists: z.array(allowlistSchema).optional(),
});

const configFileSchema = z.object({
  title: z.string().optional(),
  extend: z.object({ useDefault: z.boolean().optional(), path: z.string().optional(), disabledRules: z.array(z.string()).optional() }).optional(),
  rules: z.array(ruleSchema).optional(),
  allowlist: allowlistSchema.optional(),
  allowlists: z.array(allowlistSchema).optional(),
});

export interface Allowlist {
  condition: 'OR' | 'AND';
  regexTarget: 'secret' | 'match' | 'line';
  regexes: RegExp[];
  paths: RegExp[];
  stopwords: string[];
}

export interface Rule {
  id: string;
  description: string;
  regex: RegExp | undefined;
  secretGroup: number | undefined;
  entropy: number | undefined;
  /** Lower-cased; the rule runs only on text holding one of them (when any are given). */
  keywords: string[];
  path: RegExp | undefined;
  tags: string[];
  allowlists: Allowlist[];
}

export interface RuleSet {
  /** Where the rules came from, for the report ("built-in", or the file). */
  source: string;
  rules: Rule[];
  allowlists: Allowlist[];
}

export class ScanConfigError extends Error {}

export function builtInRules(): RuleSet {
  return compile(parseText(DEFAULT_RULES_TOML, 'the built-in rules'), 'built-in', []);
}

/** Loads a gitleaks config file; `[extend] path` is followed (relative to the file), two levels deep. */
export async function loadRuleFile(file: string, depth = 0): Promise<RuleSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ScanConfigError(`cannot read the scan rules ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const parsed = parseText(text, file);
  const base: RuleSet[] = [];
  if (parsed.extend?.useDefault) base.push(builtInRules());
  if (parsed.extend?.path) {
    if (depth >= 2) throw new ScanConfigError(`${file}: [extend] path nests too deep`);
    base.push(await loadRuleFile(resolve(dirname(file), parsed.extend.path), depth + 1));
  }
  return compile(parsed, file, base);
}

function parseText(text: string, where: string): z.infer<typeof configFileSchema> {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    throw new ScanConfigError(`${where} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScanConfigError(`${where}: ${issue.path.join('.') || 'the file'} ${issue.message}; see docs/cli.md#scan for the supported gitleaks fields`);
  }
  return parsed.data;
}

function compile(file: z.infer<typeof configFileSchema>, source: string, base: RuleSet[]): RuleSet {
  try {
    const disabled = new Set(file.extend?.disabledRules ?? []);
    // A rule of this file replaces an inherited one with the same id (as gitleaks merges them).
    const own = (file.rules ?? []).map((r) => compileRule(r, source));
    const ownIds = new Set(own.map((r) => r.id));
    const inherited = base.flatMap((b) => b.rules).filter((r) => !ownIds.has(r.id));
    return {
      source,
      rules: [...inherited, ...own].filter((r) => !disabled.has(r.id)),
      allowlists: [
        ...base.flatMap((b) => b.allowlists),
        ...[file.allowlist, ...(file.allowlists ?? [])].filter((a) => a !== undefined).map((a, i) => compileAllowlist(a, `${source} allowlist ${i + 1}`)),
      ],
    };
  } catch (error) {
    if (error instanceof RuleSyntaxError) throw new ScanConfigError(error.message);
    throw error;
  }
}

function compileRule(rule: z.infer<typeof ruleSchema>, source: string): Rule {
  const where = `${source}: rule ${rule.id}`;
  if (!rule.regex && !rule.path) throw new ScanConfigError(`${where} has neither regex nor path`);
  return {
    id: rule.id,
    description: rule.description ?? rule.id,
    regex: rule.regex ? compileGoRegex(rule.regex, where) : undefined,
    secretGroup: rule.secretGroup,
    entropy: rule.entropy,
    keywords: (rule.keywords ?? []).map((k) => k.toLowerCase()),
    path: rule.path ? compileGoRegex(rule.path, `${where} path`) : undefined,
    tags: rule.tags ?? [],
    allowlists: [rule.allowlist, ...(rule.allowlists ?? [])].filter((a) => a !== undefined).map((a) => compileAllowlist(a, `${where} allowlist`)),
  };
}

function compileAllowlist(a: z.infer<typeof allowlistSchema>, where: string): Allowlist {
  return {
    condition: a.condition?.toUpperCase() === 'AND' ? 'AND' : 'OR',
    regexTarget: a.regexTarget ?? 'secret',
    regexes: (a.regexes ?? []).map((r) => compileGoRegex(r, `${where} regex`)),
    paths: (a.paths ?? []).map((p) => compileGoRegex(p, `${where} path`)),
    stopwords: (a.stopwords ?? []).map((s) => s.toLowerCase()),
  };
}
