// A refusal by a guard rail: one sentence that says exactly what is missing and what to do next.
// A KeyfobError with code 'guard-rail' (common/errors.ts), so every face handles it the same.
import { KeyfobError } from '../base/keyfobError.ts';

export class GuardRailError extends KeyfobError {
  constructor(message: string) {
    super('guard-rail', message);
  }
}
