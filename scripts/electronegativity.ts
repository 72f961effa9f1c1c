// Runs @doyensec/electronegativity over the app's sources and prints its findings as JSON.
//   node scripts/electronegativity.ts [DIR...]      (default: main preload renderer)
// The folders are scanned together, as one app, so global checks (CSP) see the page and the main
// process at once. The tool exits 0 even with HIGH findings, so test/window/electronegativity
// gates on this output. It runs in its own process: its translation fetch can throw from a
// timer after the scan when there is no network, which would take a test worker down.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

type Finding = {
  id: string;
  severity: { name: string; value: number };
  confidence: { name: string };
  file: string;
  location?: { line?: number };
  manualReview: boolean;
  description?: string;
  visibility?: { inlineDisabled?: boolean };
};
type Run = (options: Record<string, unknown>) => Promise<{ issues: Finding[]; errors: unknown[] }>;

const require = createRequire(import.meta.url);
const loaded = require('@doyensec/electronegativity') as Run & { default?: Run };
const run: Run = loaded.default ?? loaded;
const inputs = process.argv.slice(2).length ? process.argv.slice(2) : ['main', 'preload', 'renderer'];

const scanDir = mkdtempSync(join(tmpdir(), 'keyfob-electronegativity-'));
try {
  for (const input of inputs) cpSync(input, join(scanDir, basename(input)), { recursive: true });
  const result = await run({
    input: scanDir,
    isRelative: true,
    electronVersionOverride: '45.5.0',
    // Needs the network (Electron's release list); the version is pinned in package.json anyway.
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  });
  const findings = result.issues.map((i) => ({
    id: i.id,
    severity: i.severity.name,
    severityValue: i.severity.value,
    confidence: i.confidence.name,
    file: i.file,
    line: i.location?.line ?? null,
    manualReview: i.manualReview,
    disabledInline: i.visibility?.inlineDisabled === true,
  }));
  process.stdout.write(`${JSON.stringify({ findings, errors: result.errors.length })}\n`);
  rmSync(scanDir, { recursive: true, force: true });
  process.exit(0);
} catch (error) {
  rmSync(scanDir, { recursive: true, force: true });
  console.error(`electronegativity failed: ${(error as Error).message}`);
  process.exit(1);
}
