// Keeps the Vault sign-in alive: renews the token (renew-self) before it expires while Vault
// allows it, and says so before work breaks when it cannot (max TTL reached, not renewable).
import { formatDuration } from '../duration.ts';
import { saveVaultToken, type SecretStore, type StoredVaultToken } from '../keychain/index.ts';
import { formatClockTime, type Clock, type TimerHandle } from '../sessions/index.ts';
import type { VaultClient } from '../vault/index.ts';

export interface TokenKeeperOptions {
  vault: Pick<VaultClient, 'renewSelf'>;
  store: SecretStore;
  vaultAddress: string;
  clock: Clock;
  /** Renew when this many seconds are left (config sessions.renewBefore). */
  renewBeforeSeconds: number;
  tell: (line: string) => void;
}

export type RenewOutcome =
  | { status: 'renewed'; expiresAt: number }
  | { status: 'capped'; expiresAt: number; message: string }
  | { status: 'not-needed' }
  | { status: 'cannot-renew'; message: string };

export class TokenKeeper {
  readonly #o: TokenKeeperOptions;
  #token: StoredVaultToken;
  #timer: TimerHandle | undefined;
  #toldEnd = false;
  /** The TTL Vault granted at the last renewal in this process (seconds), once known. */
  #grantedTtlSeconds: number | undefined;

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

  async renew(): Promise<RenewOutcome> {
    if (!this.#token.renewable) return this.#cannot('your Vault sign-in cannot be renewed');
    const before = this.expiresAt();
    let auth;
    try {
      auth = await this.#o.vault.renewSelf();
    } catch (error) {
      return this.#cannot(`renewing your Vault sign-in failed: ${(error as Error).message}`);
    }
    const expiresAt = this.#o.clock.now() + auth.leaseDuration * 1000;
    this.#grantedTtlSeconds = auth.leaseDuration;
    this.#token = { ...this.#token, expiresAt: new Date(expiresAt).toISOString(), renewable: auth.renewable };
    await saveVaultToken(this.#o.store, this.#o.vaultAddress, this.#token);
    // Vault says when it capped the TTL at the max (vault-api.md §2, CalculateTTL's warning).
    // Comparing expiries instead misfires: two renewals a moment apart gain almost nothing
    // without any cap, and the user would be told their sign-in is ending when it is not.
    const capped = auth.warnings.some((w) => /max_ttl|capped/i.test(w)) || (before !== null && auth.leaseDuration > 0 && expiresAt < before);
    if (capped) {
      const message = `your Vault sign-in reached its maximum lifetime and ends at ${formatClockTime(expiresAt)}; run keyfob login before then`;
      this.#tellOnce(message);
      return { status: 'capped', expiresAt, message };
    }
    return { status: 'renewed', expiresAt };
  }

  /** Arms one timer for the next renewal while a long command runs. */
  start(): void {
    this.stop();
    const expiresAt = this.expiresAt();
    if (expiresAt === null || !this.#token.renewable) return;
    const at = expiresAt - this.#leadSeconds() * 1000;
    this.#timer = this.#o.clock.setTimer(() => {
      this.#timer = undefined;
      void this.renew().then((outcome) => {
        if (outcome.status === 'renewed') this.start();
      });
    }, Math.max(0, at - this.#o.clock.now()));
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

  #cannot(message: string): RenewOutcome {
    const expiresAt = this.expiresAt();
    const left = expiresAt === null ? '' : ` (it ends in ${formatDuration((expiresAt - this.#o.clock.now()) / 1000)})`;
    const full = `${message}${left}; run keyfob login`;
    this.#tellOnce(full);
    return { status: 'cannot-renew', message: full };
  }

  #tellOnce(message: string): void {
    if (this.#toldEnd) return;
    this.#toldEnd = true;
    this.#o.tell(message);
  }
}
