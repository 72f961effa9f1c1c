// Debian's Chromium over plain CDP (a WebSocket), without Playwright. Playwright's pages stay
// `visible` whatever is done to them (minimised window, another tab in front), so a measurement
// of the hidden window needs a page Playwright does not manage; here minimising its window or
// bringing another tab to the front does make `document.visibilityState` 'hidden'.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export interface CdpPage {
  /** Sends a CDP command to the page's session. */
  send<T = Record<string, unknown>>(method: string, params?: object): Promise<T>;
  /** Sends a CDP command to the browser. */
  browser<T = Record<string, unknown>>(method: string, params?: object): Promise<T>;
  evaluate<T>(expression: string): Promise<T>;
  readonly targetId: string;
  close(): Promise<void>;
}

export async function openCdpPage(executable: string, url: string): Promise<CdpPage> {
  const profile = mkdtempSync(join(tmpdir(), 'keyfob-cdp-'));
  const chrome: ChildProcess = spawn(
    executable,
    ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let log = '';
    chrome.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      const found = /DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(log);
      if (found) resolve(found[1]!);
    });
    chrome.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${log.slice(-500)}`)));
  });
  const ws = new WebSocket(endpoint);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : waiting.get(message.id);
    if (!waiter) return;
    waiting.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const call = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const { targetId } = await call<{ targetId: string }>('Target.createTarget', { url });
  const { sessionId } = await call<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
  return {
    targetId,
    send: (method, params) => call(method, params, sessionId),
    browser: (method, params) => call(method, params),
    evaluate: async <T>(expression: string) =>
      (await call<{ result: { value: T } }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId)).result.value,
    async close() {
      ws.close();
      const exited = new Promise((resolve) => chrome.once('exit', resolve));
      chrome.kill();
      await exited;
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
