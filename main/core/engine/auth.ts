// The Vault sign-in as state with events, for a process that may live for days. The token is
// read from the keychain at start, replaced by a login, renewed by the TokenKeeper, dropped at
// expiry or logout, and re-read when another keyfob process signs in or out: every such
// process touches a marker file in the state dir (no secret in it), and every engine watches it.
import { watch, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorView } from '../../../common/errors.ts';
import type { SignInView } from '../../../common/views.ts';
import type { Clock, TimerHandle } from '../base/clock.ts';
import { Emitter, toDisposable, type Disposable, type Event } from '../base/events.ts';
import { errorMessage, KeyfobError } from '../base/keyfobError.ts';
import { forgetVaultToken, loadVaultToken, type SecretStore, type StoredVaultToken } from '../keychain/index.ts';
import type { VaultClient } from '../vault/index.ts';
import { TokenKeeper, type SignInEnding } from './tokenKeeper.ts';
import { toSignInView } from './views.ts';

export const SIGN_IN_MARKER = 'sign-in.json';

export type SignOutReason = 'logout' | 'expired' | 'elsewhere';
/** onWillSignInExpire's payload: the sign-in, and why renewing cannot keep it (for the face's wording). */
export type SignInExpiring = SignInView & { why?: SignInEnding['why']; error?: string };

export interface AuthServiceOptions {
  store: SecretStore;
  vault: Pick<VaultClient, 'setToken' | 'renewSelf'>;
  vaultAddress: string;
  stateDir: string;
  clock: Clock;
  renewBeforeSeconds: number;
  /**
   * Signs in again without the person (the IdP refresh token), adopting the result through
   * signedIn(); false when there is nothing to sign in with. Asked when a use finds no sign-in.
   */
  signInQuietly?: () => Promise<boolean>;
}

export class AuthService implements Disposable {
  readonly #o: AuthServiceOptions;
  #token: StoredVaultToken | null = null;
  #keeper: TokenKeeper | undefined;
  #expiryTimer: TimerHandle | undefined;
  #watcher: Disposable | undefined;
  #reloading: Promise<void> | undefined;
  #signingInQuietly: Promise<boolean> | undefined;
  #disposed = false;

  readonly #onDidSignIn = new Emitter<SignInView>();
  readonly #onDidSignOut = new Emitter<{ reason: SignOutReason }>();
  readonly #onWillSignInExpire = new Emitter<SignInExpiring>();
  readonly #onDidRenewSignIn = new Emitter<SignInView>();
  readonly #onDidReportProblem = new Emitter<ErrorView>();
  readonly onDidSignIn: Event<SignInView> = this.#onDidSignIn.event;
  readonly onDidSignOut: Event<{ reason: SignOutReason }> = this.#onDidSignOut.event;
  readonly onWillSignInExpire: Event<SignInExpiring> = this.#onWillSignInExpire.event;
  readonly onDidRenewSignIn: Event<SignInView> = this.#onDidRenewSignIn.event;
  readonly onDidReportProblem: Event<ErrorView> = this.#onDidReportProblem.event;

  constructor(options: AuthServiceOptions) {
    this.#o = options;
  }

  /** The stored sign-in, or null (signed out, or expired). */
  get token(): StoredVaultToken | null {
    return this.#token;
  }

