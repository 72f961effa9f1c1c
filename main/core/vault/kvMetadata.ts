// KV v2 metadata (`GET <mount>/metadata/<path>`): when each version was written, which one is
// current. Static targets' rotation age comes from here; the secret itself is not read.
import { z } from 'zod';

export const kvMetadataDataSchema = z.object({
  current_version: z.number().int().nonnegative(),
  created_time: z.string(),
  updated_time: z.string(),
  versions: z.record(z.string(), z.object({ created_time: z.string(), deletion_time: z.string(), destroyed: z.boolean() })),
});

export interface KvMetadata {
  currentVersion: number;
  /** When the current version was written: its rotation time. */
  currentVersionCreated: Date;
  /** When the path was first written. */
  created: Date;
}

export function toKvMetadata(d: z.output<typeof kvMetadataDataSchema>): KvMetadata {
  const current = d.versions[String(d.current_version)];
  return { currentVersion: d.current_version, currentVersionCreated: new Date(current?.created_time ?? d.updated_time), created: new Date(d.created_time) };
}
