// Quitting revokes what this app owns, then exits. Electron does not await async handlers, so the
// first before-quit (or will-quit, or a shutdown) is prevented, the revocation runs against a
// deadline, and app.exit() ends the process without firing quit events again. Every later
// attempt while that runs is prevented and joins the same run: it never starts twice.
import type { Clock } from '../../core/base/clock.ts';
import type { PreventableEvent, TrayApp } from '../ports.ts';

export const DEFAULT_QUIT_DEADLINE_MS = 5000;

export interface QuitDeps {
  app: Pick<TrayApp, 'exit'>;
  clock: Clock;
  deadlineMs: number;
  /** Revokes this app's sessions; given the time left so the engine can stop waiting itself. */
  revokeOwned(deadlineMs: number): Promise<unknown>;
  /** Last steps that must not block the exit (clear the clipboard, dispose the engine). */
  cleanup(): Promise<unknown>;
}

export class QuitSequence {
  #running: Promise<void> | undefined;
  readonly #deps: QuitDeps;

  constructor(deps: QuitDeps) {
    this.#deps = deps;
  }

  get started(): boolean {
    return this.#running !== undefined;
  }

  /** The listener for before-quit and will-quit: always prevent, run once. */
  readonly onQuitEvent = (event: PreventableEvent): void => {
    event.preventDefault();
    void this.run();
  };

  run(): Promise<void> {
    this.#running ??= this.#sequence();
    return this.#running;
  }

  async #sequence(): Promise<void> {
    const { clock, deadlineMs } = this.#deps;
    const started = clock.now();
    try {
      await withDeadline(this.#deps.revokeOwned(deadlineMs), deadlineMs, clock);
      await withDeadline(this.#deps.cleanup(), Math.max(0, deadlineMs - (clock.now() - started)), clock);
    } finally {
      this.#deps.app.exit(0);
    }
  }
}

/** Resolves when `work` settles or the deadline passes, whichever is first; never rejects. */
export function withDeadline(work: Promise<unknown>, ms: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimer(resolve, ms);
    const done = () => {
      clock.clearTimer(timer);
      resolve();
    };
    work.then(done, done);
  });
}
