// A refusal by a guard rail: one sentence that says exactly what is missing and what to do next.
// Faces map it to the 'guard-rail' error code (common/errors.ts).
export class GuardRailError extends Error {
  override readonly name = 'GuardRailError';
  readonly code = 'guard-rail' as const;
}
