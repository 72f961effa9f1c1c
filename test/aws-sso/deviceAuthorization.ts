// The start of a device authorization against the stack's IAM Identity Center, as the AWS SDK makes
// it: register a public client, start the authorization, and a poll for the token.
import { CreateTokenCommand, RegisterClientCommand, StartDeviceAuthorizationCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** `scopes: null` registers without scopes, as the legacy CLI config does. */
export async function beginDeviceAuthorization(oidc: SSOOIDCClient, startUrl: string, scopes: string[] | null = ['sso:account:access']) {
  const reg = await oidc.send(new RegisterClientCommand({ clientName: 'keyfob-test', clientType: 'public', scopes: scopes ?? undefined }));
  const dev = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: reg.clientId!, clientSecret: reg.clientSecret!, startUrl }));
  const createToken = () =>
    oidc.send(
      new CreateTokenCommand({
        clientId: reg.clientId!,
        clientSecret: reg.clientSecret!,
        grantType: DEVICE_GRANT,
        deviceCode: dev.deviceCode!,
      }),
    );
  return { reg, dev, createToken };
}
