// Vault's SSH secrets engine, CA (client key signing) mode only (vault-api.md §5): config/ca,
// the unauthenticated public_key, CA roles, and sign/<role> producing real OpenSSH certificates
// with Vault's rules for principals, extensions, critical options, key IDs and TTLs. No leases.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { VaultError } from '../backend.ts';
import type { Backend, BackendFactory, BackendRequest, BackendResponse } from '../backend.ts';
import { durationSeconds, flag, parseFields, stringMap, SYSTEM_MAX_TTL, text } from './fields.ts';
import { dispatch, NAME, roleRoutes } from './router.ts';
import type { Route } from './router.ts';
import { generateCaKey, importCaKey } from './ssh-ca.ts';
import type { CaKey } from './ssh-ca.ts';
import { HOST_CERT, signCertificate, USER_CERT } from './ssh-cert.ts';
import { parseAuthorizedKey } from './ssh-wire.ts';
import type { SshPublicKey } from './ssh-wire.ts';

interface SshRole {
  keyType: 'ca';
  allowedUsers: string;
  allowedUsersTemplate: boolean;
  defaultUser: string;
  defaultUserTemplate: boolean;
  allowedDomains: string;
  allowBareDomains: boolean;
  allowSubdomains: boolean;
  allowedExtensions: string;
  defaultExtensions: Record<string, string>;
  defaultExtensionsTemplate: boolean;
  allowedCriticalOptions: string;
  defaultCriticalOptions: Record<string, string>;
  allowUserCertificates: boolean;
  allowHostCertificates: boolean;
  allowUserKeyIds: boolean;
  allowEmptyPrincipals: boolean;
  keyIdFormat: string;
  ttl: number;
  maxTtl: number;
  notBeforeDuration: number;
  algorithmSigner: string;
  allowedUserKeyLengths: Record<string, number[]>;
}

/** Comma strings, also accepted as JSON lists (clients send both). */
const commaText = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v.join(',') : v));

const keyLengths = z
  .record(z.string(), z.union([z.number(), z.string(), z.array(z.union([z.number(), z.string()]))]))
  .transform((map) => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(Number)])));

const roleFields = z.object({
  key_type: text.optional(),
  allowed_users: commaText.optional(),
  allowed_users_template: flag.optional(),
  default_user: text.optional(),
  default_user_template: flag.optional(),
  allowed_domains: commaText.optional(),
  allow_bare_domains: flag.optional(),
  allow_subdomains: flag.optional(),
  allowed_extensions: commaText.optional(),
  default_extensions: stringMap.optional(),
  default_extensions_template: flag.optional(),
  allowed_critical_options: commaText.optional(),
  default_critical_options: stringMap.optional(),
  allow_user_certificates: flag.optional(),
  allow_host_certificates: flag.optional(),
  allow_user_key_ids: flag.optional(),
  allow_empty_principals: flag.optional(),
  key_id_format: text.optional(),
  ttl: durationSeconds.optional(),
  max_ttl: durationSeconds.optional(),
  not_before_duration: durationSeconds.optional(),
  algorithm_signer: text.optional(),
  allowed_user_key_lengths: keyLengths.optional(),
});

const signFields = z.object({
  public_key: text.optional(),
  ttl: durationSeconds.optional(),
  valid_principals: commaText.optional(),
  cert_type: text.default('user'),
  key_id: text.default(''),
  critical_options: stringMap.default({}),
  extensions: stringMap.default({}),
});

const caFields = z.object({
  generate_signing_key: flag.optional(),
  private_key: text.default(''),
  public_key: text.default(''),
  // Emulator default ed25519 instead of Vault's ssh-rsa: see generateCaKey.
  key_type: text.default('ssh-ed25519'),
  key_bits: z.union([z.number(), z.string()]).transform(Number).default(0),
});

const ALGORITHM_SIGNERS = new Set(['', 'default', 'ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512']);

/** strutil.ParseStringSlice + RemoveDuplicates: split on ",", trim, drop empties and repeats. */
function commaList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
}

export const sshBackend: BackendFactory = () => new SshBackend();

class SshBackend implements Backend {
  readonly type = 'ssh';
  readonly unauthenticatedPaths = ['public_key'] as const;
  private ca: { key: CaKey; publicKey: string } | undefined;
  private readonly roles = new Map<string, SshRole>();

