// The user's PagerDuty API token: in the OS keychain (`keyfob login --pagerduty`), or, for
// scripts, in the environment variable the config names. Never in a file.
import type { OnCallSettings } from '../config/index.ts';
import type { SecretStore } from '../keychain/index.ts';

/** The keychain account: one token per PagerDuty API. */
export function pagerDutyTokenKey(url: string): string {
  return `pagerduty:${url.replace(/\/+$/, '')}`;
}

/** A user-level API key is 20 characters; accept any plausible token, refuse blanks and whitespace. */
export function checkPagerDutyToken(raw: string): string | undefined {
  const token = raw.trim();
  return /^[A-Za-z0-9_+\-=/.]{8,200}$/.test(token) ? token : undefined;
}

export async function savePagerDutyToken(store: SecretStore, settings: OnCallSettings, token: string): Promise<void> {
  await store.set(pagerDutyTokenKey(settings.pagerduty.url), token);
}

export async function forgetPagerDutyToken(store: SecretStore, settings: OnCallSettings): Promise<boolean> {
  return store.delete(pagerDutyTokenKey(settings.pagerduty.url));
}

export interface FoundToken {
  token: string;
  /** For messages: "the keychain" or the variable's name. */
  source: string;
}

/** The keychain first; the env variable is the fallback for scripts and machines without one. */
export async function findPagerDutyToken(store: SecretStore, settings: OnCallSettings, env: NodeJS.ProcessEnv): Promise<FoundToken | undefined> {
  const stored = await store.get(pagerDutyTokenKey(settings.pagerduty.url)).catch(() => null);
  if (stored) return { token: stored, source: 'the keychain' };
  const fromEnv = env[settings.pagerduty.tokenEnv];
  return fromEnv ? { token: fromEnv, source: settings.pagerduty.tokenEnv } : undefined;
}
