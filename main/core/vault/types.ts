// What the Vault client returns, parsed from Vault's answers: plain data, no node-vault types.

export interface VaultHealth {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  version: string;
  clusterName: string | undefined;
}

export interface VaultAuth {
  clientToken: string;
  accessor: string;
  policies: string[];
  metadata: Record<string, string>;
  /** Seconds the token lives from now. */
  leaseDuration: number;
  renewable: boolean;
  entityId: string | undefined;
  tokenType: string | undefined;
  warnings: string[];
}

export interface TokenInfo {
  accessor: string;
  displayName: string;
  policies: string[];
  /** Remaining seconds; 0 for a token that does not expire. */
  ttl: number;
  expireTime: Date | null;
  renewable: boolean;
  entityId: string | undefined;
  meta: Record<string, string>;
  path: string;
  type: string | undefined;
  explicitMaxTtl: number;
}

export interface Lease {
  leaseId: string;
  leaseDuration: number;
  renewable: boolean;
  warnings: string[];
}

export interface DatabaseCredentials extends Lease {
  username: string;
  password: string;
}

export interface AwsCredentials extends Lease {
  accessKey: string;
  secretKey: string;
  sessionToken: string | null;
  arn: string | null;
}

export interface SshSignature {
  serialNumber: string;
  /** The OpenSSH certificate line, trailing newline removed. */
  signedKey: string;
  warnings: string[];
}

export interface SshSignRequest {
  publicKey: string;
  validPrincipals: string[];
  /** Seconds. */
  ttl: number;
  extensions?: Record<string, string>;
}

export interface LeaseInfo {
  id: string;
  issueTime: Date;
  expireTime: Date | null;
  lastRenewal: Date | null;
  renewable: boolean;
  ttl: number;
}

export interface KvSecret {
  data: Record<string, unknown>;
  version: number;
  createdTime: string;
}

export interface OidcCallbackParams {
  state: string;
  code: string;
  clientNonce: string;
  idToken?: string;
}
