// A local AWS IAM Identity Center: the SSO OIDC API (device authorization), the SSO portal API
// (accounts, roles, role credentials) and the device-verification pages, on one loopback server.
// `@aws-sdk/client-sso-oidc` and `@aws-sdk/client-sso` talk to it with `endpoint` set to
// `endpoint` (and any `region`); the wire format follows shared/aws-sso-api.md.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { handleOidcApi } from './aws-sso/oidc-api.ts';
import { handlePortalApi } from './aws-sso/portal-api.ts';
import { readBody, sendJson } from './aws-sso/http.ts';
import { IdentityCenter, type AccountAssignment, type SsoUser } from './aws-sso/identity-center.ts';
import { VerificationPages } from './aws-sso/verification-pages.ts';

export type { AccountAssignment, SsoUser } from './aws-sso/identity-center.ts';

export interface AwsSsoOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Who can sign in on the verification page. Default: alice and bob with fresh random passwords. */
  users?: SsoUser[];
  /** Default: DEFAULT_ACCOUNTS (alice: dev Developer+ReadOnly, prod ReadOnly; bob: dev ReadOnly). */
  accounts?: AccountAssignment[];
  /** Reported for clients to configure; the server accepts any. Default us-east-1. */
  region?: string;
  /** Device code lifetime; fractional values make expiry tests fast. Default 600 (as AWS). */
  deviceCodeTtlSeconds?: number;
  /** Minimum CreateToken poll interval; faster polls get slow_down. Default 1 (as AWS). */
  pollIntervalSeconds?: number;
  /** Access token (SSO session) lifetime. Default 8 hours. */
  accessTokenTtlSeconds?: number;
  /** Role credential lifetime (`expiration`). Default 1 hour. */
  roleCredentialsTtlSeconds?: number;
}

export interface AwsSso {
  /** Base URL for both SDK clients' `endpoint`. */
  endpoint: string;
  /** The access portal URL to pass to StartDeviceAuthorization (others are refused). */
  startUrl: string;
  region: string;
  /** The page StartDeviceAuthorization points users to. */
  verificationUri: string;
  /** The users that can sign in, with their passwords. */
  users: SsoUser[];
  /** Ends every SSO session (of one user, if named): their access and refresh tokens stop working. */
  revokeSessions(user?: string): number;
  stop(): Promise<void>;
}

export const DEFAULT_ACCOUNTS: AccountAssignment[] = [
  { accountId: '111122223333', accountName: 'dev', emailAddress: 'aws-dev@example.com', roles: ['Developer', 'ReadOnly'], users: ['alice'] },
  { accountId: '111122223333', accountName: 'dev', emailAddress: 'aws-dev@example.com', roles: ['ReadOnly'], users: ['bob'] },
  { accountId: '444455556666', accountName: 'prod', emailAddress: 'aws-prod@example.com', roles: ['ReadOnly'], users: ['alice'] },
];

const RevokeSessionsRequest = z.object({ user: z.string().optional() });

function defaultUsers(): SsoUser[] {
  return ['alice', 'bob'].map((name) => ({ name, password: randomBytes(12).toString('base64url') }));
}

export async function startAwsSso(opts: AwsSsoOptions = {}): Promise<AwsSso> {
  const users = opts.users ?? defaultUsers();
  const region = opts.region ?? 'us-east-1';
  const now = () => Date.now();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const startUrl = `${endpoint}/start`;
  const verificationUri = `${endpoint}/device`;

  const idc = new IdentityCenter({
    users,
    accounts: opts.accounts ?? DEFAULT_ACCOUNTS,
    startUrl,
    deviceCodeTtlSeconds: opts.deviceCodeTtlSeconds ?? 600,
    pollIntervalSeconds: opts.pollIntervalSeconds ?? 1,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 8 * 3600,
    roleCredentialsTtlSeconds: opts.roleCredentialsTtlSeconds ?? 3600,
    now,
  });
  const pages = new VerificationPages(idc, now);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', endpoint);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (await handleOidcApi(req, res, path, idc, verificationUri)) return;
    if (handlePortalApi(req, res, path, url.searchParams, idc)) return;
    if (await pages.handle(req, res, path, url.searchParams)) return;
    if (req.method === 'POST' && path === '/_admin/sessions/revoke') {
      let json: unknown;
      try {
        json = JSON.parse((await readBody(req)) || '{}');
      } catch {
        json = undefined;
      }
      const parsed = RevokeSessionsRequest.safeParse(json);
      if (!parsed.success) return sendJson(res, 400, { message: 'expected {"user"?: string}' });
      return sendJson(res, 200, { revoked: idc.revokeSessions(parsed.data.user) });
    }
    sendJson(res, 404, { message: `No operation at ${req.method} ${path}` }, { 'x-amzn-errortype': 'UnknownOperationException' });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: err instanceof Error ? err.message : 'internal error' });
      else res.destroy();
    });
  });

  return {
    endpoint,
    startUrl,
    region,
    verificationUri,
    users,
    revokeSessions: (user) => idc.revokeSessions(user),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The SDK keeps connections alive; close them so stop() does not wait for their timeout.
        server.closeAllConnections();
      });
    },
  };
}
