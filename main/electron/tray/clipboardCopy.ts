// Copy a credential and take it back: cleared after the preference's delay, but only if the
// clipboard still holds it (the user may have copied something else since).
import type { Clock, TimerHandle } from '../../core/base/clock.ts';
import type { ClipboardPort } from '../ports.ts';

export class ClipboardCopier {
  #pending: { text: string; timer: TimerHandle } | undefined;
  readonly #clipboard: ClipboardPort;
  readonly #clock: Clock;

  constructor(clipboard: ClipboardPort, clock: Clock) {
    this.#clipboard = clipboard;
    this.#clock = clock;
  }

  async copy(text: string, clearAfterSeconds: number): Promise<void> {
    this.#cancel();
    await this.#clipboard.writeText(text);
    const timer = this.#clock.setTimer(() => void this.clearIfUnchanged(), clearAfterSeconds * 1000);
    this.#pending = { text, timer };
  }

  /** Clears what we copied if it is still there (also on quit). */
  async clearIfUnchanged(): Promise<void> {
    const pending = this.#pending;
    this.#cancel();
    if (pending && (await this.#clipboard.readText()) === pending.text) this.#clipboard.clear();
  }

  #cancel(): void {
    if (this.#pending) this.#clock.clearTimer(this.#pending.timer);
    this.#pending = undefined;
  }
}
