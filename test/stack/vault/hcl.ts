// The slice of HCL that ACL policies use: blocks with string labels, attributes, strings,
// numbers, booleans, lists and objects, plus #, // and /* */ comments. Heredocs are not read.

export type HclValue = string | number | boolean | HclValue[] | { [key: string]: HclValue };
export interface HclBlock {
  type: string;
  labels: string[];
  body: HclBody;
}
export interface HclBody {
  attributes: Record<string, HclValue>;
  blocks: HclBlock[];
}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string; line: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line += 1;
      i += 1;
      continue;
    }
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i += 1;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`At ${line}: unterminated comment`);
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2;
      continue;
    }
    if (c === '"') {
      let text = '';
      i += 1;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\n') throw new Error(`At ${line}: unterminated string`);
        if (src[i] === '\\') {
          const e = src[i + 1];
          text += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
          i += 2;
        } else {
          text += src[i];
          i += 1;
        }
      }
      if (i >= src.length) throw new Error(`At ${line}: unterminated string`);
      i += 1;
      tokens.push({ kind: 'string', text, line });
      continue;
    }
    if ('{}[]=,:'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i += 1;
      continue;
    }
    const word = /^[A-Za-z_][\w.-]*/.exec(src.slice(i));
    if (word) {
      tokens.push({ kind: 'ident', text: word[0], line });
      i += word[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ kind: 'number', text: num[0], line });
      i += num[0].length;
      continue;
    }
    throw new Error(`At ${line}: illegal char ${JSON.stringify(c)}`);
  }
  return tokens;
}

class Parser {
  private pos = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const t = this.tokens[this.pos];
    if (!t) throw new Error('unexpected end of policy');
    this.pos += 1;
    return t;
  }
  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text || t.kind !== 'punct') throw new Error(`At ${t.line}: expected ${text}, got ${JSON.stringify(t.text)}`);
  }

  body(closing: boolean): HclBody {
    const body: HclBody = { attributes: {}, blocks: [] };
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (closing) throw new Error('unexpected end of policy: missing }');
        return body;
      }
      if (t.kind === 'punct' && t.text === '}') {
        if (!closing) throw new Error(`At ${t.line}: unexpected }`);
        this.pos += 1;
        return body;
      }
      if (t.kind === 'punct' && t.text === ',') {
        this.pos += 1;
        continue;
      }
      if (t.kind !== 'ident' && t.kind !== 'string') throw new Error(`At ${t.line}: unexpected ${JSON.stringify(t.text)}`);
      this.pos += 1;
      const after = this.peek();
      if (after?.kind === 'punct' && (after.text === '=' || after.text === ':')) {
        this.pos += 1;
        body.attributes[t.text] = this.value();
        continue;
      }
      const labels: string[] = [];
      while (this.peek()?.kind === 'string' || this.peek()?.kind === 'ident') labels.push(this.next().text);
      this.expect('{');
      body.blocks.push({ type: t.text, labels, body: this.body(true) });
    }
  }

  value(): HclValue {
    const t = this.next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'ident') {
      if (t.text === 'true') return true;
      if (t.text === 'false') return false;
      throw new Error(`At ${t.line}: unknown value ${t.text}`);
    }
    if (t.text === '[') {
      const list: HclValue[] = [];
      for (;;) {
        const p = this.peek();
        if (p?.kind === 'punct' && p.text === ']') {
          this.pos += 1;
          return list;
        }
        if (p?.kind === 'punct' && p.text === ',') {
          this.pos += 1;
          continue;
        }
        list.push(this.value());
      }
    }
    if (t.text === '{') {
      const obj: Record<string, HclValue> = {};
      const inner = this.body(true);
      Object.assign(obj, inner.attributes);
      for (const b of inner.blocks) obj[b.type] = blockToValue(b);
      return obj;
    }
    throw new Error(`At ${t.line}: unexpected ${JSON.stringify(t.text)}`);
  }
}

function blockToValue(b: HclBlock): HclValue {
  const obj: Record<string, HclValue> = { ...b.body.attributes };
  for (const inner of b.body.blocks) obj[inner.type] = blockToValue(inner);
  return obj;
}

export function parseHcl(src: string): HclBody {
  return new Parser(tokenize(src)).body(false);
}
