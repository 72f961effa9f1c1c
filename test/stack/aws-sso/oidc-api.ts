// SSO OIDC operations on the wire (aws-sso-api.md §3.1–3.3): restJson1 bodies in, JSON out,
// every failure an OidcError with the modeled status and `x-amzn-errortype`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { OidcError } from './errors.ts';
import { readBody, sendAwsError, sendJson } from './http.ts';
import type { IdentityCenter } from './identity-center.ts';

const RegisterClientRequest = z.object({
  clientName: z.string().min(1),
  clientType: z.string().min(1),
  scopes: z.array(z.string()).optional(),
  redirectUris: z.array(z.string()).optional(),
  grantTypes: z.array(z.string()).optional(),
  issuerUrl: z.string().optional(),
  entitledApplicationArn: z.string().optional(),
});

const StartDeviceAuthorizationRequest = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  startUrl: z.string().min(1),
});

const CreateTokenRequest = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  grantType: z.string().min(1),
  deviceCode: z.string().optional(),
  code: z.string().optional(),
  refreshToken: z.string().optional(),
  scope: z.array(z.string()).optional(),
  redirectUri: z.string().optional(),
  codeVerifier: z.string().optional(),
});

async function parseRequest<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = JSON.parse((await readBody(req)) || '{}');
  } catch {
    throw new OidcError('InvalidRequestException', 'Request body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ');
    throw new OidcError('InvalidRequestException', `Invalid or missing fields: ${fields}`);
  }
  return parsed.data;
}

/** Handles the request if it is an SSO OIDC operation; returns false otherwise. */
export async function handleOidcApi(req: IncomingMessage, res: ServerResponse, path: string, idc: IdentityCenter, verificationUri: string): Promise<boolean> {
  if (req.method !== 'POST') return false;
  const operation = {
    '/client/register': async () => idc.registerClient(await parseRequest(req, RegisterClientRequest)),
    '/device_authorization': async () => idc.startDeviceAuthorization(await parseRequest(req, StartDeviceAuthorizationRequest), verificationUri),
    '/token': async () => idc.createToken(await parseRequest(req, CreateTokenRequest)),
  }[path];
  if (!operation) return false;
  try {
    sendJson(res, 200, await operation());
  } catch (err) {
    sendAwsError(res, err instanceof OidcError ? err : new OidcError('InternalServerException', 'An internal error occurred'));
  }
  return true;
}
