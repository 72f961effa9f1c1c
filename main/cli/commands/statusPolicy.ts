// The access policy's part of `keyfob status` (docs/policy.md): your on-call shift now, and the
// latest handoff addressed to you or your schedule. Status works offline and signed out, so
// PagerDuty or Vault that cannot be asked is a note on stderr, not a failure.
import type { ShiftView, StoredHandoff } from '../../../common/handoff.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { clockAndLeft } from '../format.ts';

export async function handoffForStatus(engine: Engine, tell: (line: string) => void): Promise<StoredHandoff | null | undefined> {
  if (!engine.signIn().signedIn || !engine.config.onCall) return undefined;
  try {
    return await engine.latestHandoff();
  } catch (error) {
    tell(`could not read the latest handoff: ${(error as Error).message}`);
    return undefined;
  }
}

export async function shiftForStatus(engine: Engine, tell: (line: string) => void): Promise<ShiftView | undefined> {
  try {
    return (await engine.shift()) ?? undefined;
  } catch (error) {
    tell(`could not ask PagerDuty for your shift: ${(error as Error).message}`);
    return undefined;
  }
}

export function shiftLine(shift: ShiftView, now = Date.now()): string {
  if (!shift.onCall) return `On call: no (${shift.email} is not on call now)`;
  const schedule = shift.schedule?.name ? `${shift.schedule.name} (${shift.schedule.id})` : (shift.schedule?.id ?? 'a schedule');
  const until = shift.endsAt ? `until ${clockAndLeft(shift.endsAt, Math.max(0, Math.floor((Date.parse(shift.endsAt) - now) / 1000)))}` : 'with no end';
  return `On call: ${shift.email} in ${schedule} ${until}`;
}
