// What a lease renewal means for a session: its new expiry, and whether Vault capped it at the
// lease's max TTL (isCapped), with the words for it.
import { formatDuration } from '../duration.ts';
import { isCapped } from '../vault/capped.ts';
import type { LeaseRenewal } from '../vault/leaseApi.ts';
import { formatClockTime, type RenewalCap } from './session.ts';

export interface RenewalOutcome {
  expiresAt: number;
  capped: boolean;
  cap: RenewalCap | undefined;
  /** "capped at max TTL 4h: expires 18:02" or "extended: expires 18:02" */
  message: string;
}

export function renewalOutcome(issuedAt: number, result: LeaseRenewal, incrementSeconds: number, now: number): RenewalOutcome {
  const expiresAt = now + result.leaseDuration * 1000;
  const capped = isCapped(result, incrementSeconds);
  if (!capped) return { expiresAt, capped, cap: undefined, message: `extended: expires ${formatClockTime(expiresAt)}` };
  const maxTtlSeconds = roundToMinuteIfClose((expiresAt - issuedAt) / 1000);
  const message = `capped at max TTL ${formatDuration(maxTtlSeconds)}: expires ${formatClockTime(expiresAt)}`;
  return { expiresAt, capped, cap: { maxTtlSeconds, expiresAt, message }, message };
}

// Vault's issue time and ours differ by a round trip, and durations are whole seconds: a 4h cap
// would read "3h59m59s". Snap to the minute when within a few seconds of one.
function roundToMinuteIfClose(seconds: number): number {
  const minute = Math.round(seconds / 60) * 60;
  return Math.abs(seconds - minute) <= 5 ? minute : Math.round(seconds);
}
