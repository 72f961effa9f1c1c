// The session manager's one timer: armed to the earliest deadline across all sessions, re-armed
// only when that deadline moves. Long delays are clamped; the early wake-up finds nothing due
// and re-arms.
import { MAX_TIMER_DELAY_MS, type Clock, type TimerHandle } from '../base/clock.ts';
import type { Disposable } from '../base/events.ts';

export class DeadlineTimer implements Disposable {
  readonly #clock: Clock;
  readonly #onFire: () => void;
  #timer: TimerHandle | undefined;
  #at: number | undefined;

  constructor(clock: Clock, onFire: () => void) {
    this.#clock = clock;
    this.#onFire = onFire;
  }

  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Arms for `at` (epoch ms), or disarms when there is no deadline. */
  arm(at: number | undefined): void {
    if (at === this.#at && this.#timer !== undefined) return;
    this.dispose();
    if (at === undefined) return;
    const delay = Math.min(Math.max(0, at - this.#clock.now()), MAX_TIMER_DELAY_MS);
    this.#at = at;
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#at = undefined;
      this.#onFire();
    }, delay);
  }

  dispose(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#at = undefined;
  }
}
