// keyfob scan's detection, in process: gitleaks-format rules (extend, allowlists, entropy,
// secretGroup, RE2 flags), keyed fingerprints of Keyfob's own credentials, diff parsing, masking.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../main/core/leak/index.ts';
import { builtInRules, detect, loadRuleFile, maskKnown, parseAddedLines, ScanConfigError, type CredentialLookup } from '../../main/core/scan/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'keyfob-scan-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rulesFile = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const chunk = (text: string, path = 'app.env') => ({ path, startLine: 1, text });

describe('built-in rules', () => {
  it('find what Keyfob hands out and its neighbours, masked', () => {
    const text = [
      'VAULT_TOKEN=hvs.CAESIJ3k2lskdjf93kdlsKDJF93kdlsQ',
      'AWS_ACCESS_KEY_ID=ASIAQ4EXAMPLE7ZX2K3M',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY',
      'url: postgresql://bob:Zk3v9QpL2mX7wR4t@db:5432/orders',
      '-----BEGIN RSA PRIVATE KEY-----',
      'MIIEowIBAAKCAQEA7bq3yQ8Gdg2nSxY0LqZ4D0mTqJ3z6yR0V8vWm3xFQ5y8jXkZ',
      '-----END RSA PRIVATE KEY-----',
    ].join('\n');
    const findings = detect([chunk(text)], builtInRules(), undefined);
    expect(findings.map((f) => [f.line, f.ruleId])).toEqual([
      [1, 'vault-service-token'],
      [2, 'aws-access-key-id'],
      [3, 'aws-secret-access-key'],
      [4, 'postgres-uri-password'],
      [5, 'private-key'],
    ]);
    const printed = JSON.stringify(findings);
    for (const secret of ['CAESIJ3k2lskdjf93kdlsKDJF93kdlsQ', 'Q4EXAMPLE7ZX2K3M', 'wJalrXUtnFEMI/K7MDENG', 'Zk3v9QpL2mX7wR4t', 'MIIEowIBAAKCAQEA'])
      expect(printed).not.toContain(secret);
  });

  it('leave ordinary code alone, and honour gitleaks:allow on the line', () => {
    const code = 'const url = `postgresql://${user}@${host}/db`;\nexport const version = "1.2.3";\nPGPASSWORD=$(vault read -field=password x)\n';
    expect(detect([chunk(code, 'src/app.ts')], builtInRules(), undefined)).toEqual([]);
    expect(detect([chunk('hvs.CAESIJ3k2lskdjf93kdlsKDJF93kdlsQ # gitleaks:allow')], builtInRules(), undefined)).toEqual([]);
  });
});

describe('gitleaks configuration', () => {
  it("without [extend] useDefault, only the file's own rules run; (?i) and secretGroup are honoured", async () => {
    const rules = await loadRuleFile(
      rulesFile(
        'own.toml',
        `
[[rules]]
id = "team-key"
regex = '''(?i)team_key\\s*=\\s*"([a-z0-9]{16})"'''
secretGroup = 1
`,
      ),
    );
    const findings = detect([chunk('TEAM_KEY = "abcd1234efgh5678"\nAKIAQ4EXAMPLE7ZX2K3M')], rules, undefined);
    expect(findings.map((f) => f.ruleId)).toEqual(['team-key']);
    expect(findings[0]!.match).toBe('TEAM_KEY = "abcd****[16 chars]"');
  });

  it('extends a base file, disables a rule, and applies AND allowlists, stopwords and entropy', async () => {
    rulesFile(
      'base.toml',
      `
[[rules]]
id = "token-a"
regex = '''tok_([A-Za-z0-9]{12})'''
entropy = 3.0
[[rules]]
id = "token-b"
regex = '''tkb_([A-Za-z0-9]{12})'''
`,
    );
    const rules = await loadRuleFile(
      rulesFile(
        'child.toml',
        `
[extend]
path = "base.toml"
disabledRules = ["token-b"]
[[allowlists]]
condition = "AND"
paths = ['''^tests/''']
regexTarget = "line"
regexes = ['''EXAMPLE''']
[allowlist]
stopwords = ["dummy"]
`,
      ),
    );
    expect(rules.rules.map((r) => r.id)).toEqual(['token-a']);
    const text = 'a tok_Xy7Qp2Lm9Kz4\nb tok_aaaaaaaaaaaa\nc tok_dummyQp2Lm9K\nd tkb_Xy7Qp2Lm9Kz4';
    expect(detect([chunk(text, 'src/x')], rules, undefined).map((f) => f.line)).toEqual([1]); // low entropy, stopword, disabled
    expect(detect([chunk('tok_Xy7Qp2Lm9Kz4 EXAMPLE', 'tests/x')], rules, undefined)).toEqual([]);
    expect(detect([chunk('tok_Xy7Qp2Lm9Kz4', 'tests/x')], rules, undefined)).toHaveLength(1); // AND: the path alone is not enough
  });

  it('fails with one clear message on bad TOML or a regex JavaScript cannot run', async () => {
    await expect(loadRuleFile(rulesFile('bad.toml', '[[rules]\nid = 1'))).rejects.toThrow(ScanConfigError);
    await expect(loadRuleFile(rulesFile('badre.toml', "[[rules]]\nid = \"x\"\nregex = '''(unclosed'''"))).rejects.toThrow(
      /rule x: the regex is not one Keyfob can run/,
    );
  });
});

