// One timer to the next due job: lease and token expiry fire on their own, even when nobody asks.
export class Scheduler {
  private readonly jobs = new Map<string, { at: number; run: () => void }>();
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(now: () => number) {
    this.now = now;
  }

  schedule(key: string, at: number, run: () => void): void {
    if (this.stopped) return;
    this.jobs.set(key, { at, run });
    if (at < this.armedFor) this.arm();
  }

  cancel(key: string): void {
    this.jobs.delete(key);
  }

  stop(): void {
    this.stopped = true;
    this.jobs.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    let next = Number.POSITIVE_INFINITY;
    for (const job of this.jobs.values()) next = Math.min(next, job.at);
    if (next === Number.POSITIVE_INFINITY) return;
    // setTimeout overflows past ~24.8 days; re-arm from there.
    const delay = Math.min(Math.max(0, next - this.now()), 2 ** 31 - 1);
    this.armedFor = next;
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref?.();
  }

  private fire(): void {
    const now = this.now();
    for (const [key, job] of [...this.jobs]) {
      if (job.at > now) continue;
      this.jobs.delete(key);
      try {
        job.run();
      } catch {
        // Jobs handle their own failures; one bad job must not stop the others.
      }
    }
    this.arm();
  }
}
