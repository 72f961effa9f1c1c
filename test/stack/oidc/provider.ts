// The stack's OpenID Provider: the real, certified `oidc-provider` package on 127.0.0.1 with two
// test users, real sign-in and consent pages (no devInteractions, which accept any password),
// a public native client for Keyfob and a confidential client for Vault's OIDC auth method.
// Facts it relies on are in shared/oidc-provider.md (section numbers below refer to it).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Provider, errors as oidcErrors } from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { consentPage, deviceConfirmPage, deviceInputPage, deviceSuccessPage, errorPage, loginPage } from './pages.ts';

export interface TestUser {
  /** The login name typed on the sign-in page; also the `sub`. */
  name: string;
  email: string;
  password: string;
  groups: string[];
}

export interface OidcProviderHandle {
  /** `http://127.0.0.1:<port>`, exactly as discovery reports it (no trailing slash). */
  issuer: string;
  users: TestUser[];
  /** Public native client (PKCE, any loopback port, device grant, refresh tokens). */
  keyfobClientId: string;
  /** Confidential client for Vault's OIDC auth method. */
  vaultClientId: string;
  vaultClientSecret: string;
  stop(): Promise<void>;
}

const KEYFOB_CLIENT_ID = 'keyfob';
const VAULT_CLIENT_ID = 'vault';

/** Display names for the `name` claim; the login name stays short. */
const PEOPLE: { name: string; fullName: string; groups: string[] }[] = [
  { name: 'alice', fullName: 'Alice Example', groups: ['engineers', 'oncall'] },
  { name: 'bob', fullName: 'Bob Example', groups: ['engineers'] },
  // Signs in to the IdP but is not an engineer: Vault's roles are bound to the engineers group.
  { name: 'carol', fullName: 'Carol Example', groups: ['sales'] },
];

// Native clients get port-agnostic loopback matching (RFC 8252 §7.3, doc §1.2), but the host and
// path must match exactly, so each host/path pair a client may use is registered (without a port).
function loopbackRedirects(paths: string[]): string[] {
  const hosts = ['127.0.0.1', 'localhost', '[::1]'];
  return hosts.flatMap((host) => paths.map((path) => `http://${host}${path}`));
}

function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

function passwordMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

