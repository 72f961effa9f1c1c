// A headless "person in a browser" for SSO logins: it opens a URL, follows redirects with a
// cookie jar, signs in, approves (or denies) and follows the last redirect to the application's
// loopback redirect URI, which is how the code reaches the app's listener. Used by
// test/stack/browser.ts (the stack's BROWSER command) and in-process by tests.
//
// PAGE CONVENTIONS — a page in the stack (IdP, device-code pages, the IAM Identity Center fake in
// test/stack/aws-sso.ts) is drivable when it follows these rules:
//   - Sign-in: a <form> with a text input named `login` (also accepted: `username`, `user`,
//     `email`) and an input type="password" named `password`, plus a submit button.
//   - Approval: a <form> whose submit buttons are name="decision" value="approve" and
//     name="decision" value="deny". (Also understood, for oidc-provider's device confirm page:
//     a button named `confirm` approves and one named `abort` denies; `approve`/`allow` and
//     `deny`/`cancel` as names work too.)
//   - Device user code: a <form> with a text input named `user_code`. The agent fills it from
//     `opts.userCode`, else from the `user_code` query parameter of the URL it was given.
//   - A form with only hidden inputs and no buttons is submitted as is (what its auto-submit
//     script would do: oidc-provider's form_post pages, `?user_code=` device links).
//   - Failure: answer with a 4xx/5xx status (e.g. 401 for a wrong password) and put the reason in
//     an element with role="alert". Showing the same form again after it was submitted is also
//     treated as a failure.
//   - Success: a page without such forms ends the walk (the app's own "you can close this tab"
//     page, or the device flow's success page).
// Form methods GET and POST (urlencoded) and relative actions are supported; scripts are not run.
import { CookieJar } from './cookieJar.ts';
import { formData, isSubmitControl, parseForms, textOf } from './htmlForms.ts';
import type { FormControl, HtmlForm } from './htmlForms.ts';

export interface LoginOptions {
  user: string;
  password: string;
  /** What to press on consent/approval pages; default approve. */
  consent?: 'approve' | 'deny';
  /** The device flow user code, when the URL does not carry ?user_code=. */
  userCode?: string;
  /** Safety net against redirect or form loops. */
  maxSteps?: number;
}

export interface LoginOutcome {
  /** The last URL loaded (normally the application's redirect URI or a success page). */
  finalUrl: string;
  finalStatus: number;
  /** `error` of an OAuth error redirect seen on the way (e.g. access_denied after a deny). */
  redirectError: string | undefined;
}

/** A step of the login that did not go as a person would expect; the message says which. */
export class LoginStepError extends Error {
  override readonly name = 'LoginStepError';
}

type FormKind = 'signin' | 'usercode' | 'decision' | 'autosubmit';

const LOGIN_FIELDS = ['login', 'username', 'user', 'email'];
const APPROVE_NAMES = ['confirm', 'approve', 'allow'];
const DENY_NAMES = ['abort', 'deny', 'cancel'];

function decisionOf(c: FormControl): 'approve' | 'deny' | undefined {
  const name = c.name.toLowerCase();
  const value = c.value.toLowerCase();
  if (name === 'decision') return value === 'approve' ? 'approve' : value === 'deny' ? 'deny' : undefined;
  if (APPROVE_NAMES.includes(name)) return 'approve';
  if (DENY_NAMES.includes(name)) return 'deny';
  return undefined;
}

function kindOf(form: HtmlForm): FormKind | undefined {
  const fillable = form.controls.filter((c) => c.tag !== 'button' && !isSubmitControl(c) && c.type !== 'hidden');
  if (form.controls.some((c) => c.tag === 'input' && c.type === 'password')) return 'signin';
  if (fillable.some((c) => c.name === 'user_code')) return 'usercode';
  if (form.controls.some((c) => isSubmitControl(c) && decisionOf(c))) return 'decision';
  if (fillable.length === 0 && !form.controls.some(isSubmitControl)) return 'autosubmit';
  return undefined;
}

const KIND_PRIORITY: FormKind[] = ['signin', 'usercode', 'decision', 'autosubmit'];

