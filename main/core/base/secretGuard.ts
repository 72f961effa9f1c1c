// Last line of defence for files on disk (journal, audit log): they hold ids, targets and times,
// never a secret. Keys that name a secret are refused outright; values that look like one
// (Vault tokens, private keys, AWS keys and session tokens, SSO bearer tokens, JWTs, URIs with a
// password) are refused or redacted.

const SECRET_KEY_WORDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'privatekey', 'apikey', 'accesskey', 'credential'];

const SECRET_VALUE_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  // The whole PEM block (to its END line, or to the end of the text if cut off).
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----|[\s\S]*$)/],
  // No word boundary before it: a token glued to other text (an escape sequence, a prefix) is still one.
  ['a Vault token', /hv[sbr]\.[A-Za-z0-9_-]{20,}/],
  ['a Vault token', /(?<![A-Za-z0-9])s\.[A-Za-z0-9]{24}(?![A-Za-z0-9])/],
  // Legacy batch (b.) and recovery (r.) tokens, from Vaults before 1.10.
  ['a Vault token', /(?<![A-Za-z0-9])[br]\.[A-Za-z0-9_-]{24,}/],
  ['an AWS access key', /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/],
  // STS session tokens start with the base64 of their first bytes (FwoGZXIvYXdz…, IQoJb3JpZ2lu…).
  ['an AWS session token', /(?:FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{20,}/],
  // Identity Center (SSO OIDC) access and refresh tokens: aoa…/aor… and long.
  ['an SSO bearer token', /(?<![A-Za-z0-9])ao[ar][A-Za-z0-9+/_:=-]{40,}/],
  // Exactly 40 base64 characters with both cases: a secret access key, never a (one-case) hex
  // SHA-1, nor a lease id such as aws/creds/admin/… (a mount, then creds/, sts/, sign/ or issue/:
  // a key may well start with a lowercase run and a slash, so that alone proves nothing). After the
  // prefixed tokens above, so a piece of one of those is not named an AWS secret key.
  [
    'an AWS secret key',
    /(?<![A-Za-z0-9/+])(?![a-z0-9_-]+\/(?:creds|sts|sign|issue)\/)(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/,
  ],
  ['a JSON Web Token', /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/],
  ['a URL with a password', /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
];

export class SecretLeakError extends Error {
  readonly code = 'SECRET_REFUSED';

  constructor(message: string) {
    super(message);
    this.name = 'SecretLeakError';
  }
}

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z]/g, '');
  return SECRET_KEY_WORDS.some((word) => normalized.includes(word));
}

/** What a value looks like, if it looks like a secret. */
export function secretKind(value: string): string | undefined {
  return SECRET_VALUE_PATTERNS.find(([, pattern]) => pattern.test(value))?.[0];
}

/** Throws if any key (at any depth) names a secret, or any string value looks like one. */
export function assertNoSecrets(value: unknown, where: string, path = ''): void {
  if (typeof value === 'string') {
    const kind = secretKind(value);
    if (kind) throw new SecretLeakError(`Refused to write ${kind} to ${where}${path ? ` (field ${path})` : ''}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertNoSecrets(item, where, `${path}[${i}]`));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const child = path ? `${path}.${key}` : key;
      if (isSecretKey(key)) throw new SecretLeakError(`Refused to write field "${child}" to ${where}: it names a secret`);
      assertNoSecrets(inner, where, child);
    }
  }
}

// The same patterns, global, made once: redactSecrets runs on every audit detail and journaled
// error, and compiling ten expressions per call was most of its cost (--cpu-prof). A global
// pattern's lastIndex is reset by replace() itself, so sharing them is safe.
const REDACT_PATTERNS = SECRET_VALUE_PATTERNS.map(([, pattern]) => new RegExp(pattern.source, `${pattern.flags}g`));

/** For free text from elsewhere (error messages): cuts out anything that looks like a secret. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of REDACT_PATTERNS) out = out.replace(pattern, '[redacted]');
  return out;
}
