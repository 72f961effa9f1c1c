// One gate for all of a process's requests to Vault, so a rate limit is met by slowing down, not by
// a retry storm. A 429 with Retry-After closes the gate for that long: requests not yet sent wait
// too, instead of each finding the quota exhausted. It also halves how many requests may be in
// flight (once per 429 wave, not once per 429 in it), and successes raise it again by one per round of successes,
// so when the gate reopens the retries do not all land at once. Without a 429 there is no limit.
export interface RateGateOptions {
  sleep: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface GateTicket {
  readonly epoch: number;
}

/** Above this the limit is lifted altogether (back to no limit). */
const UNLIMITED_FROM = 256;

export class RateGate {
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  #notBefore = 0;
  #limit = Number.POSITIVE_INFINITY;
  #inFlight = 0;
  #epoch = 0;
  #successes = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(options: RateGateOptions) {
    this.#sleep = options.sleep;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Requests in flight allowed now (Infinity until a 429). */
  get limit(): number {
    return this.#limit;
  }

  /** Waits for the gate to open and a slot, then takes the slot. */
  async acquire(): Promise<GateTicket> {
    const wait = this.#notBefore - this.#now();
    // Spread over a tenth of the wait (at most 250 ms), so waiters do not reopen in one instant.
    if (wait > 0) await this.#sleep(wait + Math.round(this.#random() * Math.min(250, wait / 10)));
    while (this.#inFlight >= this.#limit) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#inFlight++;
    return { epoch: this.#epoch };
  }

  /** Gives the slot back; `throttledForMs` when Vault answered 429 (its Retry-After, or a backoff). */
  release(ticket: GateTicket, throttledForMs?: number): void {
    this.#inFlight--;
    if (throttledForMs !== undefined) {
      this.#notBefore = Math.max(this.#notBefore, this.#now() + throttledForMs);
      if (ticket.epoch === this.#epoch) {
        this.#limit = Math.max(1, Math.floor((this.#inFlight + 1) / 2));
        this.#successes = 0;
        this.#epoch++;
      }
    } else if (Number.isFinite(this.#limit) && ++this.#successes >= this.#limit) {
      // One more per `limit` successes (about one per round trip), as TCP's congestion avoidance does.
      this.#successes = 0;
      this.#limit = this.#limit + 1 >= UNLIMITED_FROM ? Number.POSITIVE_INFINITY : this.#limit + 1;
    }
    // Waiters check the limit again when they run; those that still cannot go wait again.
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
