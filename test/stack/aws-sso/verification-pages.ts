// The device-verification pages a person (or the stack's headless `browser` agent) completes:
//   GET/POST /device            user-code entry form: input `user_code`
//   sign-in form                method=post, inputs `login` and `password`
//   approval form               buttons name="decision" value="approve" | value="deny"
//   result page                 no form; "Request approved" / "Request denied"
// State travels in hidden fields (a single-use consent id), so an agent without a cookie jar works;
// a session cookie is also set, so a real browser revisiting the page skips the sign-in.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, parseCookies, readBody, sendHtml } from './http.ts';
import type { IdentityCenter } from './identity-center.ts';

const SESSION_COOKIE = 'keyfob-aws-sso-session';
const CONSENT_TTL_MS = 10 * 60 * 1000;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>
`;
}

function errorLine(error: string | undefined): string {
  return error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : '';
}

function codeEntryPage(error?: string): string {
  return page(
    'Authorize request',
    `${errorLine(error)}
<form method="post" action="/device">
  <label>Code <input name="user_code" autocomplete="off" required></label>
  <button type="submit">Next</button>
</form>`,
  );
}

function signInPage(userCode: string, clientName: string, error?: string): string {
  return page(
    'Sign in',
    `<p>Sign in to authorize <strong>${escapeHtml(clientName)}</strong> (code <code>${escapeHtml(userCode)}</code>).</p>
${errorLine(error)}
<form method="post" action="/device/login">
  <input type="hidden" name="user_code" value="${escapeHtml(userCode)}">
  <label>Username <input name="login" autocomplete="username" required></label>
  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

function approvalPage(user: string, userCode: string, clientName: string, consent: string): string {
  return page(
    'Allow access?',
    `<p>Signed in as <strong>${escapeHtml(user)}</strong>.</p>
<p><strong>${escapeHtml(clientName)}</strong> (code <code>${escapeHtml(userCode)}</code>) wants to access your AWS accounts.</p>
<form method="post" action="/device/decision">
  <input type="hidden" name="consent" value="${escapeHtml(consent)}">
  <button type="submit" name="decision" value="approve">Allow access</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

function messagePage(title: string, text: string): string {
  return page(title, `<p>${escapeHtml(text)}</p>`);
}

export class VerificationPages {
  readonly #idc: IdentityCenter;
  readonly #now: () => number;
  /** Browser sessions: cookie value → user. */
  readonly #signedIn = new Map<string, string>();
  /** Approval forms shown: consent id → who may decide which code. Single use. */
  readonly #consents = new Map<string, { user: string; userCode: string; expiresAt: number }>();

  constructor(idc: IdentityCenter, now: () => number) {
    this.#idc = idc;
    this.#now = now;
  }

  /** Handles the request if it is one of the pages; returns false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<boolean> {
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /start':
        sendHtml(res, 200, page('AWS access portal', '<p>To authorize a device, <a href="/device">enter its code</a>.</p>'));
        return true;
      case 'GET /device': {
        const code = query.get('user_code');
        this.#showCode(req, res, code);
        return true;
      }
      case 'POST /device': {
        const form = await this.#form(req);
        this.#showCode(req, res, form.get('user_code'));
        return true;
      }
      case 'POST /device/login':
        await this.#signIn(req, res);
        return true;
      case 'POST /device/decision':
        await this.#decide(req, res);
        return true;
      default:
        return false;
    }
  }

  async #form(req: IncomingMessage): Promise<URLSearchParams> {
    return new URLSearchParams(await readBody(req));
  }

  #showCode(req: IncomingMessage, res: ServerResponse, code: string | null): void {
    if (code === null || code.trim() === '') {
      sendHtml(res, 200, codeEntryPage());
      return;
    }
    const state = this.#idc.userCodeState(code);
    switch (state.kind) {
      case 'unknown':
        sendHtml(res, 400, codeEntryPage('That code is not valid. Check it and try again.'));
        return;
      case 'expired':
        sendHtml(res, 400, messagePage('Code expired', 'This code has expired. Start again from your application.'));
        return;
      case 'decided':
        sendHtml(res, 400, messagePage('Code already used', `This request was already ${state.approved ? 'approved' : 'denied'}.`));
        return;
      case 'pending': {
        const user = this.#signedIn.get(parseCookies(req.headers.cookie).get(SESSION_COOKIE) ?? '');
        sendHtml(
          res,
          200,
          user === undefined
            ? signInPage(state.userCode, state.clientName)
            : approvalPage(user, state.userCode, state.clientName, this.#newConsent(user, state.userCode)),
        );
      }
    }
  }

  async #signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await this.#form(req);
    const code = form.get('user_code') ?? '';
    const state = this.#idc.userCodeState(code);
    if (state.kind !== 'pending') {
      this.#showCode(req, res, code);
      return;
    }
    const login = form.get('login') ?? '';
    if (!this.#idc.checkPassword(login, form.get('password') ?? '')) {
      sendHtml(res, 401, signInPage(state.userCode, state.clientName, 'Incorrect username or password.'));
      return;
    }
    const sessionId = randomBytes(24).toString('base64url');
    this.#signedIn.set(sessionId, login);
    sendHtml(res, 200, approvalPage(login, state.userCode, state.clientName, this.#newConsent(login, state.userCode)), {
      'set-cookie': `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`,
    });
  }

  async #decide(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await this.#form(req);
    const consentId = form.get('consent') ?? '';
    const consent = this.#consents.get(consentId);
    this.#consents.delete(consentId);
    const decision = form.get('decision');
    if (!consent || this.#now() >= consent.expiresAt || (decision !== 'approve' && decision !== 'deny')) {
      sendHtml(res, 400, messagePage('Request not valid', 'This approval form is no longer valid. Open the link from your application again.'));
      return;
    }
    const approve = decision === 'approve';
    if (!this.#idc.decide(consent.userCode, consent.user, approve)) {
      this.#showCode(req, res, consent.userCode);
      return;
    }
    sendHtml(
      res,
      200,
      approve
        ? messagePage('Request approved', 'You can close this window and return to your application.')
        : messagePage('Request denied', 'The application was not given access. You can close this window.'),
    );
  }

  #newConsent(user: string, userCode: string): string {
    const id = randomBytes(24).toString('base64url');
    this.#consents.set(id, { user, userCode, expiresAt: this.#now() + CONSENT_TTL_MS });
    return id;
  }
}
