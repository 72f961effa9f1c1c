// The headless browser's two halves on their own: the cookie jar (path-scoped, expiring cookies,
// which oidc-provider's per-interaction cookies rely on) and the form reader.
import { describe, expect, it } from 'vitest';
import { CookieJar } from '../stack/oidc/cookieJar.ts';
import { formData, parseForms } from '../stack/oidc/htmlForms.ts';
import { pageMessage } from '../stack/oidc/formAgent.ts';

describe('CookieJar', () => {
  it('sends path-scoped cookies only under their path, longest path first', () => {
    const jar = new CookieJar();
    const idp = new URL('http://127.0.0.1:4000/auth?client_id=x');
    jar.store(idp, ['_interaction=u1; path=/ui/u1; httponly; samesite=lax', '_interaction_resume=u1; path=/auth/u1; httponly', '_session=s; path=/; httponly']);
    expect(jar.headerFor(new URL('http://127.0.0.1:4000/ui/u1/login'))).toBe('_interaction=u1; _session=s');
    expect(jar.headerFor(new URL('http://127.0.0.1:4000/ui/u10'))).toBe('_session=s');
    expect(jar.headerFor(new URL('http://127.0.0.1:4000/auth/u1'))).toBe('_interaction_resume=u1; _session=s');
    expect(jar.headerFor(new URL('http://localhost:4000/auth/u1'))).toBeUndefined();
  });

  it('forgets cookies that are cleared or expire', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const jar = new CookieJar(() => now);
    const url = new URL('http://127.0.0.1:4000/');
    jar.store(url, ['a=1; path=/; max-age=60', 'b=2; path=/; expires=Thu, 01 Jan 2026 00:00:30 GMT']);
    expect(jar.headerFor(url)).toBe('a=1; b=2');
    now += 31_000;
    expect(jar.headerFor(url)).toBe('a=1');
    jar.store(url, ['a=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.headerFor(url)).toBeUndefined();
  });
});

describe('parseForms', () => {
  it('reads action, method, hidden inputs and buttons, decoding entities', () => {
    const [form] = parseForms(
      `<form method="POST" action="/ui/abc/confirm?x=1&amp;y=2">
         <input type="hidden" name="xsrf" value="a&quot;b">
         <input type=checkbox name=remember>
         <button type="submit" name="decision" value="approve">Allow</button>
         <button name="decision" value="deny">Deny</button>
       </form>`,
      'http://127.0.0.1:4000/ui/abc',
    );
    expect(form).toMatchObject({ action: 'http://127.0.0.1:4000/ui/abc/confirm?x=1&y=2', method: 'POST' });
    const deny = form!.controls.find((c) => c.value === 'deny');
    expect(formData(form!, new Map(), deny).toString()).toBe('xsrf=a%22b&decision=deny');
  });

  it('attaches controls outside the form by form="id" and ignores <noscript> fallbacks', () => {
    const forms = parseForms(
      `<form id="f" method="post" action="https://idp.test/device"><input type="hidden" name="user_code" value="ABCD"/></form>
       <button type="submit" form="f" name="confirm" value="yes">Continue</button>
       <form method="post" action="/cb"><input type="hidden" name="code" value="c"><noscript><button type="submit">Continue</button></noscript></form>`,
      'https://idp.test/device',
    );
    expect(forms[0]!.controls.map((c) => c.name)).toEqual(['user_code', 'confirm']);
    expect(forms[1]!.controls.map((c) => c.name)).toEqual(['code']);
  });

  it('defaults to GET on the page URL', () => {
    const [form] = parseForms('<form><input name="q" value="v"></form>', 'http://127.0.0.1:1/search?old=1');
    expect(form).toMatchObject({ method: 'GET', action: 'http://127.0.0.1:1/search?old=1' });
  });
});

describe('pageMessage', () => {
  it('prefers the role="alert" text', () => {
    expect(pageMessage('<title>Sign in</title><p role="alert">Invalid username or password.</p><form></form>')).toBe('Invalid username or password.');
    expect(pageMessage('<html><body><h1>Oops</h1> something broke</body></html>')).toBe('Oops something broke');
  });
});
