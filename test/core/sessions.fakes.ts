// Test doubles for the session engine: they implement the real interfaces (no module mocks).
import type { AuditInput, AuditSink } from '../../main/core/audit/auditLog.ts';
import type { LeaseApi, LeaseRenewal } from '../../main/core/vault/leaseApi.ts';

export class FakeLeaseApi implements LeaseApi {
  readonly revoked: string[] = [];
  readonly renewCalls: Array<{ leaseId: string; increment: number }> = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Makes each revoke take this long (real time). */
  revokeDelayMs = 0;
  /** Return an Error to fail a revoke of that lease. */
  revokeFailure: (leaseId: string) => Error | undefined = () => undefined;
  /** Leases whose revoke never completes (an unreachable Vault). */
  hang = false;
  renewResponse: (leaseId: string, increment: number) => LeaseRenewal | Error = (_id, increment) => ({
    leaseDuration: increment,
    renewable: true,
    warnings: [],
  });

  /** The child-token accessor each call named (engine/sessionLeases.ts), and the ones forgotten. */
  readonly accessors: Array<{ call: 'renew' | 'revoke'; leaseId: string; childAccessor: string | undefined }> = [];
  readonly forgotten: string[] = [];
  /** A note revokeLease returns (e.g. the child token had already ended). */
  revokeNote: string | undefined;

  async forgetSessionToken(childAccessor: string): Promise<void> {
    this.forgotten.push(childAccessor);
  }

  async renewLease(leaseId: string, incrementSeconds: number, childAccessor?: string): Promise<LeaseRenewal> {
    this.accessors.push({ call: 'renew', leaseId, childAccessor });
    this.renewCalls.push({ leaseId, increment: incrementSeconds });
    const r = this.renewResponse(leaseId, incrementSeconds);
    if (r instanceof Error) throw r;
    return r;
  }

  async revokeLease(leaseId: string, childAccessor?: string): Promise<string | void> {
    this.accessors.push({ call: 'revoke', leaseId, childAccessor });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hang) await new Promise(() => {});
      if (this.revokeDelayMs) await new Promise((resolve) => setTimeout(resolve, this.revokeDelayMs));
      const failure = this.revokeFailure(leaseId);
      if (failure) throw failure;
      this.revoked.push(leaseId);
      return this.revokeNote;
    } finally {
      this.inFlight--;
    }
  }
}

export class MemoryAudit implements AuditSink {
  readonly entries: AuditInput[] = [];
  append(entry: AuditInput): void {
    this.entries.push(entry);
  }
  actions(sessionId?: string): string[] {
    return this.entries.filter((e) => !sessionId || e.sessionId === sessionId).map((e) => e.action);
  }
}

export const leaseIdFor = (n: number) => `database/creds/orders-ro/${String(n).padStart(24, 'x')}`;
