// ACL policies as Vault reads and applies them: `path "<pattern>" { capabilities = [...] }`,
// exact, trailing-glob `*` and segment `+` patterns, the most specific pattern wins (Vault's
// priority rules), deny beats everything, root allows everything. `allowed_parameters` restricts
// which request fields (and values, with a leading or trailing `*` glob) a rule lets through.
import type { Operation } from './backend.ts';
import { parseHcl, type HclValue } from './hcl.ts';

export const CAPABILITIES = ['create', 'read', 'update', 'delete', 'list', 'sudo', 'deny', 'patch'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface PolicyRule {
  pattern: string;
  capabilities: Set<Capability>;
  /** Field name → allowed values ([] = any value); `*` as a name allows every other field. */
  allowedParameters?: Map<string, string[]>;
}

function allowedParameters(pattern: string, spec: HclValue | undefined): Map<string, string[]> | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new Error(`path ${JSON.stringify(pattern)}: allowed_parameters must be a map`);
  const out = new Map<string, string[]>();
  for (const [name, values] of Object.entries(spec)) {
    if (!Array.isArray(values)) throw new Error(`path ${JSON.stringify(pattern)}: allowed_parameters.${name} must be a list`);
    out.set(
      name.toLowerCase(),
      values.map((v) => String(v)),
    );
  }
  return out;
}

// Vault's merge (acl.go): a rule with allowed_parameters restricts the merged rule even when
// another policy grants the same path without any; values are unioned, and [] (any) wins.
function mergeParameters(a: Map<string, string[]> | undefined, b: Map<string, string[]> | undefined): Map<string, string[]> | undefined {
  if (!a) return b;
  if (!b) return a;
  const out = new Map(a);
  for (const [name, values] of b) {
    const existing = out.get(name);
    out.set(name, existing === undefined ? values : existing.length === 0 || values.length === 0 ? [] : [...existing, ...values]);
  }
  return out;
}

function valueAllowed(allowed: string[], value: unknown): boolean {
  if (allowed.length === 0) return true;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return allowed.some((a) => {
    if (a === '*') return true;
    if (a.endsWith('*')) return text.startsWith(a.slice(0, -1));
    if (a.startsWith('*')) return text.endsWith(a.slice(1));
    return text === a;
  });
}

/** Every field of the request is allowed by name, and its value by the listed values. */
function parametersAllowed(allowed: Map<string, string[]> | undefined, data: Record<string, unknown> | undefined): boolean {
  if (!allowed) return true;
  for (const [name, value] of Object.entries(data ?? {})) {
    const values = allowed.get(name.toLowerCase()) ?? allowed.get('*');
    if (values === undefined || !valueAllowed(values, value)) return false;
  }
  return true;
}

// Legacy `policy = "write"` inside a path block (vault/policy.go).
const legacy: Record<string, Capability[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['read', 'list', 'create', 'update', 'delete'],
  sudo: ['read', 'list', 'create', 'update', 'delete', 'sudo'],
};

function rule(pattern: string, spec: HclValue): PolicyRule {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new Error(`path ${JSON.stringify(pattern)}: expected a block`);
  const caps = new Set<Capability>();
  const listed = spec.capabilities;
  if (listed !== undefined) {
    if (!Array.isArray(listed)) throw new Error(`path ${JSON.stringify(pattern)}: capabilities must be a list`);
    for (const c of listed) {
      if (typeof c !== 'string' || !(CAPABILITIES as readonly string[]).includes(c.toLowerCase())) {
        throw new Error(`path ${JSON.stringify(pattern)}: invalid capability ${JSON.stringify(c)}`);
      }
      caps.add(c.toLowerCase() as Capability);
    }
  }
  if (typeof spec.policy === 'string') {
    const mapped = legacy[spec.policy.toLowerCase()];
    if (!mapped) throw new Error(`path ${JSON.stringify(pattern)}: invalid policy ${JSON.stringify(spec.policy)}`);
    for (const c of mapped) caps.add(c);
  }
  if (pattern.slice(0, -1).includes('*')) throw new Error(`path ${JSON.stringify(pattern)}: "*" is only allowed at the end`);
  const params = allowedParameters(pattern, spec.allowed_parameters);
  return { pattern: pattern.replace(/^\/+/, ''), capabilities: caps, ...(params ? { allowedParameters: params } : {}) };
}

