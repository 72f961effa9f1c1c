// General building blocks with no knowledge of Vault, sessions or sign-in: lifetimes and events,
// time, files shared between keyfob processes, parallelism, retry timing, secret hygiene, errors.
export { backoffDelay, REVOKE_RETRY_BACKOFF, type BackoffPolicy } from './backoff.ts';
export { REVOKE_CONCURRENCY, REVOKE_DEADLINE_MS, runBounded, type BoundedOptions, type BoundedResult, type Settled } from './bounded.ts';
export { MAX_TIMER_DELAY_MS, systemClock, type Clock, type TimerHandle } from './clock.ts';
export { DisposableStore, Emitter, toDisposable, type Disposable, type Event } from './events.ts';
export { FakeClock, settle } from './fakeClock.ts';
export { tryAcquireLock, withFileLock, type HeldLock, type LockOptions } from './fileLock.ts';
export { KeyfobError, cleanMessage, errorMessage, isKeyfobError } from './keyfobError.ts';
export { currentProcessIdentity, isOwnerAlive, readPidStartTime, type ProcessIdentity } from './processIdentity.ts';
export { SecretLeakError, assertNoSecrets, isSecretKey, redactSecrets, secretKind } from './secretGuard.ts';
export { ensureStateDir, stateDir } from './stateDir.ts';
