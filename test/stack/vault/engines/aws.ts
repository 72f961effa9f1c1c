// Vault's AWS secrets engine (vault-api.md §6) without AWS: the same paths, role rules, response
// fields and lease behaviour, with well-formed fake keys. STS credentials carry a non-renewable
// lease whose revoke is a no-op ("STS cleans up after itself"); iam_user leases are renewable.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { VaultError } from '../backend.ts';
import type { Backend, BackendFactory, BackendRequest, BackendResponse, RenewRequest } from '../backend.ts';
import { durationSeconds, goDurationString, parseFields, stringList, SYSTEM_MAX_TTL, text } from './fields.ts';
import { randomBase62, randomFrom, randomUpperAlnum } from './random.ts';
import { dispatch, NAME, roleRoutes } from './router.ts';
import type { Route } from './router.ts';

const CREDENTIAL_TYPES = ['iam_user', 'assumed_role', 'federation_token', 'session_token'] as const;
type CredentialType = (typeof CREDENTIAL_TYPES)[number];
const STS_TYPES = new Set<CredentialType>(['assumed_role', 'federation_token', 'session_token']);
/** The account a fake credential belongs to when no role ARN names one. */
const DEFAULT_ACCOUNT = '123456789012';
/** path_user.go: the ttl field's default when neither the request nor the role gives one. */
const DEFAULT_STS_TTL = 3600;

interface AwsRole {
  credentialType: CredentialType;
  roleArns: string[];
  policyArns: string[];
  policyDocument: string;
  iamGroups: string[];
  defaultStsTtl: number;
  maxStsTtl: number;
  userPath: string;
  permissionsBoundaryArn: string;
  mfaSerialNumber: string;
}

const rootFields = z.object({
  access_key: text.optional(),
  secret_key: text.optional(),
  region: text.optional(),
  iam_endpoint: text.optional(),
  sts_endpoint: text.optional(),
  max_retries: z.union([z.number(), z.string()]).transform(Number).optional(),
  username_template: text.optional(),
});

const leaseFields = z.object({ lease: durationSeconds.optional(), lease_max: durationSeconds.optional() });

const roleFields = z.object({
  credential_type: stringList.optional(),
  role_arns: stringList.optional(),
  policy_arns: stringList.optional(),
  policy_document: text.optional(),
  iam_groups: stringList.optional(),
  default_sts_ttl: durationSeconds.optional(),
  max_sts_ttl: durationSeconds.optional(),
  user_path: text.optional(),
  permissions_boundary_arn: text.optional(),
  mfa_serial_number: text.optional(),
});

const credsFields = z.object({ ttl: durationSeconds.optional(), role_arn: text.default(''), role_session_name: text.default('') });

const leaseInternal = z.object({ username: z.string(), is_sts: z.boolean() });

/** Vault's normalizeDisplayName: IAM names allow only [a-zA-Z0-9+=,.@_-]. */
const normalizeName = (name: string) => name.replace(/[^a-zA-Z0-9+=,.@_-]/g, '_');

/** The default username templates (secret_access_keys.go): IAM ≤64 chars, STS ≤32. */
function iamUsername(displayName: string, policyName: string): string {
  const unix = Math.floor(Date.now() / 1000);
  const prefix = `${normalizeName(displayName)}-${normalizeName(policyName)}`.slice(0, 42);
  return `vault-${prefix}-${unix}-${randomBase62(20)}`.slice(0, 64);
}
const stsUsername = () => `vault-${Math.floor(Date.now() / 1000)}-${randomBase62(20)}`.slice(0, 32);

function fakeKeys(sts: boolean): { access_key: string; secret_key: string } {
  return {
    access_key: `${sts ? 'ASIA' : 'AKIA'}${randomUpperAlnum(16)}`,
    secret_key: randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 40),
  };
}

/** Shaped like a real STS session token: long, base64, starting like AWS's. */
const fakeSessionToken = () => `FwoGZXIvYXdzE${randomBytes(300).toString('base64')}`;

export const awsBackend: BackendFactory = () => new AwsBackend();

class AwsBackend implements Backend {
  readonly type = 'aws';
  private root: z.output<typeof rootFields> = {};
  private lease: { lease: number; leaseMax: number } | undefined;
  private readonly roles = new Map<string, AwsRole>();
  /** IAM users "created" for iam_user leases; revoke deletes them. */
  private readonly iamUsers = new Set<string>();

