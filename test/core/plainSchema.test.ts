// The hand-written journal entry schema (base/plainSchema.ts) must give the verdicts the zod schema
// it replaced gave: the zod schema is kept here, as it was, and both judge the same generated
// values (valid entries, and entries with one field changed, dropped or added).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { END_REASONS, SESSION_KINDS, SESSION_VIEW_STATES } from '../../common/lists.ts';
import { parseJournalEntry } from '../../main/core/sessions/index.ts';

const zodEntry = z
  .object({
    sessionId: z.string().min(1),
    leaseId: z.string().min(1).optional(),
    targetId: z.string().min(1),
    kind: z.enum(SESSION_KINDS),
    issuedAt: z.number(),
    expiresAt: z.number(),
    leaseExpiresAt: z.number().optional(),
    childAccessor: z.string().min(1).optional(),
    pid: z.number().int().positive(),
    pidStartTime: z.number().int().nullable(),
    hostname: z.string(),
    state: z.enum(SESSION_VIEW_STATES),
    endReason: z.enum(END_REASONS).optional(),
    revokeAttempts: z.number().int().nonnegative(),
    lastError: z.string().optional(),
    nextRetryAt: z.number().optional(),
    agentPid: z.number().int().positive().optional(),
    agentStartTime: z.number().int().optional(),
    renewable: z.boolean().optional(),
    fingerprints: z.array(z.string().regex(/^\d{1,5}\.[0-9a-f]{64}$/)).optional(),
    heldBy: z.literal('credential-process').optional(),
  })
  .strict();

const fingerprint = fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.stringMatching(/^[0-9a-f]{64}$/)).map(([n, hex]) => `${n}.${hex}`);

const validEntry = fc.record(
  {
    sessionId: fc.string({ minLength: 1 }),
    leaseId: fc.string({ minLength: 1 }),
    targetId: fc.string({ minLength: 1 }),
    kind: fc.constantFrom(...SESSION_KINDS),
    issuedAt: fc.double({ noNaN: true, noDefaultInfinity: true }),
    expiresAt: fc.integer(),
    leaseExpiresAt: fc.integer(),
    childAccessor: fc.string({ minLength: 1 }),
    pid: fc.integer({ min: 1 }),
    pidStartTime: fc.option(fc.integer(), { nil: null }),
    hostname: fc.string(),
    state: fc.constantFrom(...SESSION_VIEW_STATES),
    endReason: fc.constantFrom(...END_REASONS),
    revokeAttempts: fc.nat(),
    lastError: fc.string(),
    nextRetryAt: fc.integer(),
    agentPid: fc.integer({ min: 1 }),
    agentStartTime: fc.integer(),
    renewable: fc.boolean(),
    fingerprints: fc.array(fingerprint, { maxLength: 3 }),
    heldBy: fc.constant('credential-process'),
  },
  { requiredKeys: ['sessionId', 'targetId', 'kind', 'issuedAt', 'expiresAt', 'pid', 'pidStartTime', 'hostname', 'state', 'revokeAttempts'] },
);

const oddValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.string(),
  fc.integer(),
  fc.constantFrom(0, -1, 1.5, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.constant({}),
  fc.constantFrom('active', 'aws', 'revoked', 'credential-process', '1.abc'),
);

describe('the journal entry schema (hand-written)', () => {
  it('accepts every entry the zod schema accepted, with the same value', () => {
    fc.assert(
      fc.property(validEntry, (entry) => {
        const ours = parseJournalEntry(entry);
        const theirs = zodEntry.safeParse(entry);
        expect(theirs.success).toBe(true);
        expect(ours).toEqual({ success: true, data: theirs.data });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what the zod schema refused: a field changed, dropped or added', () => {
    const keys = Object.keys(zodEntry.shape);
    fc.assert(
      fc.property(validEntry, fc.constantFrom(...keys, 'password', 'extra'), oddValue, fc.boolean(), (entry, key, value, drop) => {
        const changed: Record<string, unknown> = { ...entry, [key]: value };
        if (drop) delete changed[key];
        const ours = parseJournalEntry(changed);
        expect(ours.success).toBe(zodEntry.safeParse(changed).success);
        if (!ours.success) expect(ours.message).toMatch(/^(\w+: (required|expected .+)|unknown key "\w+"|expected an object)$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('says which field is wrong and what it should be', () => {
    expect(parseJournalEntry([])).toEqual({ success: false, message: 'expected an object' });
    expect(parseJournalEntry({ sessionId: '' })).toEqual({ success: false, message: 'sessionId: expected a non-empty string' });
    expect(parseJournalEntry({ sessionId: 's', password: 'x' })).toEqual({ success: false, message: 'unknown key "password"' });
    expect(parseJournalEntry({ sessionId: 's' })).toEqual({ success: false, message: 'targetId: required' });
  });
});
