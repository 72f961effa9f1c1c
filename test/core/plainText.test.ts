// Nothing a server says reaches the terminal or the audit log as a control sequence.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/core/audit/index.ts';
import { plainText } from '../../main/core/base/plainText.ts';
import { MemoryJournal } from '../../main/core/sessions/index.ts';
import { terminalSafe } from '../../main/cli/terminalSafe.ts';

// OSC 52 writes "pwned" to the clipboard; CSI 2J clears the screen; 8-bit CSI (U+009B) too.
const OSC52 = '\u001b]52;c;cHduZWQ=\u0007';
const CSI = '\u001b[2J\u001b[1;1H';
const C1 = '\u009b31m';
const hostile = `denied${OSC52} by policy${CSI}${C1}\r\nkeyfob: forged line`;

const hasControl = (s: string) => /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(s); // eslint-disable-line no-control-regex

describe('plain text from outside', () => {
  it('strips OSC 52, CSI and C1 sequences; a one-line field keeps no newline', () => {
    const line = plainText(hostile);
    expect(hasControl(line)).toBe(false);
    expect(line).not.toContain('\n');
    expect(line).toBe('denied]52;c;cHduZWQ= by policy[2J[1;1H31m keyfob: forged line');
  });

  it('keeps the newlines and tabs of text the CLI prints as several lines', () => {
    const out = terminalSafe(`Target\tTTL\norders-ro${OSC52}\t15m${CSI}`);
    expect(hasControl(out)).toBe(false);
    expect(out).toBe('Target\tTTL\norders-ro]52;c;cHduZWQ=\t15m[2J[1;1H');
  });

  it('the audit log records user, reason and detail from outside without control characters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyfob-plain-'));
    try {
      const log = new AuditLog({ dir, user: () => `oidc-alice${OSC52}` });
      log.append({ target: 'orders-ro', sessionId: 'k7m2qx', action: 'revoke-failed', reason: `INC-1${CSI}`, detail: hostile });
      const raw = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
      const entry = JSON.parse(raw) as Record<string, string>;
      expect(raw.trim().split('\n')).toHaveLength(1);
      for (const field of ['user', 'reason', 'detail']) expect(hasControl(entry[field]!), field).toBe(false);
      expect(entry.detail).toContain('keyfob: forged line');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a journaled lastError (shown by status) keeps no control characters', async () => {
    const journal = new MemoryJournal();
    const entry = {
      sessionId: 'k7m2qx',
      leaseId: 'database/creds/orders-ro/AbCdEf0123456789XyZaBcDe',
      targetId: 'orders-ro',
      kind: 'database' as const,
      issuedAt: 1,
      expiresAt: 2,
      pid: 1,
      pidStartTime: null,
      hostname: 'h',
      state: 'revoke-failed' as const,
      revokeAttempts: 1,
      lastError: hostile,
    };
    await journal.put(entry);
    const [kept] = await journal.list();
    expect(hasControl(kept!.lastError!)).toBe(false);
  });
});
