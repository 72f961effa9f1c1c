// Vault, IdP, SSO and on-call addresses must be https; plain http is only tolerated on loopback,
// where there is no network to eavesdrop on (the local stack, a dev Vault).
import { isIPv4 } from 'node:net';

/** True for localhost, 127.0.0.0/8 and ::1 (as URL hostnames spell them). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  return isIPv4(host) && host.startsWith('127.');
}

/** Why `raw` is not an acceptable service address, or undefined when it is. */
export function insecureUrlReason(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a URL`;
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname) ? undefined : `must use https (plain http is allowed only for loopback addresses such as 127.0.0.1), got ${url.origin}`;
  }
  return `must be an https URL, got ${url.protocol.replace(/:$/, '')}`;
}
