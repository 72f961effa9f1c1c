// `npm test`: typecheck, lint, the formatting check, then the whole vitest suite. The suite runs inside a private
// D-Bus session with a throwaway, unlocked gnome-keyring so keychain tests meet a real
// Secret Service; where dbus-run-session or gnome-keyring are missing, those tests say so and skip.
// `npm test -- --no-checks <vitest args>` skips typecheck, lint and the formatting check.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMATTED } from './formatted.ts';
import { canHaveSecretService, rerunUnderDbus, startThrowawayKeyring } from './throwawayKeyring.ts';

const INNER = 'KEYFOB_TEST_INNER';
const args = process.argv.slice(2);
const run = (cmd: string, argv: string[]) => {
  const r = spawnSync(cmd, argv, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (process.env[INNER] !== '1') {
  if (!args.includes('--no-checks')) {
    run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
    run('npx', ['eslint', '.']);
    run('npx', ['prettier', '--check', '--log-level=warn', ...FORMATTED]);
  }
  const vitestArgs = args.filter((a) => a !== '--no-checks');
  if (canHaveSecretService()) process.exit(rerunUnderDbus(import.meta.filename, vitestArgs, INNER));
  process.env[INNER] = '1';
  run(process.execPath, [import.meta.filename, ...vitestArgs]);
} else {
  const keyring = startThrowawayKeyring();
  if (keyring) process.env.KEYFOB_TEST_SECRET_SERVICE = '1';
  const reportDir = mkdtempSync(join(tmpdir(), 'keyfob-vitest-'));
  const report = join(reportDir, 'report.json');
  const vitest = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args], { stdio: 'inherit' });
  keyring?.dispose();
  printTotals(report);
  rmSync(reportDir, { recursive: true, force: true });
  process.exit(vitest.status ?? 1);
}

/** One plain closing line that any CI can read: "tests: N passed, N failed, N skipped". */
function printTotals(report: string): void {
  try {
    const r = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  } catch {
    // vitest did not get far enough to write a report; its own output says why.
  }
}
