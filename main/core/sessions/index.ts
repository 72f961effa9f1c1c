// The session engine's public surface: the CLI and the Electron adapters import from here.
export { backoffDelay, REVOKE_RETRY_BACKOFF, type BackoffPolicy } from '../base/backoff.ts';
export { REVOKE_CONCURRENCY, REVOKE_DEADLINE_MS, runBounded, type BoundedOptions, type BoundedResult, type Settled } from '../base/bounded.ts';
export { MAX_TIMER_DELAY_MS, systemClock, type Clock, type TimerHandle } from '../base/clock.ts';
export {
  endSession,
  recordFailedRevocation,
  revokeJournaledSession,
  type EndSessionDeps,
  type EndSessionOptions,
  type EndSessionOutcome,
  type EndingSession,
} from './endSession.ts';
export { SessionError, errorMessage, type SessionErrorCode } from './errors.ts';
export { DisposableStore, Emitter, toDisposable, type Disposable, type Event } from '../base/events.ts';
export { FakeClock, settle } from '../base/fakeClock.ts';
export { tryAcquireLock, withFileLock, type HeldLock, type LockOptions } from '../base/fileLock.ts';
export {
  JOURNAL_STATES,
  Journal,
  MemoryJournal,
  describePendingRevocations,
  parseJournalEntry,
  pendingRevocations,
  type JournalEntry,
  type JournalOptions,
  type JournalState,
  type SessionJournal,
} from './journal.ts';
export { currentProcessIdentity, isOwnerAlive, readPidStartTime, type ProcessIdentity } from '../base/processIdentity.ts';
export { recoverOrphans, type RecoveryOptions, type RecoveryReport } from './recovery.ts';
export { isEnding, journalRenewal, renewalOutcome, type RenewalOutcome } from './renewal.ts';
export { DEFAULT_SCHEDULE_POLICY, nextDeadline, sessionDeadlines, warnAt, type Deadline, type DeadlineAction, type SchedulePolicy } from './schedule.ts';
export {
  END_REASONS,
  SESSION_KINDS,
  SESSION_STATES,
  formatClockTime,
  isSessionId,
  newSessionId,
  remainingSeconds,
  type EndReason,
  type RenewalCap,
  type Session,
  type SessionKind,
  type SessionState,
} from './session.ts';
export {
  SessionManager,
  type EndAllOptions,
  type EndAllResult,
  type EndOutcome,
  type NewSession,
  type RenewResult,
  type SessionEnded,
  type SessionExpiring,
  type SessionManagerOptions,
} from './sessionManager.ts';
export { ensureStateDir, stateDir } from '../base/stateDir.ts';