  private readonly routes: Route[] = [
    {
      pattern: /^config\/ca$/,
      operations: {
        read: async () => this.readCa(),
        update: async (req) => this.writeCa(req.data),
        delete: async () => {
          this.ca = undefined;
          return null;
        },
      },
    },
    {
      pattern: /^public_key$/,
      operations: {
        read: async () => (this.ca ? { raw: { status: 200, contentType: 'text/plain', body: this.ca.publicKey } } : null),
      },
    },
    ...roleRoutes(this.roles, { read: (name) => this.readRole(name), write: (name, data) => this.writeRole(name, data), listInfo: () => ({ key_type: 'ca' }) }),
    { pattern: new RegExp(`^sign/${NAME}$`), operations: { update: async (req, [name]) => this.sign(req, name!) } },
  ];

  handle(req: BackendRequest): Promise<BackendResponse | null> {
    return dispatch(this.routes, req);
  }

  private readCa(): BackendResponse {
    if (!this.ca) throw new VaultError(400, "keys haven't been configured yet");
    return { data: { public_key: this.ca.publicKey } };
  }

  /** path_config_ca.go: generate (200 with the public key) or import a pair (204). */
  private async writeCa(data: Record<string, unknown>): Promise<BackendResponse | null> {
    const fields = parseFields(caFields, data);
    const { private_key: privateKey, public_key: publicKey } = fields;
    let generateKey: boolean;
    if (fields.generate_signing_key === true) {
      if (publicKey !== '' || privateKey !== '')
        throw new VaultError(400, 'public_key and private_key must not be set when generate_signing_key is set to true');
      generateKey = true;
    } else if (fields.generate_signing_key === false || (publicKey !== '' && privateKey !== '')) {
      if (publicKey === '') throw new VaultError(400, 'missing public_key');
      if (privateKey === '') throw new VaultError(400, 'missing private_key');
      generateKey = false;
    } else if (publicKey === '' && privateKey === '') {
      generateKey = true;
    } else {
      throw new VaultError(400, 'only one of public_key and private_key set; both must be set to use, or both must be blank to auto-generate');
    }

    let ca: { key: CaKey; publicKey: string };
    if (generateKey) {
      let key: CaKey;
      try {
        key = await generateCaKey(fields.key_type, fields.key_bits);
      } catch (error) {
        throw new VaultError(500, (error as Error).message);
      }
      ca = { key, publicKey: `${key.type} ${key.publicBlob.toString('base64')}\n` };
    } else {
      let key: CaKey;
      try {
        key = importCaKey(privateKey);
      } catch (error) {
        throw new VaultError(400, `Unable to parse private_key as an SSH private key: ${(error as Error).message}`);
      }
      try {
        parseAuthorizedKey(publicKey);
      } catch (error) {
        throw new VaultError(400, `Unable to parse public_key as an SSH public key: ${(error as Error).message}`);
      }
      ca = { key, publicKey: `${publicKey.trim()}\n` };
    }
    if (this.ca) throw new VaultError(400, 'keys are already configured; delete them before reconfiguring');
    this.ca = ca;
    return generateKey ? { data: { public_key: ca.publicKey } } : null;
  }

  private readRole(name: string): BackendResponse | null {
    const role = this.roles.get(name);
    if (!role) return null;
    return {
      data: {
        key_type: role.keyType,
        allowed_users: role.allowedUsers,
        allowed_users_template: role.allowedUsersTemplate,
        default_user: role.defaultUser,
        default_user_template: role.defaultUserTemplate,
        allowed_domains: role.allowedDomains,
        allowed_domains_template: false,
        allow_bare_domains: role.allowBareDomains,
        allow_subdomains: role.allowSubdomains,
        allowed_extensions: role.allowedExtensions,
        default_extensions: role.defaultExtensions,
        default_extensions_template: role.defaultExtensionsTemplate,
        allowed_critical_options: role.allowedCriticalOptions,
        default_critical_options: role.defaultCriticalOptions,
        allow_user_certificates: role.allowUserCertificates,
        allow_host_certificates: role.allowHostCertificates,
        allow_user_key_ids: role.allowUserKeyIds,
        allow_empty_principals: role.allowEmptyPrincipals,
        key_id_format: role.keyIdFormat,
        ttl: role.ttl,
        max_ttl: role.maxTtl,
        not_before_duration: role.notBeforeDuration,
        algorithm_signer: role.algorithmSigner,
        allowed_user_key_lengths: role.allowedUserKeyLengths,
      },
    };
  }

