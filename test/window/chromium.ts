// Debian's Chromium for the window's browser tests: where it is, whether the suite may skip it
// (never in CI), how Playwright starts it on this closed network, and axe-core's source to inject.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';

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
export const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
