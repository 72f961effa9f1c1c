/** A sign-in that did not complete, with a sentence the user can act on. */
export class SignInError extends Error {}
