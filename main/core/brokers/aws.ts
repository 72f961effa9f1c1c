// AWS credentials for a command's environment and for the AWS CLI's credential_process.

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  /** Epoch ms when the keys stop working. */
  expiresAt: number;
}

export function awsEnv(keys: AwsKeys): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    ...(keys.sessionToken ? { AWS_SESSION_TOKEN: keys.sessionToken } : {}),
  };
}

/** The JSON the AWS CLI and SDKs expect from a credential_process (Version 1). */
export function credentialProcessOutput(keys: AwsKeys): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: keys.accessKeyId,
    SecretAccessKey: keys.secretAccessKey,
    ...(keys.sessionToken ? { SessionToken: keys.sessionToken } : {}),
    Expiration: new Date(keys.expiresAt).toISOString(),
  });
}