  private readonly routes: Route[] = [
    {
      pattern: /^config\/root$/,
      operations: {
        read: async () => ({
          data: {
            access_key: this.root.access_key ?? '',
            region: this.root.region ?? '',
            iam_endpoint: this.root.iam_endpoint ?? '',
            sts_endpoint: this.root.sts_endpoint ?? '',
            max_retries: this.root.max_retries ?? -1,
            username_template: this.root.username_template ?? '',
          },
        }),
        update: async (req) => {
          this.root = { ...this.root, ...parseFields(rootFields, req.data) };
          return null;
        },
      },
    },
    {
      pattern: /^config\/lease$/,
      operations: {
        read: async () => (this.lease ? { data: { lease: goDurationString(this.lease.lease), lease_max: goDurationString(this.lease.leaseMax) } } : null),
        update: async (req) => {
          const fields = parseFields(leaseFields, req.data);
          if (fields.lease === undefined) throw new VaultError(400, "'lease' is a required parameter");
          if (fields.lease_max === undefined) throw new VaultError(400, "'lease_max' is a required parameter");
          this.lease = { lease: fields.lease, leaseMax: fields.lease_max };
          return null;
        },
      },
    },
    ...roleRoutes(this.roles, { read: (name) => this.readRole(name), write: (name, data) => this.writeRole(name, data) }),
    {
      pattern: new RegExp(`^(?:creds|sts)/${NAME}$`),
      operations: { read: async (req, [name]) => this.issue(req, name!), update: async (req, [name]) => this.issue(req, name!) },
    },
  ];

  handle(req: BackendRequest): Promise<BackendResponse | null> {
    return dispatch(this.routes, req);
  }

  private readRole(name: string): BackendResponse | null {
    const role = this.roles.get(name);
    if (!role) return null;
    return {
      data: {
        credential_type: role.credentialType,
        role_arns: role.roleArns,
        policy_arns: role.policyArns,
        policy_document: role.policyDocument,
        iam_groups: role.iamGroups,
        iam_tags: {},
        default_sts_ttl: role.defaultStsTtl,
        max_sts_ttl: role.maxStsTtl,
        user_path: role.userPath,
        permissions_boundary_arn: role.permissionsBoundaryArn,
        mfa_serial_number: role.mfaSerialNumber,
      },
    };
  }

  private writeRole(name: string, data: Record<string, unknown>): null {
    const f = parseFields(roleFields, data);
    const existing = this.roles.get(name);
    const types = f.credential_type ?? (existing ? [existing.credentialType] : []);
    if (types.length === 0) throw new VaultError(400, 'did not supply credential_type');
    if (types.length > 1) throw new VaultError(400, 'only one credential_type may be set per role');
    const credentialType = types[0] as CredentialType;
    if (!CREDENTIAL_TYPES.includes(credentialType)) throw new VaultError(400, `unrecognized credential_type: ${JSON.stringify(types[0])}`);
    const role: AwsRole = {
      credentialType,
      roleArns: f.role_arns ?? existing?.roleArns ?? [],
      policyArns: f.policy_arns ?? existing?.policyArns ?? [],
      policyDocument: f.policy_document ?? existing?.policyDocument ?? '',
      iamGroups: f.iam_groups ?? existing?.iamGroups ?? [],
      defaultStsTtl: f.default_sts_ttl ?? existing?.defaultStsTtl ?? 0,
      maxStsTtl: f.max_sts_ttl ?? existing?.maxStsTtl ?? 0,
      userPath: f.user_path ?? existing?.userPath ?? '',
      permissionsBoundaryArn: f.permissions_boundary_arn ?? existing?.permissionsBoundaryArn ?? '',
      mfaSerialNumber: f.mfa_serial_number ?? existing?.mfaSerialNumber ?? '',
    };
    const sts = STS_TYPES.has(credentialType);
    if (role.roleArns.length > 0 && credentialType !== 'assumed_role')
      throw new VaultError(400, `cannot supply role_arns when credential_type isn't assumed_role`);
    if (!sts && (role.defaultStsTtl > 0 || role.maxStsTtl > 0)) {
      throw new VaultError(400, 'default_sts_ttl and max_sts_ttl are only valid for assumed_role, federation_token and session_token credential types');
    }
    if (role.maxStsTtl > 0 && role.defaultStsTtl > role.maxStsTtl) throw new VaultError(400, 'default_sts_ttl cannot exceed max_sts_ttl');
    this.roles.set(name, role);
    return null;
  }

