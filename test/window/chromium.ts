// Debian's Chromium for the window's browser tests: where it is, whether the suite may skip it
// (never in CI), how Playwright starts it on this closed network, and axe-core's source to inject.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** True when the browser tests can run; CI without Chromium is an error, not a skip. */
export function chromiumOrSkip(what: string): boolean {
  const have = existsSync(CHROMIUM);
  if (!have && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run) for the browser tests`);
  if (!have) console.warn(`${what} skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
  return have;
}

/** Headless, and without the background connections this machine's closed network refuses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** axe-core, evaluated through CDP (not a page <script>) so the page keeps its CSP. */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type AxeViolation = { id: string; impact: string; nodes: { target: string[] }[] };

/** axe's serious and critical violations on the page as it is now, each as "label: rule (impact) at selectors". */
export async function seriousAxeViolations(page: Page, label: string): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    async () =>
      (await (window as unknown as { axe: { run: (o: object) => Promise<{ violations: unknown[] }> } }).axe.run({ resultTypes: ['violations'] })).violations,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
