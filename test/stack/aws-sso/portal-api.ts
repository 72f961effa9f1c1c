// SSO portal operations on the wire (aws-sso-api.md §3.4–3.6): GETs with query parameters and the
// bearer token in `x-amz-sso_bearer_token`; failures are PortalErrors `{message, __type}`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PortalError } from './errors.ts';
import { sendAwsError, sendJson } from './http.ts';
import type { IdentityCenter } from './identity-center.ts';

const BEARER_HEADER = 'x-amz-sso_bearer_token';

function bearer(req: IncomingMessage): string | undefined {
  const value = req.headers[BEARER_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function requiredQuery(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (!value) throw new PortalError('InvalidRequestException', `Missing required parameter: ${name}`);
  return value;
}

/** next_token is opaque to clients; here it is the base64url offset of the next page. */
function paginate<T>(items: T[], query: URLSearchParams): { page: T[]; nextToken?: string } {
  const maxParam = query.get('max_result');
  const max = maxParam === null ? 100 : Number(maxParam);
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw new PortalError('InvalidRequestException', 'max_result must be between 1 and 100');
  }
  const tokenParam = query.get('next_token');
  let offset = 0;
  if (tokenParam !== null) {
    offset = Number(Buffer.from(tokenParam, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new PortalError('InvalidRequestException', 'Invalid next_token');
  }
  const page = items.slice(offset, offset + max);
  const next = offset + max;
  return next < items.length ? { page, nextToken: Buffer.from(String(next)).toString('base64url') } : { page };
}

/** Handles the request if it is an SSO portal operation; returns false otherwise. */
export function handlePortalApi(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, idc: IdentityCenter): boolean {
  const route = `${req.method} ${path}`;
  const operation = {
    'GET /assignment/accounts': () => {
      const { page, nextToken } = paginate(idc.listAccounts(bearer(req)), query);
      return { accountList: page, ...(nextToken ? { nextToken } : {}) };
    },
    'GET /assignment/roles': () => {
      const token = bearer(req);
      const { page, nextToken } = paginate(idc.listAccountRoles(token, requiredQuery(query, 'account_id')), query);
      return { roleList: page, ...(nextToken ? { nextToken } : {}) };
    },
    'GET /federation/credentials': () => {
      const token = bearer(req);
      const accountId = requiredQuery(query, 'account_id');
      const roleName = requiredQuery(query, 'role_name');
      return { roleCredentials: idc.getRoleCredentials(token, accountId, roleName) };
    },
    'POST /logout': () => {
      idc.logout(bearer(req));
      return undefined;
    },
  }[route];
  if (!operation) return false;
  try {
    const body = operation();
    if (body === undefined) {
      res.writeHead(200, { 'content-length': 0 }).end();
    } else {
      sendJson(res, 200, body);
    }
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    sendAwsError(res, err);
  }
  return true;
}
