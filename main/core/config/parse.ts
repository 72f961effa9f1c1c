// Text → validated config, or one ConfigError line: "<file>:<line>: <field>: <reason>".
// Only the first problem (in file order) is reported, with a count of the rest, so the admin
// fixes one thing at a time and the CLI prints exactly one line.
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.ts';
import { configSchema, targetKinds, type KeyfobConfig } from './schema.ts';
import { resolveFilePaths } from './validate.ts';

type Path = readonly PropertyKey[];
const kindNames: readonly string[] = targetKinds;

export function parseConfig(text: string, path: string): KeyfobConfig {
  return parseConfigDocument(text, path).config;
}

/** The config and the plain value YAML gave for it (what parsedCache.ts keeps, so a hit skips YAML). */
export function parseConfigDocument(text: string, path: string): { config: KeyfobConfig; value: unknown } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    const first = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError('CONFIG_INVALID', path, `${where(path, line)}: not valid YAML: ${first}`);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) {
    throw new ConfigError('CONFIG_INVALID', path, `${path}: the file is empty (docs/config.md describes the format)`);
  }
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) throw describeFirstIssue(parsed.error.issues, value, doc, lineCounter, path);
  return { config: resolveFilePaths(parsed.data, path), value };
}

function describeFirstIssue(issues: z.core.$ZodIssue[], input: unknown, doc: Document, lines: LineCounter, file: string): ConfigError {
  const located = issues.map((issue) => {
    const path: Path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const missing = issue.code !== 'unrecognized_keys' && !lookup(input, path).present;
    // A missing field is reported at its parent, but ranks after what the parent does contain:
    // a misspelt key ("databse") explains a missing one ("database") better than the reverse.
    const { start, end } = rangeOf(doc, path);
    return { issue, path, offset: start, rank: missing ? end : start };
  });
  located.sort((a, b) => a.rank - b.rank);
  const { issue, path, offset } = located[0]!;
  const field = formatPath(path);
  const more = located.length > 1 ? ` (and ${located.length - 1} more problem${located.length > 2 ? 's' : ''})` : '';
  const line = Number.isFinite(offset) ? lines.linePos(offset).line : undefined;
  const message = `${where(file, line)}: ${field || '(top level)'}${targetNote(path, input)}: ${reason(issue, path, input)}${more}`;
  return new ConfigError('CONFIG_INVALID', file, message, field);
}

function reason(issue: z.core.$ZodIssue, path: Path, input: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const kind = path[0] === 'targets' && path.length === 3 ? lookup(input, [...path.slice(0, 2), 'kind']).value : undefined;
    if (typeof kind === 'string' && kindNames.includes(kind) && kindNames.includes(String(path[2]))) {
      return `a target of kind ${kind} takes ${article(kind)} ${kind} section, not ${String(path[2])}`;
    }
    const others =
      issue.keys.length > 1
        ? ` (also ${issue.keys
            .slice(1)
            .map((k) => `"${k}"`)
            .join(', ')})`
        : '';
    return `unknown key "${issue.keys[0]}"${others}; check the spelling against docs/config.md`;
  }
  const { present, value } = lookup(input, path);
  if (!present) {
    const last = path.at(-1);
    const kind = path[0] === 'targets' && path.length === 3 && typeof last === 'string' ? last : undefined;
    if (kind && kindNames.includes(kind)) return `is missing: a target of kind ${kind} needs ${article(kind)} ${kind} section`;
    // A rule about an absent field (a check across fields) says what it needs itself.
    return issue.code === 'custom' ? issue.message : 'is missing';
  }
  if (issue.code === 'invalid_value' || issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    return `${issue.message} (got ${show(value)})`;
  }
  return issue.message;
}

function targetNote(path: Path, input: unknown): string {
  if (path[0] !== 'targets' || typeof path[1] !== 'number' || path[2] === 'id') return '';
  const id = lookup(input, ['targets', path[1], 'id']).value;
  return typeof id === 'string' ? ` (target "${id}")` : '';
}

function lookup(input: unknown, path: Path): { present: boolean; value: unknown } {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !(key in value)) return { present: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { present: true, value };
}

/** Source range of the deepest YAML node on the path, so a missing field points at its parent. */
function rangeOf(doc: Document, path: Path): { start: number; end: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return { start: range[0], end: range[2] };
  }
  return { start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY };
}

function formatPath(path: Path): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

function where(file: string, line: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}

function article(word: string): string {
  return /^[aeios]/.test(word) ? 'an' : 'a';
}

function show(value: unknown): string {
  if (value === null) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
