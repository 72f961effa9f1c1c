// IAM Identity Center sign-in: OAuth device authorization (RFC 8628) through
// @aws-sdk/client-sso-oidc, then role credentials through @aws-sdk/client-sso.
import { GetRoleCredentialsCommand, SSOClient } from '@aws-sdk/client-sso';
import {
  AccessDeniedException,
  AuthorizationPendingException,
  CreateTokenCommand,
  ExpiredTokenException,
  RegisterClientCommand,
  SlowDownException,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand,
} from '@aws-sdk/client-sso-oidc';
import type { OnAuthUrl, OpenUrl } from './browser.ts';
import { SignInError } from './signInError.ts';

export interface AwsSsoSettings {
  startUrl: string;
  region: string;
  /** Override for the sso-oidc and portal endpoints (the local stack); real AWS otherwise. */
  endpoint?: string;
}

export interface AwsSsoToken {
  accessToken: string;
  expiresAt: number; // epoch ms
  refreshToken: string | undefined;
  clientId: string;
  clientSecret: string;
}

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number; // epoch ms
}

const SLOW_DOWN_STEP_MS = 5000;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

function clientOptions(settings: AwsSsoSettings) {
  // Region is required even with an endpoint override; explicit FIPS/dual-stack off so stray
  // environment settings cannot break a custom endpoint (aws-sso-api.md §6).
  return { region: settings.region, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}), useFipsEndpoint: false, useDualstackEndpoint: false };
}

export interface DeviceFlowOptions {
  onAuthUrl: OnAuthUrl;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
  /** Give up waiting for the approval after this long, if sooner than the device code expires. */
  timeoutMs?: number;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new SignInError('sign-in cancelled', 'sign-in-cancelled'));
      },
      { once: true },
    );
  });

export async function signInWithAwsSso(settings: AwsSsoSettings, openUrl: OpenUrl, opts: DeviceFlowOptions): Promise<AwsSsoToken> {
  const oidc = new SSOOIDCClient(clientOptions(settings));
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  try {
    const reg = await oidc.send(new RegisterClientCommand({ clientName: 'keyfob', clientType: 'public', scopes: ['sso:account:access'] }));
    if (!reg.clientId || !reg.clientSecret) throw new SignInError('IAM Identity Center did not register Keyfob as a client');
    const device = await oidc.send(
      new StartDeviceAuthorizationCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, startUrl: settings.startUrl }),
    );
    if (!device.deviceCode || !device.verificationUri) throw new SignInError('IAM Identity Center did not start a device authorization');
    const url = device.verificationUriComplete ?? device.verificationUri;
    opts.onAuthUrl(url, { userCode: device.userCode ?? '?' });
    await openUrl(url);

    let intervalMs = Math.max(1, device.interval ?? 5) * 1000;
    const codeExpires = now() + Math.max(1, device.expiresIn ?? 600) * 1000;
    const giveUp = opts.timeoutMs === undefined ? codeExpires : Math.min(codeExpires, now() + opts.timeoutMs);
    const tooLate = () =>
      giveUp < codeExpires
        ? new SignInError(`no approval from the browser within ${Math.round(opts.timeoutMs! / 1000)} s; sign-in abandoned`, 'sign-in-timeout')
        : new SignInError('the device code expired before the sign-in was approved; run keyfob login again');
    for (;;) {
      await sleep(intervalMs, opts.signal);
      try {
        const token = await oidc.send(
          new CreateTokenCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, grantType: DEVICE_GRANT, deviceCode: device.deviceCode }),
        );
        if (!token.accessToken) throw new SignInError('IAM Identity Center returned no access token');
        return {
          accessToken: token.accessToken,
          expiresAt: now() + (token.expiresIn ?? 3600) * 1000,
          refreshToken: token.refreshToken,
          clientId: reg.clientId,
          clientSecret: reg.clientSecret,
        };
      } catch (error) {
        if (error instanceof AuthorizationPendingException) {
          if (now() >= giveUp) throw tooLate();
          continue;
        }
        if (error instanceof SlowDownException) {
          intervalMs += SLOW_DOWN_STEP_MS; // RFC 8628 §3.5
          continue;
        }
        if (error instanceof ExpiredTokenException)
          throw new SignInError('the device code expired before the sign-in was approved; run keyfob login again', 'sign-in-timeout');
        if (error instanceof AccessDeniedException) throw new SignInError('the sign-in was denied in the browser');
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof SignInError) throw error;
    throw new SignInError(`IAM Identity Center sign-in failed: ${(error as Error).message}`);
  } finally {
    oidc.destroy();
  }
}

export async function awsRoleCredentials(settings: AwsSsoSettings, accessToken: string, accountId: string, roleName: string): Promise<RoleCredentials> {
  const sso = new SSOClient(clientOptions(settings));
  try {
    const out = await sso.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }));
    const c = out.roleCredentials;
    if (!c?.accessKeyId || !c.secretAccessKey || !c.sessionToken || !c.expiration)
      throw new SignInError('IAM Identity Center returned incomplete role credentials');
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration };
  } catch (error) {
    if (error instanceof SignInError) throw error;
    const name = (error as Error).name;
    if (name === 'UnauthorizedException')
      throw new SignInError('your IAM Identity Center sign-in has expired; run keyfob login --method aws-sso', 'not-signed-in');
    throw new SignInError(`IAM Identity Center refused role ${roleName} in account ${accountId}: ${(error as Error).message}`);
  } finally {
    sso.destroy();
  }
}
