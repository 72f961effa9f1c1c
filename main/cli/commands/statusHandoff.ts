// The handoff part of `keyfob status`: the latest record addressed to you or your schedule.
// Status works offline and signed out, so a Vault that cannot be asked is a note, not a failure.
import type { StoredHandoff } from '../../../common/handoff.ts';
import type { Engine } from '../../core/engine/engine.ts';

export async function handoffForStatus(engine: Engine, tell: (line: string) => void): Promise<StoredHandoff | null | undefined> {
  if (!engine.signIn().signedIn || !engine.config.onCall) return undefined;
  try {
    return await engine.latestHandoff();
  } catch (error) {
    tell(`could not read the latest handoff: ${(error as Error).message}`);
    return undefined;
  }
}
