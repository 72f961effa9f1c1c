// Response wrapping (vault-api.md §7): a single-use token that holds one wire-format response.
import { VaultError } from './backend.ts';
import { newAccessor, newServiceToken } from './ids.ts';
import type { Scheduler } from './scheduler.ts';

export const INVALID_WRAPPING_TOKEN = 'wrapping token is not valid or does not exist';

interface Wrapped {
  token: string;
  accessor: string;
  ttl: number;
  creationMs: number;
  creationPath: string;
  wrappedAccessor: string | undefined;
  /** The response exactly as it would have gone on the wire. */
  body: string;
}

export class WrappingStore {
  private readonly wrapped = new Map<string, Wrapped>();
  private readonly now: () => number;
  private readonly scheduler: Scheduler;

  constructor(now: () => number, scheduler: Scheduler) {
    this.now = now;
    this.scheduler = scheduler;
  }

  /** Stores a response; returns the `wrap_info` for the envelope. */
  wrap(body: string, ttl: number, creationPath: string, wrappedAccessor?: string): Record<string, unknown> {
    const entry: Wrapped = { token: newServiceToken(), accessor: newAccessor(), ttl, creationMs: this.now(), creationPath, wrappedAccessor, body };
    this.wrapped.set(entry.token, entry);
    this.scheduler.schedule(`wrap:${entry.token}`, entry.creationMs + ttl * 1000, () => this.wrapped.delete(entry.token));
    const info: Record<string, unknown> = {
      token: entry.token,
      accessor: entry.accessor,
      ttl,
      creation_time: new Date(entry.creationMs).toISOString(),
      creation_path: creationPath,
    };
    if (wrappedAccessor) info.wrapped_accessor = wrappedAccessor;
    return info;
  }

  isWrappingToken(token: string | undefined): boolean {
    return token !== undefined && this.live(token) !== undefined;
  }

  private live(token: string): Wrapped | undefined {
    const entry = this.wrapped.get(token);
    if (!entry || entry.creationMs + entry.ttl * 1000 <= this.now()) return undefined;
    return entry;
  }

  lookup(token: string): Record<string, unknown> {
    const entry = this.live(token);
    if (!entry) throw new VaultError(400, INVALID_WRAPPING_TOKEN);
    return { creation_path: entry.creationPath, creation_time: new Date(entry.creationMs).toISOString(), creation_ttl: entry.ttl };
  }

  /** Single use: the token is gone after this, whatever happens next. */
  unwrap(token: string): string {
    const entry = this.live(token);
    this.wrapped.delete(token);
    this.scheduler.cancel(`wrap:${token}`);
    if (!entry) throw new VaultError(400, INVALID_WRAPPING_TOKEN);
    return entry.body;
  }
}
