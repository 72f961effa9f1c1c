// Signing in to the stack the ways an engineer does: Vault's OIDC method (auth_url, the browser,
// callback) and Vault's JWT method with an ID token from the OpenID Provider (code + PKCE).
// The browser is always the stack's own `browser` command, run as BROWSER would be.
import { splitCommand } from '../../../main/core/auth/browser.ts';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { StackInfo } from '../../stack/stack.ts';
import { listenForRedirect } from './loopback.ts';
import { AuthReply, expectBody, vaultClient } from './vault.ts';

export type VaultAuth = z.output<typeof AuthReply>['auth'];

/** Run the stack's `browser` command with `url` as its last argument, as `user`. */
export function runBrowser(info: StackInfo, url: string, user = 'alice'): Promise<void> {
  const [command, ...args] = splitCommand(info.browser);
  return new Promise((resolve, reject) => {
    execFile(command!, [...args, url], { env: { ...process.env, KEYFOB_STACK_USER: user }, timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`browser command failed: ${error.message}\n${stderr}`));
      else resolve();
    });
  });
}

/** Vault's OIDC login (vault-api.md §1.4): auth_url, browser, callback with state/code/client_nonce. */
export async function vaultOidcLogin(info: StackInfo, user = 'alice'): Promise<VaultAuth> {
  const vault = vaultClient(info.vault.addr);
  const listener = await listenForRedirect('/oidc/callback');
  try {
    const clientNonce = randomBytes(15).toString('base64url');
    const urlReply = await vault.write('auth/oidc/oidc/auth_url', { role: 'engineer', redirect_uri: listener.redirectUri, client_nonce: clientNonce });
    const { auth_url: authUrl } = expectBody(urlReply, z.object({ data: z.object({ auth_url: z.string() }) })).data;
    if (!authUrl) throw new Error(`Vault refused redirect_uri ${listener.redirectUri} (empty auth_url)`);
    const [params] = await Promise.all([listener.params, runBrowser(info, authUrl, user)]);
    const query = new URLSearchParams({ state: params.get('state') ?? '', code: params.get('code') ?? '', id_token: '', client_nonce: clientNonce });
    return expectBody(await vault.read(`auth/oidc/oidc/callback?${query}`), AuthReply).auth;
  } finally {
    listener.close();
  }
}

const Discovery = z.object({ authorization_endpoint: z.string(), token_endpoint: z.string() });
const TokenReply = z.object({ id_token: z.string() });

/** An ID token for Keyfob's public client: authorization code with PKCE, signed in through the browser command. */
export async function idTokenFor(info: StackInfo, user = 'alice'): Promise<string> {
  const discovery = Discovery.parse(await (await fetch(`${info.oidc.issuer}/.well-known/openid-configuration`)).json());
  const listener = await listenForRedirect('/callback');
  try {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const authorize = new URL(discovery.authorization_endpoint);
    authorize.search = new URLSearchParams({
      client_id: info.oidc.keyfobClientId,
      response_type: 'code',
      redirect_uri: listener.redirectUri,
      scope: 'openid email profile groups',
      state,
      nonce: randomBytes(16).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const [params] = await Promise.all([listener.params, runBrowser(info, authorize.toString(), user)]);
    if (params.get('state') !== state) throw new Error(`state mismatch in redirect: ${params.toString()}`);
    const code = params.get('code');
    if (!code) throw new Error(`no code in redirect: ${params.toString()}`);
    const res = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: listener.redirectUri,
        client_id: info.oidc.keyfobClientId,
        code_verifier: verifier,
      }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}: ${text}`);
    return TokenReply.parse(JSON.parse(text)).id_token;
  } finally {
    listener.close();
  }
}

/** An engineer's Vault token through auth/jwt with an ID token from the OpenID Provider. */
export async function engineerLogin(info: StackInfo, user = 'alice'): Promise<VaultAuth> {
  const jwt = await idTokenFor(info, user);
  return expectBody(await vaultClient(info.vault.addr).write('auth/jwt/login', { role: 'engineer', jwt }), AuthReply).auth;
}
