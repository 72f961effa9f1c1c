// Reads the <form>s of a page the way a browser would submit them: action, method and every
// successful control (hidden inputs included). Regex-based on purpose: the pages it reads are
// the stack's own (the IdP, oidc-provider's device pages, the IAM Identity Center fake), not
// arbitrary web content, and a real HTML parser is not worth a dependency here.

export interface FormControl {
  tag: 'input' | 'button' | 'textarea';
  /** Lower-cased; buttons default to "submit", inputs to "text". */
  type: string;
  name: string;
  value: string;
  /** Checkbox/radio state. */
  checked: boolean;
  /** Button text, for messages. */
  label: string;
}

export interface HtmlForm {
  id: string | undefined;
  /** Absolute URL the form submits to. */
  action: string;
  method: 'GET' | 'POST';
  controls: FormControl[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

export function parseAttributes(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const inner = tag.replace(/^<\s*[a-z]+/i, '').replace(/\/?>$/, '');
  const re = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  for (const m of inner.matchAll(re)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!attributes.has(name)) attributes.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attributes;
}

export function textOf(html: string): string {
  return decodeEntities(
    html
      .replace(/<script[\s\S]*?<\/script>/gi, '')
      .replace(/<style[\s\S]*?<\/style>/gi, '')
      .replace(/<[^>]+>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

function controlsIn(html: string): { control: FormControl; formAttr: string | undefined }[] {
  const found: { index: number; control: FormControl; formAttr: string | undefined }[] = [];
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttributes(m[0]);
    found.push({
      index: m.index,
      formAttr: a.get('form'),
      control: {
        tag: 'input',
        type: (a.get('type') ?? 'text').toLowerCase(),
        name: a.get('name') ?? '',
        value: a.get('value') ?? (['checkbox', 'radio'].includes((a.get('type') ?? '').toLowerCase()) ? 'on' : ''),
        checked: a.has('checked'),
        label: a.get('value') ?? '',
      },
    });
  }
  for (const m of html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    const a = parseAttributes(`<button${m[1] ?? ''}>`);
    found.push({
      index: m.index,
      formAttr: a.get('form'),
      control: {
        tag: 'button',
        type: (a.get('type') ?? 'submit').toLowerCase(),
        name: a.get('name') ?? '',
        value: a.get('value') ?? '',
        checked: false,
        label: textOf(m[2] ?? ''),
      },
    });
  }
  for (const m of html.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
    const a = parseAttributes(`<textarea${m[1] ?? ''}>`);
    found.push({
      index: m.index,
      formAttr: a.get('form'),
      control: { tag: 'textarea', type: 'textarea', name: a.get('name') ?? '', value: decodeEntities(m[2] ?? ''), checked: false, label: '' },
    });
  }
  return found.sort((x, y) => x.index - y.index).map(({ control, formAttr }) => ({ control, formAttr }));
}

/** Every form on the page, with controls inside it plus those outside that name it by form="id". */
export function parseForms(page: string, pageUrl: string): HtmlForm[] {
  // A browser with scripts on ignores <noscript>: form_post pages put their fallback button there.
  const html = page.replace(/<noscript\b[\s\S]*?<\/noscript>/gi, '');
  const forms: HtmlForm[] = [];
  const formBodies = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)(?:<\/form>|$)/gi)];
  const outside = controlsIn(html.replace(/<form\b[\s\S]*?(?:<\/form>|$)/gi, '')).filter((c) => c.formAttr);
  for (const m of formBodies) {
    const a = parseAttributes(`<form${m[1] ?? ''}>`);
    const id = a.get('id');
    const rawAction = a.get('action');
    const controls = controlsIn(m[2] ?? '')
      .filter((c) => c.formAttr === undefined || c.formAttr === id)
      .map((c) => c.control);
    if (id) controls.push(...outside.filter((c) => c.formAttr === id).map((c) => c.control));
    forms.push({
      id,
      action: new URL(rawAction ? rawAction : pageUrl, pageUrl).href,
      method: (a.get('method') ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET',
      controls,
    });
  }
  return forms;
}

export function isSubmitControl(c: FormControl): boolean {
  return (c.tag === 'button' && c.type === 'submit') || (c.tag === 'input' && (c.type === 'submit' || c.type === 'image'));
}

/**
 * The form data set a browser submits (HTML "constructing the entry list"): named controls,
 * checked boxes only, no buttons except the one that was clicked.
 */
export function formData(form: HtmlForm, values: Map<string, string>, clicked: FormControl | undefined): URLSearchParams {
  const data = new URLSearchParams();
  for (const c of form.controls) {
    if (!c.name) continue;
    if (isSubmitControl(c) || c.type === 'reset' || (c.tag === 'button' && c.type === 'button')) continue;
    if ((c.type === 'checkbox' || c.type === 'radio') && !c.checked) continue;
    data.append(c.name, values.get(c.name) ?? c.value);
  }
  if (clicked?.name) data.append(clicked.name, clicked.value);
  return data;
}
