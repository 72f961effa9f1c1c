// Leak response (main/core/leak): keyed fingerprints of what Keyfob issued, the ledger that keeps
// them past a session's end, and the "I leaked this" use case. docs/runbook-leak.md is the runbook.
export {
  ensureFingerprintKey,
  fingerprint,
  FINGERPRINT_KEY_ACCOUNT,
  FINGERPRINT_RECORD,
  fingerprintRecord,
  parseFingerprintRecord,
  loadFingerprintKey,
  MIN_FINGERPRINTED_LENGTH,
  type FingerprintKey,
} from './fingerprint.ts';
export { appendLedger, LEDGER_FILE, ledgerEntrySchema, ledgerPath, readLedger, type LedgerEntry } from './ledger.ts';
export { fingerprintRecorder, recordIssuedSecrets, SECRET_ENV_NAMES, type RecordIssuedDeps, type RecordIssuedResult } from './recordIssued.ts';
export { incidentSchema, LEAK_OUTCOMES, type Incident, type LeakOutcome } from './incident.ts';
export { leasePrefix, recordIncident, reportLeak, type LeakDeps, type LeakOptions, type LeakReport } from './reportLeak.ts';
export { reportStaticLeak } from './staticLeak.ts';
