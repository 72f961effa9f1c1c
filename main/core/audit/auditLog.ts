import { closeSync, fstatSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../../common/lists.ts';
import { tryAcquireLock } from '../base/fileLock.ts';
import { incidentSchema } from '../../../common/leak.ts';
import { oneOf, optional, string, strictObject } from '../base/plainSchema.ts';
import { plainText } from '../base/plainText.ts';
import { openPrivateAppendCreate } from '../base/privateFiles.ts';
import { assertNoSecrets, redactSecrets } from '../base/secretGuard.ts';

// The audit log: one JSON object per line under KEYFOB_HOME. Several keyfob processes append to
// it at once; each line goes out as a single O_APPEND write, so lines never interleave.

export { AUDIT_ACTIONS };
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const auditEntrySchema = z
  .object({
    time: z.string(),
    user: z.string(),
    target: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    reason: z.string().optional(),
    leaseId: z.string().optional(),
    /** Absent for access decisions and handoffs, which are not one session's. */
    sessionId: z.string().optional(),
    detail: z.string().optional(),
    /** For `leak-reported`: the incident record (main/core/leak/incident.ts). */
    incident: incidentSchema.optional(),
  })
  .strict();

export type AuditEntry = z.infer<typeof auditEntrySchema>;

/**
 * The same check as auditEntrySchema, hand-written, for the lines this process writes: zod's parse
 * was a third of an audit line's cost, and every issue and end writes one or two. An incident is
 * still parsed by its zod schema (leak reports are rare).
 */
const checkWrittenEntry = strictObject<Omit<AuditEntry, 'incident'>>({
  time: string,
  user: string,
  target: string,
  action: oneOf(AUDIT_ACTIONS),
  reason: optional(string),
  leaseId: optional(string),
  sessionId: optional(string),
  detail: optional(string),
});

/** What callers hand in; time and (by default) user are filled in by the log. */
export type AuditInput = Omit<AuditEntry, 'time' | 'user'> & { user?: string };

export interface AuditSink {
  append(entry: AuditInput): void;
}

export interface AuditLogOptions {
  /** The state dir (KEYFOB_HOME). */
  dir: string;
  fileName?: string;
  /** Rotate once the file would grow past this. */
  maxBytes?: number;
  /** Rotated files kept: audit.jsonl.1 (newest) … audit.jsonl.<keep>. */
  keep?: number;
  /** The signed-in identity if known; the OS user otherwise. */
  user?: () => string | undefined;
  now?: () => number;
}

export class AuditLog implements AuditSink {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #user: () => string | undefined;
  readonly #now: () => number;

  constructor(options: AuditLogOptions) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.path = join(options.dir, options.fileName ?? 'audit.jsonl');
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#keep = options.keep ?? 3;
    this.#user = options.user ?? (() => undefined);
    this.#now = options.now ?? Date.now;
  }

  /** Appends one entry. Throws SecretLeakError rather than write anything that looks secret. */
  append(input: AuditInput): void {
    const { user, detail, reason, incident, ...rest } = input;
    assertNoSecrets({ user, reason, incident, ...rest }, 'the audit log');
    const checked = checkWrittenEntry({
      time: new Date(this.#now()).toISOString(),
      // The display name comes from Vault, the reason from a user or script: plain text only.
      user: plainText(user ?? this.#user() ?? osUser()),
      ...rest,
      ...(reason === undefined ? {} : { reason: plainText(reason) }),
      // Details quote error messages from elsewhere: redact rather than lose the line.
      ...(detail === undefined ? {} : { detail: plainText(redactSecrets(detail)) }),
    });
    if (!checked.success) throw new Error(`Refused to write an audit entry: ${checked.message}`);
    const entry: AuditEntry = incident === undefined ? checked.data : { ...checked.data, incident: incidentSchema.parse(incident) };
    const line = `${JSON.stringify(entry)}\n`;
    const bytes = Buffer.byteLength(line);
    // Written before append() returns (a process killed right after still has the line), in one
    // O_APPEND write, so lines of several processes never interleave.
    const file = openLog(this.path, bytes, (incoming) => this.#rotate(incoming), this.#maxBytes);
    try {
      writeSync(file.fd, line);
    } finally {
      if (!file.kept) closeSync(file.fd);
    }
  }

  /** Entries of the current file (rotated files with `includeRotated`), oldest first. */
  read(options: { includeRotated?: boolean } = {}): AuditEntry[] {
    const files = options.includeRotated ? [...Array.from({ length: this.#keep }, (_, i) => `${this.path}.${this.#keep - i}`), this.path] : [this.path];
    const entries: AuditEntry[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        const parsed = auditEntrySchema.safeParse(safeJson(line));
        if (parsed.success) entries.push(parsed.data);
      }
    }
    return entries;
  }

  /** Rotates the full file; true if it was moved aside here (the caller then opens the new one). */
  #rotate(incoming: number): boolean {
    // Only one process rotates; the others append meanwhile (to the old or the new file, both fine).
    const lock = tryAcquireLock(`${this.path}.lock`);
    if (!lock) return false;
    try {
      // Someone may have rotated between our check and the lock.
      if (sizeOf(this.path) + incoming <= this.#maxBytes || sizeOf(this.path) === 0) return true;
      rmSync(`${this.path}.${this.#keep}`, { force: true });
      for (let i = this.#keep - 1; i >= 1; i--) renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      renameIfExists(this.path, `${this.path}.1`);
      return true;
    } finally {
      lock.release();
    }
  }
}

/** Log files held open between lines: path -> descriptor and the file it was opened on. */
const heldLogs = new Map<string, { fd: number; ino: number; dev: number }>();
/** A process writes one log (tests and tools may make more): beyond this, the oldest is closed. */
const MAX_HELD_LOGS = 4;

/**
 * The log at `path` open for appending, rotated first if `incoming` bytes would overfill it. The
 * descriptor is kept between lines and used again while the path still names the file it was
 * opened on: one lstat per line instead of an open, a stat and a close (three lines per issue
 * and end). After a rotation (by this process or another), or if the path became anything else
 * (a symlink), it is opened again, never through a link. On Windows it is closed after each line:
 * a file held open there can stand in the way of another process's rotation.
 */
function openLog(path: string, incoming: number, rotate: (incoming: number) => boolean, maxBytes: number): { fd: number; kept: boolean } {
  for (let attempt = 0; ; attempt++) {
    const held = heldLogs.get(path);
    let fd: number;
    let size: number;
    let info: Stats | undefined;
    try {
      info = held ? lstatSync(path) : undefined;
    } catch {
      info = undefined; // rotated away or removed: opened again below
    }
    if (held && info && info.ino === held.ino && info.dev === held.dev) {
      fd = held.fd;
      size = info.size;
    } else {
      if (held) {
        heldLogs.delete(path);
        closeSync(held.fd);
      }
      fd = openPrivateAppendCreate(path);
      const opened = fstatSync(fd);
      size = opened.size;
      if (process.platform !== 'win32') {
        heldLogs.set(path, { fd, ino: opened.ino, dev: opened.dev });
        for (const [other, file] of heldLogs) {
          if (heldLogs.size <= MAX_HELD_LOGS) break;
          heldLogs.delete(other);
          closeSync(file.fd);
        }
      }
    }
    const kept = heldLogs.get(path)?.fd === fd;
    // Rotated here: the next round opens the new file (once; if it is full again, the line goes there).
    if (attempt === 0 && size + incoming > maxBytes && rotate(incoming)) {
      if (!kept) closeSync(fd);
      continue;
    }
    return { fd, kept };
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

let cachedOsUser: string | undefined;
function osUser(): string {
  if (cachedOsUser === undefined) {
    try {
      cachedOsUser = userInfo().username;
    } catch {
      cachedOsUser = 'unknown';
    }
  }
  return cachedOsUser;
}