  private writeRole(name: string, data: Record<string, unknown>): null {
    const f = parseFields(roleFields, data);
    if (!f.key_type) throw new VaultError(400, 'missing key type');
    if (f.key_type === 'otp' || f.key_type === 'dynamic') throw new VaultError(400, `key_type ${f.key_type} is not supported by this server (CA roles only)`);
    if (f.key_type !== 'ca') throw new VaultError(400, 'invalid key type');
    const role: SshRole = {
      keyType: 'ca',
      allowedUsers: f.allowed_users ?? '',
      allowedUsersTemplate: f.allowed_users_template ?? false,
      defaultUser: f.default_user ?? '',
      defaultUserTemplate: f.default_user_template ?? false,
      allowedDomains: f.allowed_domains ?? '',
      allowBareDomains: f.allow_bare_domains ?? false,
      allowSubdomains: f.allow_subdomains ?? false,
      allowedExtensions: f.allowed_extensions ?? '',
      defaultExtensions: f.default_extensions ?? {},
      defaultExtensionsTemplate: f.default_extensions_template ?? false,
      allowedCriticalOptions: f.allowed_critical_options ?? '',
      defaultCriticalOptions: f.default_critical_options ?? {},
      allowUserCertificates: f.allow_user_certificates ?? false,
      allowHostCertificates: f.allow_host_certificates ?? false,
      allowUserKeyIds: f.allow_user_key_ids ?? false,
      allowEmptyPrincipals: f.allow_empty_principals ?? false,
      keyIdFormat: f.key_id_format ?? '',
      ttl: f.ttl ?? 0,
      maxTtl: f.max_ttl ?? 0,
      notBeforeDuration: f.not_before_duration ?? 30,
      algorithmSigner: f.algorithm_signer || 'default',
      allowedUserKeyLengths: f.allowed_user_key_lengths ?? {},
    };
    if (!role.allowUserCertificates && !role.allowHostCertificates) {
      throw new VaultError(400, "Either 'allow_user_certificates' or 'allow_host_certificates' must be set to 'true'");
    }
    if (role.ttl !== 0 && role.maxTtl !== 0 && role.ttl > role.maxTtl) throw new VaultError(400, 'ttl cannot be longer than max_ttl');
    if (!ALGORITHM_SIGNERS.has(f.algorithm_signer ?? '')) throw new VaultError(400, `unknown algorithm signer ${JSON.stringify(f.algorithm_signer)}`);
    this.roles.set(name, role);
    return null;
  }

  /** path_issue_sign.go, in Vault's order of checks; every user error is a 400. */
  private sign(req: BackendRequest, roleName: string): BackendResponse {
    const role = this.roles.get(roleName);
    if (!role) throw new VaultError(400, `Unknown role: ${roleName}`);
    const f = parseFields(signFields, req.data);
    if (!f.public_key) throw new VaultError(400, 'missing public_key');
    let key: SshPublicKey;
    try {
      key = parseAuthorizedKey(f.public_key);
    } catch (error) {
      throw new VaultError(400, `failed to parse public_key as SSH key: ${(error as Error).message}`);
    }
    const keyProblem = checkKeyRequirements(key, role);
    if (keyProblem) throw new VaultError(400, `public_key failed to meet the key requirements: ${keyProblem}`);

    const keyId = calculateKeyId(f.key_id, role, roleName, req.caller?.displayName ?? '', key);
    const certType = calculateCertType(f.cert_type, role);
    const principals =
      certType === HOST_CERT
        ? calculatePrincipals(f.valid_principals, '', role.allowedDomains, role, (allowed, p) => hostAllowed(allowed, p, role))
        : calculatePrincipals(f.valid_principals, role.defaultUser, role.allowedUsers, role, (allowed, p) => allowed.includes(p));
    const ttl = calculateCertTtl(f.ttl, role);
    const criticalOptions = calculateCriticalOptions(f.critical_options, role);
    const extensions = calculateExtensions(f.extensions, role);
    if (!this.ca) throw new VaultError(500, 'failed to read CA private key');

    const serial = randomBytes(8).readBigUInt64BE();
    const now = Math.floor(Date.now() / 1000);
    const rsaCa = this.ca.key.type === 'ssh-rsa';
    if (!rsaCa && role.algorithmSigner !== 'default') {
      throw new VaultError(
        500,
        `failed to generate signed SSH key: failed to restrict signer algorithm: ${role.algorithmSigner} is not supported by a ${this.ca.key.type} CA`,
      );
    }
    const algorithm = role.algorithmSigner === 'default' ? (rsaCa ? 'rsa-sha2-256' : this.ca.key.type) : role.algorithmSigner;
    let signedKey: string;
    try {
      signedKey = signCertificate(
        { key, serial, certType, keyId, principals, validAfter: now - role.notBeforeDuration, validBefore: now + ttl, criticalOptions, extensions },
        this.ca.key,
        algorithm,
      );
    } catch (error) {
      throw new VaultError(500, (error as Error).message);
    }
    return { data: { serial_number: serial.toString(16), signed_key: signedKey } };
  }
}

