// Per-session child tokens: every session with a Vault lease reads it with a child of the
// signed-in token, made for that session alone (ttl = the session's TTL, explicit max = the
// target's max TTL). The lease belongs to the child, so:
// - ending the session is the child's revoke-self (204: Vault revokes the token and its leases),
//   and the engineer policy needs no sys/leases/revoke, which would reach anyone's lease by id;
// - Vault revokes the lease on its own when the child expires (a keyfob that never runs again)
//   and when the sign-in token is revoked (logout), because a token's end ends its children.
// The child token is a secret: the keychain holds it (keychain/sessionTokens.ts) for whichever
// keyfob process ends the session; the journal holds only its accessor.
import { errorMessage } from '../base/keyfobError.ts';
import { forgetSessionToken, loadSessionToken, saveSessionToken, type SecretStore } from '../keychain/index.ts';
import { isVaultError, type CredentialsApi, type LeaseApi, type LeaseRenewal, type VaultClient } from '../vault/index.ts';

type ChildVault = CredentialsApi & Pick<VaultClient, 'renewLease' | 'revokeSelf' | 'renewSelf' | 'close'>;

/** What issue.ts holds while it reads a credential with a fresh child token. */
export interface SessionToken {
  readonly accessor: string;
  /** Acts as the child token: the credential read with it is leased to it. */
  readonly vault: CredentialsApi & Pick<LeaseApi, 'renewLease'>;
  /** When Vault will end the child (and its leases) unless it is renewed. */
  readonly expiresAt: number;
  /** Undoes an issue that failed: the child revokes itself, the keychain forgets it. Never throws. */
  discard(): Promise<void>;
  /** Releases the child's connections (the token stays valid). */
  close(): void;
}

export interface SessionTokenRequest {
  targetId: string;
  ttlSeconds: number;
  maxTtlSeconds: number;
}

/** Opens child tokens at issue; renews and revokes leases through them (the LeaseApi of the session engine). */
export interface SessionTokens extends LeaseApi {
  open(request: SessionTokenRequest): Promise<SessionToken>;
}

export class SessionLeases implements SessionTokens {
  readonly #vault: VaultClient;
  readonly #store: SecretStore;
  readonly #address: string;
  readonly #now: () => number;
  /** Tokens this process made or read: its own sessions end even when the keychain is memory only. */
  readonly #known = new Map<string, string>();

  constructor(vault: VaultClient, store: SecretStore, vaultAddress: string, now: () => number) {
    this.#vault = vault;
    this.#store = store;
    this.#address = vaultAddress;
    this.#now = now;
  }

  async open(request: SessionTokenRequest): Promise<SessionToken> {
    const auth = await this.#vault.createChildToken({
      ttlSeconds: request.ttlSeconds,
      explicitMaxTtlSeconds: Math.max(request.ttlSeconds, request.maxTtlSeconds),
      displayName: `keyfob-${request.targetId}`,
    });
    const token = auth.clientToken;
    const accessor = auth.accessor;
    const child: ChildVault = this.#vault.withToken(token);
    this.#known.set(accessor, token);
    try {
      // Before the credential is read: a crash from here on leaves a token the next start can revoke.
      await saveSessionToken(this.#store, this.#address, { token, accessor });
    } catch (error) {
      await child.revokeSelf().catch(() => undefined);
      child.close();
      this.#known.delete(accessor);
      throw error;
    }
    return {
      accessor,
      vault: child,
      expiresAt: this.#now() + auth.leaseDuration * 1000,
      discard: async () => {
        await child.revokeSelf().catch(() => undefined);
        await this.forgetSessionToken(accessor).catch(() => undefined);
      },
      close: () => child.close(),
    };
  }

  async renewLease(leaseId: string, incrementSeconds: number, childAccessor?: string): Promise<LeaseRenewal> {
    if (childAccessor === undefined) return this.#vault.renewLease(leaseId, incrementSeconds);
    const child = await this.#child(childAccessor, leaseId);
    try {
      // The token first: once it ends, Vault revokes the lease whatever the lease's own TTL says.
      const token = await child.renewSelf(incrementSeconds);
      const lease = await child.renewLease(leaseId, incrementSeconds);
      return {
        leaseDuration: Math.min(lease.leaseDuration, token.leaseDuration),
        renewable: lease.renewable && token.renewable,
        warnings: [...token.warnings, ...lease.warnings],
      };
    } finally {
      child.close();
    }
  }

  async revokeLease(leaseId: string, childAccessor?: string): Promise<string | void> {
    // Sessions journaled before child tokens: only sys/leases/revoke can end them.
    if (childAccessor === undefined) return this.#vault.revokeLease(leaseId);
    const child = await this.#child(childAccessor, leaseId);
    let note: string | undefined;
    try {
      await child.revokeSelf();
    } catch (error) {
      // 403 "invalid token": the child expired or was revoked (logout revokes its parent), and
      // Vault revoked its leases with it. Anything else (Vault down) is a failure to retry.
      if (!(isVaultError(error) && error.code === 'AUTH_EXPIRED')) throw error;
      note = "the session's Vault token had already ended, and Vault revoked its lease with it";
    } finally {
      child.close();
    }
    // The token is forgotten by the revoke path (sessions/endSession.ts) once the session has
    // ended, whichever way: forgetting it here too made every end delete it from the keychain twice.
    return note;
  }

  async forgetSessionToken(childAccessor: string): Promise<void> {
    this.#known.delete(childAccessor);
    await forgetSessionToken(this.#store, this.#address, childAccessor);
  }

  async #child(accessor: string, leaseId: string): Promise<ChildVault> {
    let token = this.#known.get(accessor);
    if (token === undefined) {
      try {
        token = (await loadSessionToken(this.#store, this.#address, accessor)) ?? undefined;
      } catch (error) {
        throw new Error(
          `the session's Vault token could not be read from the keychain (${errorMessage(error)}); Vault revokes lease ${leaseId} when that token expires`,
          {
            cause: error,
          },
        );
      }
    }
    // Without the token nothing here can end the lease early (the engineer policy grants no
    // sys/leases/revoke): Vault ends it with the token. The revoke path keeps the failure until then.
    if (token === undefined)
      throw new Error(`the session's Vault token is not in this machine's keychain; Vault revokes lease ${leaseId} when that token expires`);
    return this.#vault.withToken(token);
  }
}