  /** path_user.go pathCredsRead: creds/ and sts/ answer alike; the role's type decides. */
  private issue(req: BackendRequest, roleName: string): BackendResponse {
    const role = this.roles.get(roleName);
    if (!role) throw new VaultError(400, `Role ${JSON.stringify(roleName)} not found`);
    const f = parseFields(credsFields, req.data);
    const displayName = req.caller?.displayName ?? '';
    const maxTtl = role.maxStsTtl || SYSTEM_MAX_TTL;
    const ttl = Math.min(f.ttl ?? (role.defaultStsTtl || DEFAULT_STS_TTL), maxTtl);

    switch (role.credentialType) {
      case 'iam_user': {
        const username = iamUsername(displayName, roleName);
        this.iamUsers.add(username);
        return {
          data: { ...fakeKeys(false), security_token: null, session_token: null },
          secret: { ttl: this.lease?.lease ?? 0, maxTtl: this.lease?.leaseMax ?? 0, renewable: true, internal: { username, policy: roleName, is_sts: false } },
        };
      }
      case 'assumed_role': {
        let roleArn = f.role_arn;
        if (roleArn === '') {
          if (role.roleArns.length !== 1) throw new VaultError(400, 'did not supply a role_arn parameter and unable to determine one');
          roleArn = role.roleArns[0]!;
        } else if (!role.roleArns.includes(roleArn)) {
          throw new VaultError(400, `role_arn ${JSON.stringify(roleArn)} not in allowed role arns for Vault role ${JSON.stringify(roleName)}`);
        }
        const sessionName = f.role_session_name !== '' ? normalizeName(f.role_session_name).slice(0, 64) : iamUsername(displayName, roleName);
        const arnParts = roleArn.split(':');
        const account = arnParts[4] || DEFAULT_ACCOUNT;
        const awsRoleName = (arnParts[5] ?? '').split('/').pop() || roleName;
        return this.stsResponse(ttl, sessionName, roleArn, `arn:aws:sts::${account}:assumed-role/${awsRoleName}/${sessionName}`);
      }
      case 'federation_token': {
        if (role.policyDocument === '' && role.policyArns.length === 0) {
          throw new VaultError(400, 'must specify at least one of policy_arns or policy_document with federation_token credential_type');
        }
        const username = stsUsername();
        return this.stsResponse(ttl, username, roleName, `arn:aws:sts::${DEFAULT_ACCOUNT}:federated-user/${username}`);
      }
      case 'session_token':
        return this.stsResponse(ttl, stsUsername(), roleName, undefined);
    }
  }

  /** Vault 1.16+ returns session_token and the deprecated security_token; both carry the token. */
  private stsResponse(ttl: number, username: string, policy: string, arn: string | undefined): BackendResponse {
    const token = fakeSessionToken();
    const data: Record<string, unknown> = { ...fakeKeys(true), session_token: token, security_token: token };
    if (arn !== undefined) data.arn = arn;
    return { data, secret: { ttl, maxTtl: 0, renewable: false, internal: { username, policy, is_sts: true } } };
  }

  async renew(req: RenewRequest): Promise<{ ttl: number; maxTtl: number }> {
    const internal = leaseInternal.parse(req.internal);
    // The core refuses non-renewable leases first; this guards a direct call.
    if (internal.is_sts) throw new VaultError(400, 'lease is not renewable');
    return { ttl: this.lease?.lease ?? 0, maxTtl: this.lease?.leaseMax ?? 0 };
  }

  async revoke(rawInternal: Record<string, unknown>): Promise<void> {
    const internal = leaseInternal.parse(rawInternal);
    if (internal.is_sts) return; // STS credentials expire on their own; nothing to delete.
    this.iamUsers.delete(internal.username);
  }

  /** For tests: whether an iam_user lease's user still exists. */
  hasIamUser(username: string): boolean {
    return this.iamUsers.has(username);
  }
}
