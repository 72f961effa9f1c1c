import { KeyfobError } from '../base/keyfobError.ts';

export type SignInErrorCode = 'sign-in-refused' | 'sign-in-timeout' | 'sign-in-cancelled' | 'not-signed-in' | 'config-invalid';

/** A sign-in that did not complete, with a sentence the user can act on. */
export class SignInError extends KeyfobError {
  constructor(message: string, code: SignInErrorCode = 'sign-in-refused') {
    super(code, message);
  }
}
