// Finds secrets in text: Keyfob's own credentials by keyed fingerprint (exact, no false
// positives), and everything else by the gitleaks-format rules. Pure: text in, findings out;
// the sources (staged diff, files, stdin, clipboard) and the fingerprint index are handed in.
import type { Allowlist, RuleSet } from './gitleaksConfig.ts';

/** Contiguous text from one place: a file, a diff hunk's added lines, stdin, the clipboard. */
export interface Chunk {
  path: string;
  /** The line number of the chunk's first line. */
  startLine: number;
  text: string;
}

/** What a fingerprint is known to belong to. */
export interface KnownCredential {
  sessionId: string;
  targetId: string;
  /** live: the session is journaled and not past its expiry; ended: revoked, expired or handed over. */
  state: 'live' | 'ended';
}

/** Looks up a candidate string; only its keyed fingerprint is compared. */
export type CredentialLookup = (candidate: string) => KnownCredential | undefined;

export interface Finding {
  path: string;
  line: number;
  ruleId: string;
  description: string;
  /** The match with its secret masked: never the secret itself. */
  match: string;
  keyfob?: KnownCredential;
}

export const KEYFOB_LIVE_RULE = 'keyfob-live-credential';
export const KEYFOB_ENDED_RULE = 'keyfob-expired-credential';

// Characters of the secrets Keyfob issues (passwords, AWS keys and session tokens, tokens).
const TOKEN = /[A-Za-z0-9+/=_\-.~]{8,}/g;
const MIN_CANDIDATE = 8;

export function detect(chunks: Iterable<Chunk>, rules: RuleSet, lookup: CredentialLookup | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const chunk of chunks) {
    const own = lookup ? findKnown(chunk, lookup) : [];
    const byRule = findByRules(chunk, rules).filter((f) => !own.some((o) => o.line === f.line && overlaps(o.span, f.span)));
    for (const f of [...own, ...byRule]) findings.push(f.finding);
  }
  return findings.sort((a, b) => (a.path === b.path ? a.line - b.line : a.path < b.path ? -1 : 1));
}

interface Located {
  finding: Finding;
  line: number;
  span: [number, number];
}

function findKnown(chunk: Chunk, lookup: CredentialLookup): Located[] {
  const out: Located[] = [];
  for (const m of chunk.text.matchAll(TOKEN)) {
    const run = m[0];
    for (const [offset, candidate] of candidatesOf(run)) {
      const known = lookup(candidate);
      if (!known) continue;
      const start = m.index + offset;
      const line = lineAt(chunk, start);
      out.push({
        line,
        span: [start, start + candidate.length],
        finding: {
          path: chunk.path,
          line,
          ruleId: known.state === 'live' ? KEYFOB_LIVE_RULE : KEYFOB_ENDED_RULE,
          description:
            known.state === 'live'
              ? `live Keyfob credential of session ${known.sessionId} (${known.targetId})`
              : `expired Keyfob credential of session ${known.sessionId} (${known.targetId}), already ended`,
          match: mask(candidate),
          keyfob: known,
        },
      });
      break;
    }
  }
  return out;
}

/**
 * Free text with every credential Keyfob issued replaced by a label naming its session: what a
 * leak note keeps when someone pastes the leaked secret into it. Only keyed fingerprints are compared.
 */
export function maskKnown(text: string, lookup: CredentialLookup): { text: string; masked: KnownCredential[] } {
  const masked: KnownCredential[] = [];
  const spans: Array<[number, number, KnownCredential]> = [];
  for (const m of text.matchAll(TOKEN)) {
    for (const [offset, candidate] of candidatesOf(m[0])) {
      const known = lookup(candidate);
      if (!known) continue;
      spans.push([m.index + offset, m.index + offset + candidate.length, known]);
      masked.push(known);
      break;
    }
  }
  let out = text;
  for (const [start, end, known] of spans.reverse()) out = `${out.slice(0, start)}[Keyfob credential of session ${known.sessionId}]${out.slice(end)}`;
  return { text: out, masked };
}