/** Parses policy text (HCL or its JSON form); throws Error with a readable message. */
export function parsePolicy(text: string): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const json = JSON.parse(trimmed) as { path?: Record<string, HclValue> };
    for (const [pattern, spec] of Object.entries(json.path ?? {})) rules.push(rule(pattern, spec));
    return rules;
  }
  const body = parseHcl(text);
  for (const block of body.blocks) {
    if (block.type !== 'path') continue;
    const pattern = block.labels[0];
    if (pattern === undefined) throw new Error('path block without a path');
    const spec: Record<string, HclValue> = { ...block.body.attributes };
    rules.push(rule(pattern, spec));
  }
  return rules;
}

function firstWildcard(p: string): number {
  const positions = [p.indexOf('+'), p.indexOf('*')].filter((i) => i >= 0);
  return positions.length ? Math.min(...positions) : Number.POSITIVE_INFINITY;
}
const plusSegments = (p: string): number => p.split('/').filter((s) => s === '+').length;

/** >0 when a is more specific than b (Vault's "priority matching" rules, in order). */
export function comparePatterns(a: string, b: string): number {
  const wa = firstWildcard(a);
  const wb = firstWildcard(b);
  if (wa !== wb) return wa > wb ? 1 : -1;
  const ga = a.endsWith('*');
  const gb = b.endsWith('*');
  if (ga !== gb) return ga ? -1 : 1;
  const pa = plusSegments(a);
  const pb = plusSegments(b);
  if (pa !== pb) return pa < pb ? 1 : -1;
  if (a.length !== b.length) return a.length > b.length ? 1 : -1;
  return a === b ? 0 : a > b ? 1 : -1;
}

function isExact(pattern: string): boolean {
  return !pattern.endsWith('*') && !pattern.split('/').includes('+');
}

function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  if (!body.split('/').includes('+')) return glob ? path.startsWith(body) : path === body;
  const source = body
    .split('/')
    .map((seg) => (seg === '+' ? '[^/]*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}${glob ? '[\\s\\S]*' : ''}$`).test(path);
}

/** The merged rules of a token's policies. */
export class Acl {
  readonly root: boolean;
  private readonly rules = new Map<string, Set<Capability>>();
  private readonly parameters = new Map<string, Map<string, string[]>>();

  constructor(policies: PolicyRule[][], root: boolean) {
    this.root = root;
    for (const policy of policies) {
      for (const r of policy) {
        const merged = this.rules.get(r.pattern) ?? new Set<Capability>();
        for (const c of r.capabilities) merged.add(c);
        this.rules.set(r.pattern, merged);
        const params = mergeParameters(this.parameters.get(r.pattern), r.allowedParameters);
        if (params) this.parameters.set(r.pattern, params);
      }
    }
  }

  /** The capabilities of the single most specific matching pattern; empty if none matches. */
  capabilitiesFor(path: string, operation?: Operation): Set<Capability> {
    const pattern = this.patternFor(path, operation);
    return pattern === undefined ? new Set() : this.rules.get(pattern)!;
  }

  private patternFor(path: string, operation?: Operation): string | undefined {
    if (this.rules.has(path) && isExact(path)) return path;
    if (operation === 'list' && this.rules.has(path.replace(/\/$/, ''))) return path.replace(/\/$/, '');
    let best: string | undefined;
    for (const pattern of this.rules.keys()) {
      if (isExact(pattern) || !matches(pattern, path)) continue;
      if (best === undefined || comparePatterns(pattern, best) > 0) best = pattern;
    }
    return best;
  }

  allows(operation: Operation, path: string, needsSudo: boolean, data?: Record<string, unknown>): boolean {
    if (this.root) return true;
    const pattern = this.patternFor(path, operation);
    const caps = pattern === undefined ? new Set<Capability>() : this.rules.get(pattern)!;
    if (caps.has('deny')) return false;
    if (needsSudo && !caps.has('sudo')) return false;
    if (!caps.has(operation)) return false;
    return pattern === undefined || parametersAllowed(this.parameters.get(pattern), data);
  }

  /** sys/capabilities-self answer: ["root"], ["deny"] or the sorted list. */
  describe(path: string): string[] {
    if (this.root) return ['root'];
    const caps = this.capabilitiesFor(path);
    if (caps.size === 0 || caps.has('deny')) return ['deny'];
    return [...caps].sort();
  }
}