/** The reason a page gives for a failure: its role="alert" text, else its title, else its text. */
export function pageMessage(html: string): string {
  const alert = /<([a-z0-9]+)\b[^>]*\brole\s*=\s*["']?alert["']?[^>]*>([\s\S]*?)<\/\1>/i.exec(html);
  const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  const text = alert ? textOf(alert[2] ?? '') : '';
  if (text) return text;
  const body = textOf(html).slice(0, 300);
  return body || (title ? textOf(title[1] ?? '') : '(empty page)');
}

interface Page {
  url: string;
  status: number;
  html: string;
}

class Browser {
  readonly #jar = new CookieJar();
  readonly redirectErrors: string[] = [];
  steps = 0;
  readonly #maxSteps: number;

  constructor(maxSteps: number) {
    this.#maxSteps = maxSteps;
  }

  /** Load a URL (GET, or POST with a form body) and follow redirects like a browser. */
  async load(url: string, method: 'GET' | 'POST' = 'GET', body?: URLSearchParams): Promise<Page> {
    let current = new URL(url);
    let currentMethod = method;
    let currentBody = body;
    for (;;) {
      if (++this.steps > this.#maxSteps) throw new LoginStepError(`gave up after ${this.#maxSteps} requests (a redirect or form loop?) at ${current.href}`);
      const headers: Record<string, string> = { 'user-agent': 'keyfob-stack-browser/1', accept: 'text/html,*/*' };
      const cookie = this.#jar.headerFor(current);
      if (cookie) headers['cookie'] = cookie;
      if (currentBody) headers['content-type'] = 'application/x-www-form-urlencoded';
      let res: Response;
      try {
        res = await fetch(current, { method: currentMethod, headers, body: currentBody?.toString(), redirect: 'manual' });
      } catch (err) {
        throw new LoginStepError(`could not load ${current.origin}${current.pathname}: ${(err as Error).cause ?? (err as Error).message}`);
      }
      this.#jar.store(current, res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        const next = new URL(location, current);
        const oauthError = next.searchParams.get('error');
        if (oauthError) this.redirectErrors.push(oauthError);
        // 303, and 301/302 after a POST, turn into a GET (what browsers do); 307/308 keep the method.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && currentMethod === 'POST')) {
          currentMethod = 'GET';
          currentBody = undefined;
        }
        current = next;
        continue;
      }
      return { url: current.href, status: res.status, html: await res.text() };
    }
  }
}

function describe(page: Page): string {
  const u = new URL(page.url);
  return `${u.origin}${u.pathname}`;
}

/**
 * Complete an SSO login at `url` as `opts.user`. Resolves when the walk reached a page with
 * nothing left to do (after the redirect to the application, or a device-flow success page).
 * Rejects with LoginStepError when a step fails: wrong password, unknown user code, an error
 * page, or an OAuth error redirect other than the access_denied a deny asked for.
 */
export async function completeLogin(url: string, opts: LoginOptions): Promise<LoginOutcome> {
  const consent = opts.consent ?? 'approve';
  const userCode = opts.userCode ?? new URL(url).searchParams.get('user_code') ?? undefined;
  const browser = new Browser(opts.maxSteps ?? 40);
  let page = await browser.load(url);
  let previous: { kind: FormKind; action: string } | undefined;
  let denied = false;

  for (;;) {
    if (denied) break; // a person who pressed Deny stops here, whatever the page says
    if (page.status >= 400) {
      const after = previous ? ` after submitting the ${previous.kind} form` : '';
      throw new LoginStepError(`${describe(page)} answered ${page.status}${after}: ${pageMessage(page.html)}`);
    }
    const forms = parseForms(page.html, page.url)
      .map((form) => ({ form, kind: kindOf(form) }))
      .filter((f): f is { form: HtmlForm; kind: FormKind } => f.kind !== undefined)
      .sort((a, b) => KIND_PRIORITY.indexOf(a.kind) - KIND_PRIORITY.indexOf(b.kind));
    const chosen = forms[0];
    if (!chosen) break;
    const { form, kind } = chosen;
    if (previous && previous.kind === kind && previous.action === form.action && kind !== 'autosubmit') {
      throw new LoginStepError(`${describe(page)} showed the ${kind} form again: ${pageMessage(page.html)}`);
    }

    const values = new Map<string, string>();
    let clicked: FormControl | undefined;
    const submits = form.controls.filter(isSubmitControl);
    if (kind === 'signin') {
      const loginField = form.controls.find((c) => c.tag === 'input' && c.type !== 'hidden' && c.type !== 'password' && LOGIN_FIELDS.includes(c.name));
      const passwordField = form.controls.find((c) => c.tag === 'input' && c.type === 'password');
      if (!loginField) throw new LoginStepError(`${describe(page)} has a password form without a login field (expected one named ${LOGIN_FIELDS.join('/')})`);
      values.set(loginField.name, opts.user);
      if (passwordField?.name) values.set(passwordField.name, opts.password);
      clicked = submits.find((c) => decisionOf(c) !== 'deny') ?? submits[0];
    } else if (kind === 'usercode') {
      const field = form.controls.find((c) => c.name === 'user_code' && c.type !== 'hidden');
      const code = field?.value || userCode;
      if (!code)
        throw new LoginStepError(
          `${describe(page)} asks for a device user code, but none was given (use the verification URL with ?user_code=, or pass userCode)`,
        );
      values.set('user_code', code);
      clicked = submits.find((c) => decisionOf(c) !== 'deny') ?? submits[0];
    } else if (kind === 'decision') {
      clicked = submits.find((c) => decisionOf(c) === consent);
      if (!clicked) throw new LoginStepError(`${describe(page)} offers no "${consent}" button`);
      denied = consent === 'deny';
    }
    previous = { kind, action: form.action };
    const data = formData(form, values, clicked);
    page = form.method === 'POST' ? await browser.load(form.action, 'POST', data) : await browser.load(`${form.action.split('?')[0]}?${data.toString()}`);
  }

  const redirectError = browser.redirectErrors.at(-1);
  if (redirectError && !(denied && redirectError === 'access_denied')) {
    throw new LoginStepError(`the provider sent error=${redirectError} back to the application (${describe(page)})`);
  }
  return { finalUrl: page.url, finalStatus: page.status, redirectError };
}
