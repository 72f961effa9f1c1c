// What the stack's headless `browser` agent does with the verification pages, reduced to fetch:
// read the page's forms, fill named inputs, press a named button, keep cookies.
// Regexes are enough here: the HTML is our own, simple markup.

export interface HtmlForm {
  action: string;
  method: string;
  /** Named <input>s with their value attributes (hidden ones carry state). */
  inputs: Map<string, string>;
  /** Submit buttons as name=value (or just their text when unnamed). */
  buttons: { name: string | undefined; value: string | undefined }[];
}

export interface Page {
  url: string;
  status: number;
  html: string;
  forms: HtmlForm[];
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m?.[1]?.replace(/&#(\d+);/g, (_s, code: string) => String.fromCharCode(Number(code)));
}

export function parseForms(html: string): HtmlForm[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map(([, formAttrs = '', inner = '']) => ({
    action: attr(formAttrs, 'action') ?? '',
    method: (attr(formAttrs, 'method') ?? 'get').toLowerCase(),
    inputs: new Map(
      [...inner.matchAll(/<input\b[^>]*>/g)].flatMap(([tag]) => {
        const name = attr(tag, 'name');
        return name === undefined ? [] : [[name, attr(tag, 'value') ?? ''] as [string, string]];
      }),
    ),
    buttons: [...inner.matchAll(/<button\b[^>]*>/g)].map(([tag]) => ({ name: attr(tag, 'name'), value: attr(tag, 'value') })),
  }));
}

export class FormAgent {
  readonly #cookies = new Map<string, string>();

  async open(url: string): Promise<Page> {
    return this.#toPage(url, await fetch(url, { headers: this.#headers(), redirect: 'manual' }));
  }

  /** Submits the form that has all `fields` as inputs (and `button`, if given), like a click would. */
  async submit(from: Page, fields: Record<string, string>, button?: { name: string; value: string }): Promise<Page> {
    const form = from.forms.find(
      (f) => Object.keys(fields).every((k) => f.inputs.has(k)) && (!button || f.buttons.some((b) => b.name === button.name && b.value === button.value)),
    );
    if (!form) throw new Error(`no form with ${JSON.stringify({ fields: Object.keys(fields), button })} on ${from.url}:\n${from.html}`);
    const body = new URLSearchParams([...form.inputs]);
    for (const [k, v] of Object.entries(fields)) body.set(k, v);
    if (button) body.set(button.name, button.value);
    const target = new URL(form.action || from.url, from.url).href;
    if (form.method !== 'post') throw new Error(`form ${form.action} is ${form.method}, the page convention is post`);
    const res = await fetch(target, {
      method: 'POST',
      headers: { ...this.#headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
    return this.#toPage(target, res);
  }

  #headers(): Record<string, string> {
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return cookie ? { cookie } : {};
  }

  async #toPage(url: string, res: Response): Promise<Page> {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const html = await res.text();
    return { url, status: res.status, html, forms: parseForms(html) };
  }
}

/** Follows verificationUriComplete as a person would: sign in, then approve or deny. */
export async function signInAndDecide(verificationUriComplete: string, login: string, password: string, decision: 'approve' | 'deny'): Promise<Page> {
  const agent = new FormAgent();
  const signIn = await agent.open(verificationUriComplete);
  const approval = await agent.submit(signIn, { login, password });
  return agent.submit(approval, {}, { name: 'decision', value: decision });
}