export async function startOidcProvider(opts: { port?: number } = {}): Promise<OidcProviderHandle> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Listen first: the issuer must carry the real port (doc §1.1).
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const users: TestUser[] = PEOPLE.map((p) => ({
    name: p.name,
    email: `${p.name}@example.com`,
    password: generatePassword(),
    groups: p.groups,
  }));
  const fullNames = new Map(PEOPLE.map((p) => [p.name, p.fullName]));
  const findUser = (name: string): TestUser | undefined => users.find((u) => u.name === name);

  const vaultClientSecret = randomBytes(24).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: KEYFOB_CLIENT_ID,
        client_name: 'Keyfob',
        application_type: 'native',
        token_endpoint_auth_method: 'none', // public client: PKCE is required (doc §1.6)
        redirect_uris: loopbackRedirects(['/callback', '/oidc/callback']),
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
      {
        client_id: VAULT_CLIENT_ID,
        client_name: 'Vault',
        client_secret: vaultClientSecret,
        // "native" only to get the port-agnostic loopback match: Vault's CLI listens on
        // localhost:8250 by default, Keyfob on a port it picks, the UI on Vault's own port.
        application_type: 'native',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: loopbackRedirects(['/oidc/callback', '/ui/vault/auth/oidc/oidc/callback', '/v1/auth/oidc/oidc/callback']),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    async findAccount(_ctx: unknown, sub: string) {
      const user = findUser(sub);
      if (!user) return undefined; // only our login handler creates sessions (doc §3)
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: user.email,
            email_verified: true,
            name: fullNames.get(sub),
            preferred_username: user.name,
            groups: user.groups,
          };
        },
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    // Put scope claims (email, groups, ...) into the ID token too, not only into userinfo:
    // Vault's JWT login sees nothing but the token (doc §1.3).
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        async userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out: unknown, err?: Error & { userCode?: string }) {
          let message: string | undefined;
          if (err?.name === 'AbortedError') message = 'The sign-in request was denied.';
          else if (err?.userCode !== undefined || err?.name === 'NoCodeError') message = 'That code is not valid. Check it and try again.';
          else if (err) message = 'There was an error processing your request.';
          ctx.type = 'html';
          ctx.body = deviceInputPage(form, message);
        },
        async userCodeConfirmSource(
          ctx: KoaContextWithOIDC,
          form: string,
          client: { clientId: string; clientName?: string },
          _info: unknown,
          userCode: string,
        ) {
          ctx.type = 'html';
          ctx.body = deviceConfirmPage(form, client.clientName ?? client.clientId, userCode);
        },
        async successSource(ctx: KoaContextWithOIDC) {
          ctx.type = 'html';
          ctx.body = deviceSuccessPage(ctx.oidc.client?.clientName ?? 'the device');
        },
      },
      // A token is revoked only by the client it was issued to (RFC 7009 §2.1): Keyfob is a
      // public client, so it can only ever revoke its own refresh tokens.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId,
      },
      introspection: { enabled: true },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/ui/${interaction.uid}` },
    async renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = errorPage('Sign-in error', `${out.error ?? 'error'}: ${out.error_description ?? ''}`.trim());
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 86_400,
      Interaction: 600,
      Session: 3600,
      Grant: 86_400,
      DeviceCode: 600,
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
  });
  const providerCallback = provider.callback();

  async function handleInteraction(req: http.IncomingMessage, res: http.ServerResponse, uid: string, action: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) {
      sendHtml(res, 400, errorPage('Sign-in error', 'This sign-in page does not belong to the current sign-in. Start again.'));
      return;
    }
    const clientName = details.params.client_id === VAULT_CLIENT_ID ? 'Vault' : (details.params.client_id ?? 'the application');
    const promptName = details.prompt.name;

    if (req.method === 'GET' && action === '') {
      if (promptName === 'login') {
        sendHtml(res, 200, loginPage({ uid, clientName }));
      } else if (promptName === 'consent') {
        const missingScopes = (details.prompt.details['missingOIDCScope'] as string[] | undefined) ?? [];
        const missingClaims = (details.prompt.details['missingOIDCClaims'] as string[] | undefined) ?? [];
        sendHtml(res, 200, consentPage({ uid, clientName, account: details.session?.accountId ?? '', scopes: missingScopes, claims: missingClaims }));
      } else {
        sendHtml(res, 400, errorPage('Sign-in error', `Unsupported prompt "${promptName}".`));
      }
      return;
    }

    if (req.method === 'GET' && action === 'abort') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (req.method === 'POST' && action === 'login' && promptName === 'login') {
      const form = await readForm(req);
      const login = form.get('login') ?? '';
      const user = findUser(login);
      if (!user || !passwordMatches(form.get('password') ?? '', user.password)) {
        // The interaction stays valid, so the person can retry (doc §3).
        sendHtml(res, 401, loginPage({ uid, clientName, login, error: 'Invalid username or password.' }));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.name, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
      return;
    }

    if (req.method === 'POST' && action === 'confirm' && promptName === 'consent') {
      const form = await readForm(req);
      if (form.get('decision') !== 'approve') {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'End-User denied the authorization request' },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const { prompt, params, session, grantId } = details;
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session?.accountId ?? '', clientId: String(params.client_id) });
      if (!grant) throw new Error('grant not found');
      const missingScope = prompt.details['missingOIDCScope'] as string[] | undefined;
      const missingClaims = prompt.details['missingOIDCClaims'] as string[] | undefined;
      const missingResource = prompt.details['missingResourceScopes'] as Record<string, string[]> | undefined;
      if (missingScope) grant.addOIDCScope(missingScope.join(' '));
      if (missingClaims) grant.addOIDCClaims(missingClaims);
      for (const [indicator, scopes] of Object.entries(missingResource ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const savedId = await grant.save();
      await provider.interactionFinished(req, res, { consent: grantId ? {} : { grantId: savedId } }, { mergeWithLastSubmission: true });
      return;
    }

    sendHtml(
      res,
      400,
      errorPage('Sign-in error', `This page does not accept ${req.method} ${action || 'view'} now (the sign-in is at the "${promptName}" step).`),
    );
  }

  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    const match = /^\/ui\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/.exec(path);
    if (!match) {
      providerCallback(req, res);
      return;
    }
    handleInteraction(req, res, match[1] ?? '', match[2] ?? '').catch((err: unknown) => {
      if (res.headersSent) return;
      if (err instanceof oidcErrors.SessionNotFound) {
        sendHtml(res, 400, errorPage('Sign-in expired', 'The sign-in session expired or its cookie is missing. Start again from the application.'));
      } else {
        sendHtml(res, 500, errorPage('Sign-in error', err instanceof Error ? err.message : String(err)));
      }
    });
  });

  return {
    issuer,
    users,
    keyfobClientId: KEYFOB_CLIENT_ID,
    vaultClientId: VAULT_CLIENT_ID,
    vaultClientSecret,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
