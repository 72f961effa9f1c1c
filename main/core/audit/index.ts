export {
  AUDIT_ACTIONS,
  AuditLog,
  auditEntrySchema,
  type AuditAction,
  type AuditEntry,
  type AuditInput,
  type AuditLogOptions,
  type AuditSink,
} from './auditLog.ts';
export { SecretLeakError, assertNoSecrets, isSecretKey, redactSecrets, secretKind } from '../base/secretGuard.ts';
