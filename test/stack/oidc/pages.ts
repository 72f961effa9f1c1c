// The HTML a person sees at the test IdP: sign-in, consent, device-code pages and errors.
// They follow the page conventions that test/stack/oidc/formAgent.ts drives headlessly:
// a sign-in form with inputs `login` + `password`; an approval form whose submit buttons are
// name="decision" value="approve" | "deny"; failures explained in an element with role="alert".

export function escapeHtml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto}label{display:block;margin:.5rem 0}
[role=alert]{color:#b00020}button{margin:.5rem .5rem 0 0}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

function alert(message: string | undefined): string {
  return message ? `<p role="alert">${escapeHtml(message)}</p>` : '';
}

export function loginPage(opts: { uid: string; clientName: string; login?: string; error?: string }): string {
  return page(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(opts.clientName)}</strong></p>
${alert(opts.error)}
<form method="post" action="/ui/${escapeHtml(opts.uid)}/login" autocomplete="off">
  <label>Username <input type="text" name="login" value="${escapeHtml(opts.login ?? '')}" required autofocus></label>
  <label>Password <input type="password" name="password" required></label>
  <button type="submit">Sign in</button>
</form>
<p><a href="/ui/${escapeHtml(opts.uid)}/abort">Cancel</a></p>`,
  );
}

export function consentPage(opts: { uid: string; clientName: string; account: string; scopes: string[]; claims: string[] }): string {
  const items = [...opts.scopes, ...opts.claims].map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  return page(
    'Authorize access',
    `<p>Signed in as <strong>${escapeHtml(opts.account)}</strong>.</p>
<p><strong>${escapeHtml(opts.clientName)}</strong> asks for:</p>
<ul>${items || '<li>access it was granted before</li>'}</ul>
<form method="post" action="/ui/${escapeHtml(opts.uid)}/confirm">
  <button type="submit" name="decision" value="approve" autofocus>Allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, alert(message));
}

/**
 * Device flow: oidc-provider renders the form (hidden xsrf + `user_code`) and closes it without a
 * submit control; a real submit button goes inside so the page works without scripts.
 */
export function deviceInputPage(form: string, error: string | undefined): string {
  const withButton = form.replace('</form>', '<button type="submit">Continue</button></form>');
  return page('Connect a device', `${alert(error)}<p>Enter the code shown on your device.</p>${withButton}`);
}

/**
 * oidc-provider's confirm form carries a hidden confirm=yes; it is replaced by two buttons so the
 * user chooses, as on a real page: confirm=yes continues, abort=yes denies (the provider's names).
 */
export function deviceConfirmPage(form: string, clientName: string, userCode: string): string {
  const withButtons = form
    .replace(/<input type="hidden" name="confirm" value="yes"\/>/, '')
    .replace(
      '</form>',
      '<button type="submit" name="confirm" value="yes" autofocus>Continue</button>' + '<button type="submit" name="abort" value="yes">Deny</button></form>',
    );
  return page(
    'Confirm device',
    `<p><strong>${escapeHtml(clientName)}</strong> wants to sign in on a device showing the code</p>
<p><code>${escapeHtml(userCode)}</code></p>${withButtons}`,
  );
}

export function deviceSuccessPage(clientName: string): string {
  return page('Sign-in complete', `<p>You are signed in to ${escapeHtml(clientName)}. You can close this window.</p>`);
}
