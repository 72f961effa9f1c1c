// The org config an admin hands out (docs/config.md is the reference for every field).
// Every object is strict so a misspelt key is an error, not a silently ignored setting.
// Durations are written "10s", "1h", "4h30m" or as plain seconds, and come out as seconds.
import { IMPACTS, LOGIN_METHODS, TARGET_KINDS } from '../../../common/lists.ts';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../duration.ts';
import { checkLeakSettings, leakSettingsSchema } from './leakSettings.ts';
import { databaseTlsProblem } from './databaseTls.ts';
import { insecureUrlReason } from './secureUrl.ts';
import { checkPolicy, handoffSchema, policySchema } from './policySchema.ts';
import { staticSectionSchema } from './staticTarget.ts';

/** A duration in whole seconds, at least `min`. */
const duration = (min = 1) =>
  z.union([z.string(), z.number()], { error: 'must be a duration such as 30s, 15m or 1h' }).transform((raw, ctx) => {
    const seconds = parseDuration(raw);
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${raw}" is not a duration (write e.g. 30s, 15m, 1h or 1h30m)` });
      return z.NEVER;
    }
    if (seconds < min) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${formatDuration(min)}` });
      return z.NEVER;
    }
    return seconds;
  });

/** An https URL, or http on loopback. Trailing slashes are dropped so addresses compare equal. */
const serviceUrl = z.string({ error: 'must be a URL' }).transform((raw, ctx) => {
  const reason = insecureUrlReason(raw.trim());
  if (reason) {
    ctx.addIssue({ code: 'custom', message: reason });
    return z.NEVER;
  }
  return raw.trim().replace(/\/+$/, '');
});

const text = z.string({ error: 'must be text' }).trim().min(1, { error: 'must not be empty' });
const port = z
  .int({ error: 'must be a port number' })
  .min(1, { error: 'must be a port number (1-65535)' })
  .max(65535, { error: 'must be a port number (1-65535)' });
/** Port 0 means "pick a free one" for loopback listeners. */
const listenPort = z
  .int({ error: 'must be a port number' })
  .min(0, { error: 'must be 0 (any free port) or a port number' })
  .max(65535, { error: 'must be a port number (0-65535)' });
/** A Vault mount or role name: one or more path segments, no leading or trailing slash. */
const vaultName = z.string({ error: 'must be text' }).regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/, {
  error: 'must be a Vault mount or role name (letters, digits, . _ - and inner /)',
});

export const vaultSettingsSchema = z.strictObject({
  address: serviceUrl,
  namespace: vaultName.optional(),
  /** PEM bundle to trust for Vault's TLS certificate; relative paths are relative to the config file. */
  caFile: text.optional(),
  /** Per-request timeout. */
  timeout: duration().default(10),
});

export const vaultOidcSchema = z.strictObject({
  mount: vaultName.default('oidc'),
  role: vaultName,
  /** Loopback port for Vault's redirect; Vault matches loopback redirect URIs on any port. */
  callbackPort: listenPort.default(8250),
});

export const oidcSchema = z.strictObject({
  issuer: serviceUrl,
  clientId: text,
  scopes: z.array(text, { error: 'must be a list of scopes' }).min(1).default(['openid', 'email', 'profile', 'groups', 'offline_access']),
  vaultMount: vaultName.default('jwt'),
  vaultRole: vaultName,
  redirectPort: listenPort.default(0),
});

export const awsSsoSchema = z.strictObject({
  startUrl: serviceUrl,
  region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d+$/, { error: 'must be an AWS region such as us-east-1' }),
  /** Override for the Identity Center endpoints (tests, private endpoints). */
  endpoint: serviceUrl.optional(),
});

export const loginMethods = LOGIN_METHODS;
export type LoginMethod = (typeof loginMethods)[number];

export const authSchema = z.strictObject({
  default: z.enum(loginMethods, { error: `must be one of ${loginMethods.join(', ')}` }),
  vaultOidc: vaultOidcSchema.optional(),
  oidc: oidcSchema.optional(),
  awsSso: awsSsoSchema.optional(),
});

export const onCallSchema = z.strictObject({
  pagerduty: z.strictObject({
    url: serviceUrl.default('https://api.pagerduty.com'),
    scheduleIds: z.array(text, { error: 'must be a list of schedule ids' }).min(1, { error: 'must name at least one schedule' }),
    /** The environment variable that holds the user's PagerDuty API token (never the token itself). */
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' })
      .default('PAGERDUTY_TOKEN'),
  }),
  // Access policy (policySchema.ts): the end-of-shift warning lead and the handoff record's place.
  warnBefore: duration().default(900),
  handoff: handoffSchema.prefault({}),
});

export const sessionsSchema = z.strictObject({
  /** Lead time for the "about to expire" warning. */
  warnBefore: duration().default(300),
  /** Lead time for renewing the Vault token (and leases that are renewed automatically). */
  renewBefore: duration().default(120),
});

export const impacts = IMPACTS;
export type Impact = (typeof impacts)[number];
export const targetKinds = TARGET_KINDS;
export type TargetKind = (typeof targetKinds)[number];

const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const databaseSectionSchema = z
  .strictObject({
    vaultMount: vaultName.default('database'),
    vaultRole: vaultName,
    host: text,
    port: port.default(5432),
    name: text,
    sslmode: z.enum(sslModes, { error: `must be one of ${sslModes.join(', ')}` }).optional(),
    /** CA file the server's certificate is checked against (PGSSLROOTCERT). */
    sslrootcert: text.optional(),
  })
  .superRefine((db, ctx) => {
    const problem = databaseTlsProblem(db);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

const sshPublicKey = z
  .string()
  .trim()
  .regex(
    /^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}(?: .*)?$/,
    {
      error: 'must be an OpenSSH public key line such as "ssh-ed25519 AAAA..."',
    },
  );

export const sshSectionSchema = z.strictObject({
  vaultMount: vaultName.default('ssh-client-signer'),
  vaultRole: vaultName,
  host: text,
  port: port.default(22),
  user: text,
  /** Principals to ask Vault to sign for; defaults to [user]. */
  principals: z.array(text).min(1).optional(),
  /** Certificate extensions to request, e.g. { permit-pty: "" }; the role's defaults apply when absent. */
  extensions: z.record(z.string(), z.string()).optional(),
  /** The server's host key, pinned into a per-session known_hosts. */
  hostKey: sshPublicKey.optional(),
});

const awsRegion = z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d+$/, { error: 'must be an AWS region such as us-east-1' });

export const awsSectionSchema = z.discriminatedUnion(
  'source',
  [
    z.strictObject({
      source: z.literal('vault'),
      vaultMount: vaultName.default('aws'),
      vaultRole: vaultName,
      credentialType: z.enum(['sts', 'creds'], { error: 'must be sts or creds' }).default('sts'),
      region: awsRegion.optional(),
    }),
    z.strictObject({
      source: z.literal('sso'),
      accountId: z.string({ error: 'must be a 12-digit account id in quotes' }).regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }),
      roleName: text,
      region: awsRegion.optional(),
    }),
  ],
  { error: 'must be vault or sso' },
);

const targetCommon = {
  id: z.string({ error: 'must be text' }).regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    error: 'must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit',
  }),
  name: text,
  impact: z.enum(impacts, { error: `must be one of ${impacts.join(', ')}` }),
  /** What the credential allows, in words ("SELECT on all tables in orders"). */
  grants: text,
  /** Where it applies ("orders (production)"). */
  scope: text,
  ttl: duration(),
  maxTtl: duration(),
  /** Ask for a reason (ticket) before issuing; defaults to true for high impact. */
  requireReason: z.boolean({ error: 'must be true or false' }).optional(),
  requireOnCall: z.boolean({ error: 'must be true or false' }).default(false),
  /** Ask "are you sure?" (or --yes) before issuing (policySchema.ts; the impact's rule may ask too). */
  requireConfirmation: z.boolean({ error: 'must be true or false' }).default(false),
  /** What the tray's `Open in terminal` runs (argv words, no shell); the kind's usual client when absent. */
  command: z.array(text, { error: 'must be a list of words, e.g. [pgcli, --less-chatty]' }).min(1, { error: 'must name a program' }).optional(),
};

const targetVariants = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ ...targetCommon, kind: z.literal('database'), database: databaseSectionSchema }),
    z.strictObject({ ...targetCommon, kind: z.literal('ssh'), ssh: sshSectionSchema }),
    z.strictObject({ ...targetCommon, kind: z.literal('aws'), aws: awsSectionSchema }),
    // Nothing is issued for a static secret: ttl and maxTtl are optional and unused.
    z.strictObject({ ...targetCommon, ttl: duration().default(30), maxTtl: duration().default(30), kind: z.literal('static'), static: staticSectionSchema }),
  ],
  { error: `must be one of ${targetKinds.join(', ')}` },
);

export const targetSchema = targetVariants
  .superRefine((target, ctx) => {
    if (target.ttl > target.maxTtl) {
      ctx.addIssue({
        code: 'custom',
        path: ['ttl'],
        message: `${formatDuration(target.ttl)} is above maxTtl ${formatDuration(target.maxTtl)}`,
      });
    }
  })
  .transform((target) => ({ ...target, requireReason: target.requireReason ?? target.impact === 'high' }));

export const configSchema = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1 (the only config format this Keyfob understands)' }),
    vault: vaultSettingsSchema,
    auth: authSchema,
    onCall: onCallSchema.optional(),
    sessions: sessionsSchema.prefault({}),
    policy: policySchema.prefault({}),
    targets: z.array(targetSchema, { error: 'must be a list of targets' }),
    leak: leakSettingsSchema.optional(),
  })
  .superRefine((config, ctx) => {
    checkLeakSettings(config, ctx);
    const sectionFor: Record<LoginMethod, 'vaultOidc' | 'oidc' | 'awsSso'> = { 'vault-oidc': 'vaultOidc', oidc: 'oidc', 'aws-sso': 'awsSso' };
    const needed = sectionFor[config.auth.default];
    if (!config.auth[needed]) {
      ctx.addIssue({ code: 'custom', path: ['auth', 'default'], message: `is ${config.auth.default}, but there is no auth.${needed} section` });
    }
    const seen = new Map<string, number>();
    config.targets.forEach((target, index) => {
      const first = seen.get(target.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['targets', index, 'id'], message: `"${target.id}" is already used by targets[${first}]; ids must be unique` });
      } else seen.set(target.id, index);
      if (target.requireOnCall && !config.onCall) {
        ctx.addIssue({ code: 'custom', path: ['targets', index, 'requireOnCall'], message: 'is true, but there is no onCall section to check it against' });
      }
      if (target.kind === 'aws' && target.aws.source === 'sso' && !config.auth.awsSso) {
        ctx.addIssue({ code: 'custom', path: ['targets', index, 'aws', 'source'], message: 'is sso, but there is no auth.awsSso section' });
      }
    });
    checkPolicy(config, ctx);
  });

export type KeyfobConfig = z.output<typeof configSchema>;
/** What a writer may hand to serializeConfig: durations as seconds or text, defaults optional. */
export type KeyfobConfigInput = z.input<typeof configSchema>;
export type VaultSettings = KeyfobConfig['vault'];
export type AuthSettings = KeyfobConfig['auth'];
export type VaultOidcSettings = NonNullable<AuthSettings['vaultOidc']>;
export type OidcSettings = NonNullable<AuthSettings['oidc']>;
export type AwsSsoSettings = NonNullable<AuthSettings['awsSso']>;
export type OnCallSettings = NonNullable<KeyfobConfig['onCall']>;
export type SessionSettings = KeyfobConfig['sessions'];
export type { LeakSettings } from './leakSettings.ts';
export type Target = KeyfobConfig['targets'][number];
export type { HandoffSettings, ImpactRule, PolicySettings } from './policySchema.ts';
export type DatabaseTarget = Extract<Target, { kind: 'database' }>;
export type SshTarget = Extract<Target, { kind: 'ssh' }>;
export type AwsTarget = Extract<Target, { kind: 'aws' }>;
export type StaticTarget = Extract<Target, { kind: 'static' }>;
