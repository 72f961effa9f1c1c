// The sign-in callback answers only to the sign-in this process started: a loopback port is
// open to every local process and web page, so a callback counts only when its `state` is the one
// this sign-in sent. Checked before anything else in it (an `error` included), so a stray
// `?error=x` cannot abort a sign-in and a foreign `state`+`code` cannot sign the user in as
// someone else (login CSRF).
import { timingSafeEqual } from 'node:crypto';
import { SignInError } from './signInError.ts';

/** The `state` Vault put in the IdP URL it returned (auth_url); the callback must carry it back. */
export function stateFromAuthUrl(authUrl: string): string {
  let state: string | null = null;
  try {
    state = new URL(authUrl).searchParams.get('state');
  } catch {
    // fall through to the error below
  }
  if (!state) throw new SignInError('Vault returned a sign-in URL without a state; Keyfob cannot tell its own answer from a forged one, so it stops here');
  return state;
}

/** True when the callback carries exactly the expected state. */
export function callbackMatches(params: URLSearchParams, expected: string | undefined): boolean {
  const got = params.get('state');
  if (expected === undefined || got === null) return false;
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