  view(): SignInView {
    return toSignInView(this.#token);
  }

  /** Reads the keychain (at start; again whenever another process says it changed the sign-in). */
  async load(): Promise<void> {
    this.#adopt(await this.#stored(), 'quiet');
  }

  /** Starts noticing sign-ins and logouts by other keyfob processes. */
  watch(): void {
    if (this.#watcher || this.#disposed) return;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const watcher = watch(this.#o.stateDir, { persistent: false }, (_event, file) => {
      if (file !== null && file !== SIGN_IN_MARKER) return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => void this.reload(), 30);
    });
    watcher.on('error', () => {});
    this.#watcher = toDisposable(() => {
      if (pending) clearTimeout(pending);
      watcher.close();
    });
  }

  /** Re-reads the keychain and fires what changed; for the marker watch (and tests). */
  reload(): Promise<void> {
    this.#reloading ??= this.#stored()
      .then((token) => this.#adopt(token, 'elsewhere'))
      .catch((error: unknown) =>
        this.#onDidReportProblem.fire({ code: 'keychain-unavailable', message: `Could not read the keychain: ${errorMessage(error)}` }),
      )
      .finally(() => (this.#reloading = undefined));
    return this.#reloading;
  }

  /** A login in this process stored `token`: adopt it and tell everyone, here and elsewhere. */
  signedIn(token: StoredVaultToken): SignInView {
    this.#adopt(token, 'here');
    this.#touchMarker(true);
    return this.view();
  }

  /** This process signed out: forget the token (keychain included) and tell everyone. */
  async signOut(): Promise<void> {
    await forgetVaultToken(this.#o.store, this.#o.vaultAddress);
    this.#touchMarker(false);
    this.#drop('logout');
  }

  /** The sign-in, renewed first if it is inside its renewal window; `not-signed-in` without one. */
  async require(): Promise<StoredVaultToken> {
    if (this.#token && this.#expired(this.#token)) this.#drop('expired');
    // One quiet sign-in at a time: uses that find no sign-in together share it.
    if (!this.#token && this.#o.signInQuietly) {
      this.#signingInQuietly ??= this.#o.signInQuietly().finally(() => (this.#signingInQuietly = undefined));
      await this.#signingInQuietly;
    }
    if (!this.#token || !this.#keeper) throw new KeyfobError('not-signed-in', 'you are not signed in to Vault (or your sign-in expired); run keyfob login');
    await this.#keeper.renewIfDue();
    if (!this.#token) throw new KeyfobError('not-signed-in', 'you are not signed in to Vault (or your sign-in expired); run keyfob login');
    return this.#token;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#watcher?.dispose();
    this.#stopTimers();
    for (const e of [this.#onDidSignIn, this.#onDidSignOut, this.#onWillSignInExpire, this.#onDidRenewSignIn, this.#onDidReportProblem]) e.dispose();
  }

  async #stored(): Promise<StoredVaultToken | null> {
    const token = await loadVaultToken(this.#o.store, this.#o.vaultAddress);
    return token && !this.#expired(token) ? token : null;
  }

  #expired(token: StoredVaultToken): boolean {
    return token.expiresAt !== null && Date.parse(token.expiresAt) <= this.#o.clock.now();
  }

  /** Makes `next` the sign-in; `how` says who changed it, and so which events fire. */
  #adopt(next: StoredVaultToken | null, how: 'quiet' | 'here' | 'elsewhere'): void {
    if (this.#disposed) return;
    const before = this.#token;
    if (next === null) {
      if (before !== null) this.#drop(how === 'quiet' ? 'expired' : 'elsewhere');
      return;
    }
    const sameSignIn = before !== null && before.accessor === next.accessor && before.token === next.token;
    if (sameSignIn && before.expiresAt === next.expiresAt) return;
    this.#token = next;
    this.#o.vault.setToken(next.token);
    if (sameSignIn) {
      // Renewed by another process: adopt the new expiry without a second keeper fighting over it.
      this.#keeper = this.#newKeeper(next);
      this.#armTimers();
      this.#onDidRenewSignIn.fire(this.view());
      return;
    }
    this.#keeper?.stop();
    this.#keeper = this.#newKeeper(next);
    this.#armTimers();
    if (how !== 'quiet') this.#onDidSignIn.fire(this.view());
  }

  #newKeeper(token: StoredVaultToken): TokenKeeper {
    this.#keeper?.stop();
    return new TokenKeeper(token, {
      vault: this.#o.vault,
      store: this.#o.store,
      vaultAddress: this.#o.vaultAddress,
      clock: this.#o.clock,
      renewBeforeSeconds: this.#o.renewBeforeSeconds,
      onRenewed: (renewed) => {
        if (this.#token?.token !== renewed.token) return;
        this.#token = renewed;
        this.#armExpiry();
        this.#touchMarker(true);
        this.#onDidRenewSignIn.fire(this.view());
      },
      onWillEnd: (ending) => {
        this.#onWillSignInExpire.fire({ ...this.view(), why: ending.why, ...(ending.error ? { error: ending.error } : {}) });
      },
    });
  }

  #drop(reason: SignOutReason): void {
    if (this.#token === null) return;
    this.#token = null;
    this.#o.vault.setToken(undefined);
    this.#stopTimers();
    this.#keeper = undefined;
    this.#onDidSignOut.fire({ reason });
  }

  #armTimers(): void {
    this.#keeper?.start();
    this.#armExpiry();
  }

  /** A sign-in that reaches its expiry unrenewed is over: say so when it happens, not at the next use. */
  #armExpiry(): void {
    if (this.#expiryTimer !== undefined) this.#o.clock.clearTimer(this.#expiryTimer);
    this.#expiryTimer = undefined;
    const expiresAt = this.#token?.expiresAt ? Date.parse(this.#token.expiresAt) : null;
    if (expiresAt === null) return;
    this.#expiryTimer = this.#o.clock.setTimer(
      () => {
        this.#expiryTimer = undefined;
        if (this.#token && this.#expired(this.#token)) this.#drop('expired');
        else this.#armExpiry();
      },
      Math.max(0, expiresAt - this.#o.clock.now()),
    );
  }

  #stopTimers(): void {
    this.#keeper?.stop();
    if (this.#expiryTimer !== undefined) this.#o.clock.clearTimer(this.#expiryTimer);
    this.#expiryTimer = undefined;
  }

  /** Tells other keyfob processes to re-read the keychain. Holds no secret: only that and when. */
  #touchMarker(signedIn: boolean): void {
    const path = join(this.#o.stateDir, SIGN_IN_MARKER);
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify({ signedIn, changedAt: new Date(this.#o.clock.now()).toISOString(), pid: process.pid })}\n`, { mode: 0o600 });
      renameSync(tmp, path);
    } catch (error) {
      this.#onDidReportProblem.fire({ code: 'state-dir-unsafe', message: `Could not tell other keyfob processes about the sign-in: ${errorMessage(error)}` });
    }
  }
}