describe("Keyfob's own credentials", () => {
  const key = Buffer.alloc(32, 7);
  const password = 'A1a-Qw3rTy7uI9oP2aS4';
  const index = new Map([[fingerprint(key, password), { sessionId: 'k7m2qx', targetId: 'orders-ro', state: 'live' as const }]]);
  const lookup: CredentialLookup = (candidate) => index.get(fingerprint(key, candidate));

  it('are found wherever they sit (env line, URI, quotes, end of sentence), named by session, never printed', () => {
    const text = `PGPASSWORD=${password}\nurl=postgresql://v-oidc:${password}@127.0.0.1/orders\npassword: "${password}"\nit was ${password}.`;
    const findings = detect([chunk(text)], builtInRules(), lookup);
    expect(findings.map((f) => [f.line, f.ruleId])).toEqual([
      [1, 'keyfob-live-credential'],
      [2, 'keyfob-live-credential'],
      [3, 'keyfob-live-credential'],
      [4, 'keyfob-live-credential'],
    ]);
    expect(findings[0]!.description).toBe('live Keyfob credential of session k7m2qx (orders-ro)');
    expect(JSON.stringify(findings)).not.toContain(password);
  });

  it('are replaced by their session in a leak note, the rest of the note kept', () => {
    const note = `pasted PGPASSWORD=${password} in #general, and again: ${password}. Rotated hunter2-but-not-ours`;
    const { text, masked } = maskKnown(note, lookup);
    expect(text).toBe(
      'pasted PGPASSWORD=[Keyfob credential of session k7m2qx] in #general, and again: [Keyfob credential of session k7m2qx]. Rotated hunter2-but-not-ours',
    );
    expect(masked.map((k) => k.sessionId)).toEqual(['k7m2qx', 'k7m2qx']);
    expect(maskKnown('nothing secret here', lookup)).toEqual({ text: 'nothing secret here', masked: [] });
  });

  it("are not found under another install's key", () => {
    const other = Buffer.alloc(32, 9);
    expect(detect([chunk(`PGPASSWORD=${password}`)], { source: 'none', rules: [], allowlists: [] }, (c) => index.get(fingerprint(other, c)))).toEqual([]);
  });
});

describe('staged diff', () => {
  it('yields only added lines, with their line numbers in the new file', () => {
    const diff = [
      'diff --git a/db.env b/db.env',
      'index 1111111..2222222 100644',
      '--- a/db.env',
      '+++ b/db.env',
      '@@ -2,0 +3,2 @@ HOST=x',
      '+USER=a',
      '+PASS=b',
      '@@ -9 +11 @@',
      '-OLD=1',
      '+NEW=2',
      'diff --git a/new.txt b/new.txt',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/new.txt',
      '@@ -0,0 +1 @@',
      '+hello',
    ].join('\n');
    expect(parseAddedLines(diff)).toEqual([
      { path: 'db.env', startLine: 3, text: 'USER=a\nPASS=b' },
      { path: 'db.env', startLine: 11, text: 'NEW=2' },
      { path: 'new.txt', startLine: 1, text: 'hello' },
    ]);
  });
});