function checkKeyRequirements(key: SshPublicKey, role: SshRole): string | undefined {
  const lengths = role.allowedUserKeyLengths;
  if (Object.keys(lengths).length === 0) return undefined;
  const names: Record<string, string[]> = {
    rsa: ['rsa', 'ssh-rsa'],
    dsa: ['dsa', 'ssh-dss'],
    ecdsa: ['ecdsa', 'ec', key.type],
    ed25519: ['ed25519', 'ssh-ed25519'],
  };
  const entries = (names[key.family] ?? []).filter((name) => lengths[name] !== undefined);
  if (entries.length === 0) return `key of type ${key.family} is not allowed`;
  const sized = key.family === 'rsa' || key.family === 'dsa' || entries.some((e) => e === 'ecdsa' || e === 'ec');
  if (sized && !entries.some((e) => lengths[e]!.includes(key.bits))) return `key is of an invalid size: ${key.bits}`;
  return undefined;
}

function calculateKeyId(requested: string, role: SshRole, roleName: string, displayName: string, key: SshPublicKey): string {
  if (requested !== '') {
    if (!role.allowUserKeyIds) throw new VaultError(400, 'setting key_id is not allowed by role');
    return requested;
  }
  const format = role.keyIdFormat || (displayName === '' ? 'vault-{{public_key_hash}}' : 'vault-{{token_display_name}}-{{public_key_hash}}');
  const values: Record<string, string> = {
    token_display_name: displayName,
    role_name: roleName,
    public_key_hash: createHash('sha256').update(key.blob).digest('hex'),
  };
  return format.replace(/\{\{(token_display_name|role_name|public_key_hash)\}\}/g, (_m, name: string) => values[name]!);
}

function calculateCertType(requested: string, role: SshRole): typeof USER_CERT | typeof HOST_CERT {
  if (requested === 'user') {
    if (!role.allowUserCertificates) throw new VaultError(400, "cert_type 'user' is not allowed by role");
    return USER_CERT;
  }
  if (requested === 'host') {
    if (!role.allowHostCertificates) throw new VaultError(400, "cert_type 'host' is not allowed by role");
    return HOST_CERT;
  }
  throw new VaultError(400, "cert_type must be either 'user' or 'host'");
}

function calculatePrincipals(
  requested: string | undefined,
  defaultPrincipal: string,
  allowedByRole: string,
  role: SshRole,
  isAllowed: (allowed: string[], principal: string) => boolean,
): string[] {
  let principals = commaList(requested ?? defaultPrincipal);
  const allowed = commaList(allowedByRole);
  if (principals.length === 0 && defaultPrincipal !== '') principals = [defaultPrincipal];
  if (principals.length === 0) {
    if (role.allowEmptyPrincipals) return [];
    throw new VaultError(400, 'empty valid principals not allowed by role');
  }
  if (allowed.length === 0) throw new VaultError(400, 'role is not configured to allow any principals');
  if (allowedByRole === '*') return principals;
  for (const principal of principals) {
    if (!isAllowed(allowed, principal)) throw new VaultError(400, `${principal} is not a valid value for valid_principals`);
  }
  return principals;
}

function hostAllowed(allowed: string[], principal: string, role: SshRole): boolean {
  return allowed.some((domain) => (domain === principal && role.allowBareDomains) || (role.allowSubdomains && principal.endsWith(`.${domain}`)));
}

/** Requested ttl above max is an error; the role/system default is capped silently. */
function calculateCertTtl(requested: number | undefined, role: SshRole): number {
  let ttl = requested ?? role.ttl;
  if (ttl === 0) ttl = SYSTEM_MAX_TTL;
  const max = role.maxTtl || SYSTEM_MAX_TTL;
  if (ttl > max) {
    if (requested === undefined) return max;
    throw new VaultError(400, `ttl is larger than maximum allowed ${max}`);
  }
  return ttl;
}

function calculateCriticalOptions(requested: Record<string, string>, role: SshRole): Record<string, string> {
  if (Object.keys(requested).length === 0) return role.defaultCriticalOptions;
  if (role.allowedCriticalOptions !== '') {
    const allowed = role.allowedCriticalOptions.split(',');
    const refused = Object.keys(requested).filter((name) => !allowed.includes(name));
    if (refused.length > 0) throw new VaultError(400, `critical options not on allowed list: [${refused.join(' ')}]`);
  }
  return requested;
}

/** Vault ≥1.9: an empty allowed_extensions refuses every requested extension; "*" allows any. */
function calculateExtensions(requested: Record<string, string>, role: SshRole): Record<string, string> {
  if (Object.keys(requested).length === 0) return role.defaultExtensions;
  if (role.allowedExtensions === '*') return requested;
  const allowed = role.allowedExtensions.split(',');
  const refused = Object.keys(requested).filter((name) => !allowed.includes(name));
  if (refused.length > 0) throw new VaultError(400, `extensions [${refused.join(' ')}] are not on allowed list`);
  return requested;
}
