// Keeps the Vault sign-in alive: renews the token (renew-self) before it expires while Vault
// allows it, and says so (an event, once) before work breaks when it cannot: max TTL reached,
// not renewable, or the renewal failed.
import type { Clock, TimerHandle } from '../base/clock.ts';
import { errorMessage } from '../base/keyfobError.ts';
import { saveVaultToken, type SecretStore, type StoredVaultToken } from '../keychain/index.ts';
import { isCapped, type VaultClient } from '../vault/index.ts';

/** Why the sign-in will end although it is being kept alive. */
export interface SignInEnding {
  why: 'max-ttl' | 'not-renewable' | 'renew-failed';
  /** Epoch ms; null for a token without expiry. */
  expiresAt: number | null;
  /** For `renew-failed`: what went wrong (redacted by Vault errors already). */
  error?: string;
}

export interface TokenKeeperOptions {
  vault: Pick<VaultClient, 'renewSelf'>;
  store: SecretStore;
  vaultAddress: string;
  clock: Clock;
  /** Renew when this many seconds are left (config sessions.renewBefore). */
  renewBeforeSeconds: number;
  /** After every successful renewal, with the token as now stored. */
  onRenewed?: (token: StoredVaultToken) => void;
  /** Once per keeper: the sign-in will end and renewing cannot prevent it. */
  onWillEnd?: (ending: SignInEnding) => void;
}

export type RenewOutcome =
  | { status: 'renewed'; expiresAt: number }
  | { status: 'capped'; expiresAt: number }
  | { status: 'not-needed' }
  | { status: 'cannot-renew'; ending: SignInEnding };

export class TokenKeeper {
  readonly #o: TokenKeeperOptions;
  #token: StoredVaultToken;
  #timer: TimerHandle | undefined;
  #toldEnd = false;
  /** The TTL Vault granted at the last renewal in this process (seconds), once known. */
  #grantedTtlSeconds: number | undefined;
  /** One renewal at a time: a timer and a command asking together share it. */
  #renewing: Promise<RenewOutcome> | undefined;

  constructor(token: StoredVaultToken, options: TokenKeeperOptions) {
    this.#token = token;
    this.#o = options;
  }

  get token(): StoredVaultToken {
    return this.#token;
  }

  expiresAt(): number | null {
    return this.#token.expiresAt ? Date.parse(this.#token.expiresAt) : null;
  }

  /** Renews now if the token is inside its renewal window. */
  async renewIfDue(): Promise<RenewOutcome> {
    const expiresAt = this.expiresAt();
    if (expiresAt === null) return { status: 'not-needed' };
    const left = (expiresAt - this.#o.clock.now()) / 1000;
    if (left > this.#o.renewBeforeSeconds) return { status: 'not-needed' };
    return this.renew();
  }

  renew(): Promise<RenewOutcome> {
    this.#renewing ??= this.#renew().finally(() => (this.#renewing = undefined));
    return this.#renewing;
  }

  async #renew(): Promise<RenewOutcome> {
    if (!this.#token.renewable) return this.#cannot({ why: 'not-renewable', expiresAt: this.expiresAt() });
    const before = this.expiresAt();
    let auth;
    try {
      auth = await this.#o.vault.renewSelf();
    } catch (error) {
      return this.#cannot({ why: 'renew-failed', expiresAt: this.expiresAt(), error: errorMessage(error) });
    }
    const expiresAt = this.#o.clock.now() + auth.leaseDuration * 1000;
    this.#grantedTtlSeconds = auth.leaseDuration;
    this.#token = { ...this.#token, expiresAt: new Date(expiresAt).toISOString(), renewable: auth.renewable };
    await saveVaultToken(this.#o.store, this.#o.vaultAddress, this.#token);
    this.#o.onRenewed?.(this.#token);
    // An expiry that moved earlier is a cap too, whatever the warnings say.
    if (isCapped(auth) || (before !== null && auth.leaseDuration > 0 && expiresAt < before)) {
      this.#tellOnce({ why: 'max-ttl', expiresAt });
      return { status: 'capped', expiresAt };
    }
    return { status: 'renewed', expiresAt };
  }

  /** Arms one timer for the next renewal; re-armed after each renewal that gained time. */
  start(): void {
    this.stop();
    const expiresAt = this.expiresAt();
    if (expiresAt === null || !this.#token.renewable) return;
    const at = expiresAt - this.#leadSeconds() * 1000;
    this.#timer = this.#o.clock.setTimer(
      () => {
        this.#timer = undefined;
        void this.renew().then((outcome) => {
          if (outcome.status === 'renewed') this.start();
        });
      },
      Math.max(0, at - this.#o.clock.now()),
    );
  }

  /**
   * How long before expiry the timer renews: the configured window, but at most a third of the
   * TTL Vault grants. A token that lives shorter than the window would otherwise be due again
   * the moment it was renewed, and the timer would renew it in a tight loop.
   */
  #leadSeconds(): number {
    const granted = this.#grantedTtlSeconds;
    return granted !== undefined && granted > 0 ? Math.min(this.#o.renewBeforeSeconds, granted / 3) : this.#o.renewBeforeSeconds;
  }

  stop(): void {
    if (this.#timer !== undefined) this.#o.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #cannot(ending: SignInEnding): RenewOutcome {
    this.#tellOnce(ending);
    return { status: 'cannot-renew', ending };
  }

  #tellOnce(ending: SignInEnding): void {
    if (this.#toldEnd) return;
    this.#toldEnd = true;
    this.#o.onWillEnd?.(ending);
  }
}
