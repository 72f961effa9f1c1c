import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, SecretLeakError, redactSecrets } from '../../main/core/audit/index.ts';

const auditIndex = pathToFileURL(fileURLToPath(new URL('../../main/core/audit/index.ts', import.meta.url))).href;

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'keyfob-audit-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const base = { target: 'orders-ro', sessionId: 'k7m2qx', leaseId: 'database/creds/orders-ro/AbCdEf0123456789XyZaBcDe' };

describe('AuditLog', () => {
  it('appends one JSON line per event with time, user, target, action, reason and lease', () => {
    const log = new AuditLog({ dir: home, user: () => 'alice@corp', now: () => Date.UTC(2025, 0, 15, 9, 0, 0) });
    log.append({ ...base, action: 'issued' });
    log.append({ ...base, action: 'revoked', reason: 'command-exit' });
    const lines = readFileSync(join(home, 'audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: '2025-01-15T09:00:00.000Z', user: 'alice@corp', ...base, action: 'issued' },
      { time: '2025-01-15T09:00:00.000Z', user: 'alice@corp', ...base, action: 'revoked', reason: 'command-exit' },
    ]);
    expect(log.read().map((e) => e.action)).toEqual(['issued', 'revoked']);
  });

  it('refuses fields that name a secret and values that look like one', () => {
    const log = new AuditLog({ dir: home });
    const attempts: unknown[] = [
      { ...base, action: 'issued', password: 'x' },
      { ...base, action: 'issued', token: 'x' },
      { ...base, action: 'issued', private_key: 'x' },
      { ...base, action: 'issued', target: 'hvs.CAESIJ8kR2x0b3Jvc3Rlc3Rfc2VjcmV0X3Rva2Vu' },
      { ...base, action: 'issued', sessionId: 'AKIAIOSFODNN7EXAMPLE' },
    ];
    for (const a of attempts) expect(() => log.append(a as never)).toThrow(SecretLeakError);
    expect(readdirSync(home)).toEqual([]);
  });

  it('redacts secret-looking text quoted in details instead of dropping the line', () => {
    const log = new AuditLog({ dir: home });
    log.append({
      ...base,
      action: 'revoke-failed',
      detail: 'dial postgres://v-orders-abc:Sup3rS3cret@db:5432 failed; token hvs.CAESIJ8kR2x0b3Jvc3Rlc3Rfc2VjcmV0X3Rva2Vu',
    });
    const text = readFileSync(log.path, 'utf8');
    expect(text).not.toContain('Sup3rS3cret');
    expect(text).not.toContain('hvs.CAES');
    expect(log.read()[0]?.detail).toContain('[redacted]');
    expect(redactSecrets('-----BEGIN OPENSSH PRIVATE KEY-----')).toBe('[redacted]');
  });

  // The log stays open between lines (auditLog.ts): what another process did to the path counts.
  it('writes the next line to the new file after another process moved the log aside, and never through a link put in its place', () => {
    const log = new AuditLog({ dir: home });
    log.append({ ...base, action: 'issued', detail: 'first' });
    renameSync(join(home, 'audit.jsonl'), join(home, 'audit.jsonl.1'));
    log.append({ ...base, action: 'revoked', detail: 'second' });
    expect(readFileSync(join(home, 'audit.jsonl'), 'utf8')).toContain('"second"');
    expect(readFileSync(join(home, 'audit.jsonl.1'), 'utf8')).not.toContain('"second"');

    rmSync(join(home, 'audit.jsonl'));
    writeFileSync(join(home, 'elsewhere'), '');
    symlinkSync(join(home, 'elsewhere'), join(home, 'audit.jsonl'));
    expect(() => log.append({ ...base, action: 'revoked', detail: 'third' })).toThrow();
    expect(readFileSync(join(home, 'elsewhere'), 'utf8')).toBe('');
  });

  it('rotates by size and keeps only the configured number of old files', () => {
    const log = new AuditLog({ dir: home, maxBytes: 2000, keep: 3 });
    for (let i = 0; i < 200; i++) log.append({ ...base, action: 'renewed', detail: `renewal ${i}` });
    expect(readdirSync(home).sort()).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2', 'audit.jsonl.3']);
    for (const f of readdirSync(home)) expect(readFileSync(join(home, f)).length).toBeLessThanOrEqual(2000);
    // Newest last, and nothing from the middle lost among what was kept.
    const kept = log.read({ includeRotated: true }).map((e) => Number(e.detail!.split(' ')[1]));
    expect(kept.at(-1)).toBe(199);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 200 - kept.length + i));
  });

  it('keeps every line whole when 4 processes append at once', async () => {
    const script = `
      import { AuditLog } from ${JSON.stringify(auditIndex)};
      const [dir, worker, maxBytes] = process.argv.slice(2);
      const log = new AuditLog({ dir, maxBytes: Number(maxBytes), keep: 100 });
      for (let i = 0; i < 200; i++) log.append({ target: 'orders-ro', sessionId: 'w' + worker, action: 'renewed', detail: worker + ':' + i + ':' + 'x'.repeat(300) });
    `;
    const file = join(home, 'child.mjs');
    writeFileSync(file, script);
    const run = async (maxBytes: number) => {
      const children = [0, 1, 2, 3].map((w) => spawn(process.execPath, [file, home, String(w), String(maxBytes)], { stdio: 'inherit' }));
      return Promise.all(children.map(async (c) => (await once(c, 'exit'))[0]));
    };
    expect(await run(1024 * 1024)).toEqual([0, 0, 0, 0]);
    const lines = readFileSync(join(home, 'audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(800);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('loses no line when several processes rotate at once', async () => {
    const script = `
      import { AuditLog } from ${JSON.stringify(auditIndex)};
      const [dir, worker] = process.argv.slice(2);
      const log = new AuditLog({ dir, maxBytes: 20000, keep: 100 });
      for (let i = 0; i < 200; i++) log.append({ target: 'orders-ro', sessionId: 'w' + worker, action: 'renewed', detail: worker + ':' + i + ':' + 'x'.repeat(300) });
    `;
    const file = join(home, 'child.mjs');
    writeFileSync(file, script);
    const children = [0, 1, 2, 3].map((w) => spawn(process.execPath, [file, home, String(w)], { stdio: 'inherit' }));
    expect(await Promise.all(children.map(async (c) => (await once(c, 'exit'))[0]))).toEqual([0, 0, 0, 0]);
    const all = new AuditLog({ dir: home, keep: 100 }).read({ includeRotated: true });
    expect(all).toHaveLength(800);
    // Rotation did happen under contention; how often depends on scheduling (a writer that finds
    // the rotation lock busy appends to the current file), so no exact count.
    expect(readdirSync(home).filter((f) => f.startsWith('audit.jsonl.')).length).toBeGreaterThanOrEqual(2);
  });
});
