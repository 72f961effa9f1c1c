// A tiny typed emitter in the VS Code style: an Event<T> is a function that subscribes a
// listener and returns a Disposable. The emitter stays private to its owner; only `.event`
// is exposed. (Small enough to live here; it can move to main/core/lifecycle.ts when others need it.)

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Holds disposables and disposes them all at once; idempotent. */
export class DisposableStore implements Disposable {
  #items = new Set<Disposable>();
  #disposed = false;

  add<D extends Disposable>(item: D): D {
    if (this.#disposed) item.dispose();
    else this.#items.add(item);
    return item;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const item of this.#items) item.dispose();
    this.#items.clear();
  }
}

export type ListenerErrorHandler = (error: unknown) => void;

// A listener that throws must not break the code that fired the event (often the revoke path).
const reportListenerError: ListenerErrorHandler = (error) => console.error('keyfob: event listener failed:', error);

export class Emitter<T> implements Disposable {
  #listeners = new Set<(value: T) => void>();
  #disposed = false;
  readonly #onError: ListenerErrorHandler;

  constructor(onListenerError: ListenerErrorHandler = reportListenerError) {
    this.#onError = onListenerError;
  }

  readonly event: Event<T> = (listener) => {
    if (this.#disposed) return toDisposable(() => {});
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry = (value: T) => listener(value);
    this.#listeners.add(entry);
    return toDisposable(() => this.#listeners.delete(entry));
  };

  fire(value: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  dispose(): void {
    this.#disposed = true;
    this.#listeners.clear();
  }
}
