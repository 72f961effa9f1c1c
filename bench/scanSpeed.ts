// Benchmark (d), also `node bench/scanSpeed.ts [--mb N] [--files N]` alone: keyfob scan's speed
// on a large staged diff, in MB/s of added text: git's diff and its parsing, the gitleaks-format
// rules alone, and with Keyfob's fingerprint lookup (1,000 issued credentials on record). In
// process; figures only.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SecretStore } from '../main/core/keychain/index.ts';
import { appendLedger, FINGERPRINT_KEY_ACCOUNT, fingerprintRecord } from '../main/core/leak/index.ts';
import { builtInRules, detect, knownCredentials, stagedChunks } from '../main/core/scan/index.ts';

export interface ScanSpeedResult {
  bytes: number;
  files: number;
  hunks: number;
  diffMs: number;
  rulesMs: number;
  bothMs: number;
  ruleFindings: number;
  findings: number;
}

// Code-like lines: identifiers, strings, numbers, URLs, base64 blobs; one secret per ~2,000 lines.
function line(i: number): string {
  const id = randomBytes(6).toString('hex');
  switch (i % 7) {
    case 0:
      return `export function handle_${id}(request: Request, context: Context): Promise<Response> {`;
    case 1:
      return `  const url = new URL(\`https://api.example.com/v2/orders/\${orderId}/items?limit=\${limit}\`);`;
    case 2:
      return `  logger.info("processing order", { orderId, customerId: "${id}", attempt: retries + 1 });`;
    case 3:
      return `  const blob = "${randomBytes(24).toString('base64')}"; // fixture ${i}`;
    case 4:
      return i % 2000 === 4
        ? `  PGPASSWORD=A1a-${randomBytes(12).toString('base64url').slice(0, 16)}`
        : `  return await repository.findMany({ where: { status: "open", region: "${id}" } });`;
    case 5:
      return `  if (response.status >= 500 && retries < MAX_RETRIES) continue; // ${id}`;
    default:
      return '}';
  }
}

export async function benchScanSpeed(options: { mb: number; files: number }): Promise<ScanSpeedResult> {
  const targetBytes = options.mb * 1024 * 1024;
  const fileCount = options.files;
  const repo = mkdtempSync(join(tmpdir(), 'keyfob-bench-scan-'));
  try {
    return await measure(repo, targetBytes, fileCount);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

async function measure(repo: string, targetBytes: number, fileCount: number): Promise<ScanSpeedResult> {
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe', maxBuffer: 1 << 30 });
  git('init', '-q');
  const perFile = Math.ceil(targetBytes / fileCount);
  let n = 0;
  for (let f = 0; f < fileCount; f++) {
    const lines: string[] = [];
    let size = 0;
    while (size < perFile) {
      const l = line(n++);
      lines.push(l);
      size += l.length + 1;
    }
    writeFileSync(join(repo, `src_${f}.ts`), `${lines.join('\n')}\n`);
  }
  git('add', '-A');

  // The real lookup over a ledger of 1,000 issued database passwords and AWS key sets.
  const key = randomBytes(32);
  const stateDir = join(repo, '.keyfob-state');
  execFileSync('mkdir', ['-p', stateDir]);
  for (let i = 0; i < 1000; i++) {
    const values =
      i % 2
        ? [`A1a-${randomBytes(12).toString('base64url').slice(0, 16)}`]
        : [`ASIA${randomBytes(8).toString('hex').toUpperCase()}`, randomBytes(30).toString('base64'), randomBytes(300).toString('base64')];
    await appendLedger(
      stateDir,
      { sessionId: 'k7m2qx', targetId: 'orders-ro', kind: 'database', issuedAt: 0, expiresAt: 1, fingerprints: values.map((v) => fingerprintRecord(key, v)) },
      0,
    );
  }
  const store: SecretStore = {
    kind: 'os-keychain',
    reason: undefined,
    get: async (k) => (k === FINGERPRINT_KEY_ACCOUNT ? key.toString('base64') : null),
    set: async () => {},
    delete: async () => false,
  };
  const known = await knownCredentials({ store, stateDir, journalEntries: async () => [], now: Date.now() });
  if (!('lookup' in known)) throw new Error('no lookup');
  const lookup = known.lookup;

  let t = performance.now();
  const chunks = await stagedChunks(repo);
  const diffMs = performance.now() - t;
  const bytes = chunks.reduce((s, c) => s + Buffer.byteLength(c.text), 0);
  const rules = builtInRules();
  t = performance.now();
  const byRules = detect(chunks, rules, undefined);
  const rulesMs = performance.now() - t;
  t = performance.now();
  const both = detect(chunks, rules, lookup);
  const bothMs = performance.now() - t;
  return { bytes, files: fileCount, hunks: chunks.length, diffMs, rulesMs, bothMs, ruleFindings: byRules.length, findings: both.length };
}

/** The figures as lines (npm run bench prints them as its section d). */
export function describeScanSpeed(r: ScanSpeedResult): string[] {
  const mbs = (ms: number) => (r.bytes / 1024 / 1024 / (ms / 1000)).toFixed(1);
  return [
    `staged diff: ${(r.bytes / 1024 / 1024).toFixed(1)} MB of added lines in ${r.files} files (${r.hunks} hunks)`,
    `  git diff --cached + parse   ${r.diffMs.toFixed(0).padStart(6)} ms  ${mbs(r.diffMs)} MB/s`,
    `  rules only                  ${r.rulesMs.toFixed(0).padStart(6)} ms  ${mbs(r.rulesMs)} MB/s  (${r.ruleFindings} findings)`,
    `  rules + fingerprints        ${r.bothMs.toFixed(0).padStart(6)} ms  ${mbs(r.bothMs)} MB/s  (${r.findings} findings)`,
    `  end to end (diff + both)    ${(r.diffMs + r.bothMs).toFixed(0).padStart(6)} ms  ${mbs(r.diffMs + r.bothMs)} MB/s`,
    `  ratio fingerprints+rules / rules only: ${(r.bothMs / r.rulesMs).toFixed(2)}x`,
  ];
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '16' }, files: { type: 'string', default: '200' } }, strict: true });
  const result = await benchScanSpeed({ mb: Number(values.mb), files: Number(values.files) });
  for (const line of describeScanSpeed(result)) process.stdout.write(`${line}\n`);
}