/**
 * The run itself and the pieces a secret may sit in: KEY=VALUE, a leading path slash, a
 * sentence's full stop. Each with its offset in the run. Only built when the run has such a
 * piece: most runs are one plain word, and a large diff has millions of them.
 */
function candidatesOf(run: string): Array<[number, string]> {
  const out: Array<[number, string]> = [[0, run]];
  if (run.charCodeAt(0) === 47 /* / */ || run.charCodeAt(run.length - 1) === 46 /* . */) {
    const trimmed = run.replace(/^\/+/, '').replace(/[.]+$/, '');
    if (trimmed.length >= MIN_CANDIDATE) out.push([run.indexOf(trimmed), trimmed]);
  }
  if (run.includes('=')) {
    let offset = 0;
    for (const piece of run.split('=')) {
      if (piece.length >= MIN_CANDIDATE && piece !== run) out.push([offset, piece]);
      offset += piece.length + 1;
    }
  }
  return out;
}

function findByRules(chunk: Chunk, rules: RuleSet): Located[] {
  const out: Located[] = [];
  const lower = chunk.text.toLowerCase();
  for (const rule of rules.rules) {
    if (rule.path && !test(rule.path, chunk.path)) continue;
    if (!rule.regex) {
      // A path-only rule: the file itself is the finding.
      if (chunk.startLine <= 1)
        out.push({ line: 1, span: [0, 0], finding: { path: chunk.path, line: 1, ruleId: rule.id, description: rule.description, match: chunk.path } });
      continue;
    }
    if (rule.keywords.length > 0 && !rule.keywords.some((k) => lower.includes(k))) continue;
    for (const m of chunk.text.matchAll(rule.regex)) {
      const group = rule.secretGroup ?? (m.length > 1 && m[1] !== undefined ? 1 : 0);
      const secret = m[group] ?? m[0];
      const secretStart = m.indices?.[group]?.[0] ?? m.index;
      if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) continue;
      const line = lineAt(chunk, secretStart);
      const lineText = lineTextAt(chunk.text, secretStart);
      if (/gitleaks:allow/.test(lineText)) continue;
      const target = { secret, match: m[0], line: lineText, path: chunk.path };
      if ([...rules.allowlists, ...rule.allowlists].some((a) => allowed(a, target))) continue;
      const masked = m[0].split(secret).join(mask(secret));
      out.push({
        line,
        span: [secretStart, secretStart + secret.length],
        finding: { path: chunk.path, line, ruleId: rule.id, description: rule.description, match: oneLine(masked) },
      });
    }
  }
  return out;
}

function allowed(a: Allowlist, t: { secret: string; match: string; line: string; path: string }): boolean {
  const checks: boolean[] = [];
  if (a.regexes.length > 0) checks.push(a.regexes.some((r) => test(r, t[a.regexTarget])));
  if (a.paths.length > 0) checks.push(a.paths.some((r) => test(r, t.path)));
  if (a.stopwords.length > 0) checks.push(a.stopwords.some((w) => t.secret.toLowerCase().includes(w)));
  if (checks.length === 0) return false;
  return a.condition === 'AND' ? checks.every(Boolean) : checks.some(Boolean);
}

function test(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  return re.test(text);
}

/** Shows what kind of value it was, never enough of it to use: at most 4 leading characters of a long one. */
export function mask(secret: string): string {
  const shown = secret.length >= 16 ? secret.slice(0, 4) : '';
  return `${shown}****[${secret.length} chars]`;
}

function oneLine(text: string): string {
  // No raw control characters reach the terminal.
  const flat = [...text.replace(/[\r\n]+/g, ' ')].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '?' : c)).join('');
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

function lineAt(chunk: Chunk, index: number): number {
  let n = chunk.startLine;
  for (let i = chunk.text.indexOf('\n'); i !== -1 && i < index; i = chunk.text.indexOf('\n', i + 1)) n++;
  return n;
}

function lineTextAt(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? text.length : end);
}

function overlaps(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}
