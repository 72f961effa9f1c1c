// The admin setup for Keyfob: configures a Vault (real `vault server`, or the stack's
// Vault-compatible server) through Vault's HTTP API only. docs/vault-setup.md explains each step.
//
//   node admin/vault-setup.ts --plan plan.json      (VAULT_ADDR and VAULT_TOKEN from the environment)
//
// The plan names what differs per org: the IdP, the database admin login, the SSH login user, TTLs.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const duration = z.union([z.string(), z.number()]);

export const SetupPlan = z.strictObject({
  oidc: z.strictObject({
    /** The IdP's issuer URL, or its /.well-known/openid-configuration URL. */
    discoveryUrl: z.string().url(),
    /** Confidential client registered for Vault's OIDC auth method. */
    vaultClientId: z.string(),
    vaultClientSecret: z.string(),
    /** Keyfob's public client: the audience of ID tokens presented to auth/jwt. */
    keyfobClientId: z.string(),
    userClaim: z.string().default('email'),
    groupsClaim: z.string().default('groups'),
    /** Only IdP users in this group (the groups claim) may sign in to Vault as engineers. */
    engineerGroup: z.string().min(1).default('engineers'),
  }),
  database: z.strictObject({
    host: z.string(),
    port: z.number().int(),
    name: z.string(),
    adminUser: z.string(),
    adminPassword: z.string(),
    sslmode: z.string().default('disable'),
    defaultTtl: duration.default('1h'),
    maxTtl: duration.default('4h'),
  }),
  ssh: z.strictObject({ allowedUsers: z.array(z.string()).min(1), ttl: duration.default('30m'), maxTtl: duration.default('1h') }),
  aws: z.strictObject({ roleArn: z.string(), defaultStsTtl: duration.default('1h'), maxStsTtl: duration.default('4h') }),
  /** Give every engineer the leak-responder policy (`keyfob leak --prefix`); orgs usually give it to on-call only. */
  engineersRespondToLeaks: z.boolean().default(false),
  tokenTtl: duration.default('8h'),
  tokenMaxTtl: duration.default('24h'),
});
export type SetupPlan = z.input<typeof SetupPlan>;

// The request paths Keyfob issues leased credentials from. Lease ids start with their request
// path, so these prefixes are what the engineer's lease renewals and lookups are scoped to.
export const engineerLeasePaths = ['database/creds/orders-ro', 'database/creds/orders-rw', 'aws/sts/dev', 'aws/creds/dev'] as const;

// Vault cannot template a lease id per user, so an engineer gets no sys/leases/revoke at all:
// Keyfob reads each session's lease with a child token made for that session, and ends the
// session with that token's revoke-self, which revokes the token's own leases and nobody else's
// (docs/vault-setup.md, "Lease operations"). Renew and lookup stay scoped by allowed_parameters
// to the mounts above (Vault's default policy grants both unscoped; this rule restricts the merge).
const leaseIds = `[${engineerLeasePaths.map((p) => JSON.stringify(`${p}/*`)).join(', ')}]`;

// What an engineer needs and no more: their own credentials, their own leases, handoff notes.
// auth/token/create makes the per-session child token: Vault gives a non-root parent's child at
// most the parent's own policies, and the fields listed are the only ones Keyfob sends.
export const engineerPolicy = `
path "database/creds/orders-ro" { capabilities = ["read"] }
path "database/creds/orders-rw" { capabilities = ["read"] }
path "ssh-client-signer/sign/engineer" { capabilities = ["update"] }
path "aws/sts/dev" { capabilities = ["update"] }
path "aws/creds/dev" { capabilities = ["read"] }
path "auth/token/create" { capabilities = ["update"] allowed_parameters = { "ttl" = [] "explicit_max_ttl" = [] "display_name" = [] "renewable" = [] } }
path "sys/leases/renew" { capabilities = ["update"] allowed_parameters = { "lease_id" = ${leaseIds} "increment" = [] } }
path "sys/leases/lookup" { capabilities = ["update"] allowed_parameters = { "lease_id" = ${leaseIds} } }
path "secret/data/handoff/*" { capabilities = ["create", "read", "update"] }
path "secret/metadata/handoff/*" { capabilities = ["read", "list"] }
path "secret/metadata/handoff" { capabilities = ["list"] }
path "secret/data/incidents/*" { capabilities = ["create"] }
path "secret/metadata/static/*" { capabilities = ["read"] }
path "secret/data/static/*" { capabilities = ["read"] }
`;

// Leak response (docs/runbook-leak.md): revoke every lease of a role at once. revoke-prefix is a
// sudo path, so this is its own policy, for the people who answer leaks.
export const leakResponderPolicy = `
path "sys/leases/revoke-prefix/database/creds/*" { capabilities = ["update", "sudo"] }
path "sys/leases/revoke-prefix/aws/creds/*" { capabilities = ["update", "sudo"] }
path "sys/leases/revoke-prefix/aws/sts/*" { capabilities = ["update", "sudo"] }
`;

// Vault-made logins get their rights only through a group role the DBA owns (orders_ro,
// orders_rw), so DROP ROLE always succeeds; revocation also ends open sessions at once.
export function orderRoleStatements(group: string): { creation_statements: string[]; revocation_statements: string[] } {
  return {
    creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' INHERIT;`, `GRANT ${group} TO "{{name}}";`],
    revocation_statements: [`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}';`, `DROP ROLE IF EXISTS "{{name}}";`],
  };
}

type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

function vaultCaller(addr: string, token: string): Call {
  return async (method, path, body) => {
    const res = await fetch(`${addr}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': token, 'X-Vault-Request': 'true', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`vault-setup: ${method} ${path} failed with ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Enables a mount unless one of that path already exists, so the script can run twice. */
async function ensureMount(call: Call, kind: 'mounts' | 'auth', path: string, body: Record<string, unknown>) {
  const list = (await call('GET', `sys/${kind}`)) as { data?: Record<string, unknown> } & Record<string, unknown>;
  const existing = { ...list, ...(list.data ?? {}) };
  if (!(`${path}/` in existing)) await call('POST', `sys/${kind}/${path}`, body);
}

/**
 * Vault's `oidc_discovery_url` is the issuer: Vault appends /.well-known/openid-configuration
 * itself. Plans may name either the issuer or the full discovery document URL.
 */
export function issuerOf(discoveryUrl: string): string {
  // The issuer must stay byte-for-byte what the IdP reports (some end in "/"), so only the suffix goes.
  return discoveryUrl.replace(/\/\.well-known\/openid-configuration\/?$/, '');
}

export async function setupVault(addr: string, token: string, input: SetupPlan): Promise<void> {
  const plan = SetupPlan.parse(input);
  const call = vaultCaller(addr, token);
  const issuer = issuerOf(plan.oidc.discoveryUrl);

  await call('PUT', 'sys/policies/acl/engineer', { policy: engineerPolicy });
  await call('PUT', 'sys/policies/acl/keyfob-leak-responder', { policy: leakResponderPolicy });
  const tokenPolicies = plan.engineersRespondToLeaks ? ['engineer', 'keyfob-leak-responder'] : ['engineer'];

  // Vault's own OIDC method: the flow `vault login -method=oidc` and Keyfob's vault-oidc use.
  await ensureMount(call, 'auth', 'oidc', { type: 'oidc' });
  await call('POST', 'auth/oidc/config', {
    oidc_discovery_url: issuer,
    oidc_client_id: plan.oidc.vaultClientId,
    oidc_client_secret: plan.oidc.vaultClientSecret,
    default_role: 'engineer',
  });
  await call('POST', 'auth/oidc/role/engineer', {
    role_type: 'oidc',
    user_claim: plan.oidc.userClaim,
    groups_claim: plan.oidc.groupsClaim,
    // Not every IdP user is an engineer: only members of the engineer group get this role.
    bound_claims: { [plan.oidc.groupsClaim]: [plan.oidc.engineerGroup] },
    oidc_scopes: ['email', 'profile', 'groups'],
    // Loopback redirects match on any port (RFC 8252), so the CLI's default port is enough.
    allowed_redirect_uris: ['http://localhost:8250/oidc/callback', 'http://127.0.0.1:8250/oidc/callback'],
    token_policies: tokenPolicies,
    token_ttl: plan.tokenTtl,
    token_max_ttl: plan.tokenMaxTtl,
  });

  // JWT method: Keyfob's direct OIDC login presents the IdP's ID token here.
  await ensureMount(call, 'auth', 'jwt', { type: 'jwt' });
  await call('POST', 'auth/jwt/config', { oidc_discovery_url: issuer, default_role: 'engineer' });
  await call('POST', 'auth/jwt/role/engineer', {
    role_type: 'jwt',
    bound_audiences: [plan.oidc.keyfobClientId],
    user_claim: plan.oidc.userClaim,
    groups_claim: plan.oidc.groupsClaim,
    bound_claims: { [plan.oidc.groupsClaim]: [plan.oidc.engineerGroup] },
    token_policies: tokenPolicies,
    token_ttl: plan.tokenTtl,
    token_max_ttl: plan.tokenMaxTtl,
  });

  const db = plan.database;
  await ensureMount(call, 'mounts', 'database', { type: 'database' });
  await call('POST', 'database/config/orders', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: `postgresql://{{username}}:{{password}}@${db.host}:${db.port}/${db.name}?sslmode=${db.sslmode}`,
    username: db.adminUser,
    password: db.adminPassword,
    allowed_roles: ['orders-ro', 'orders-rw'],
  });
  for (const [role, group] of [
    ['orders-ro', 'orders_ro'],
    ['orders-rw', 'orders_rw'],
  ] as const) {
    await call('POST', `database/roles/${role}`, {
      db_name: 'orders',
      ...orderRoleStatements(group),
      default_ttl: db.defaultTtl,
      max_ttl: db.maxTtl,
    });
  }

  await ensureMount(call, 'mounts', 'ssh-client-signer', { type: 'ssh' });
  // Generating twice would replace the CA every sshd trusts: only generate when there is none.
  const caKey = await fetch(`${addr}/v1/ssh-client-signer/public_key`);
  if (caKey.status === 404) await call('POST', 'ssh-client-signer/config/ca', { generate_signing_key: true, key_type: 'ssh-ed25519' });
  await call('POST', 'ssh-client-signer/roles/engineer', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: plan.ssh.allowedUsers.join(','),
    default_user: plan.ssh.allowedUsers[0],
    allowed_extensions: 'permit-pty,permit-port-forwarding,permit-agent-forwarding',
    default_extensions: { 'permit-pty': '' },
    ttl: plan.ssh.ttl,
    max_ttl: plan.ssh.maxTtl,
  });

  await ensureMount(call, 'mounts', 'aws', { type: 'aws' });
  await call('POST', 'aws/roles/dev', {
    credential_type: 'assumed_role',
    role_arns: [plan.aws.roleArn],
    default_sts_ttl: plan.aws.defaultStsTtl,
    max_sts_ttl: plan.aws.maxStsTtl,
  });

  await ensureMount(call, 'mounts', 'secret', { type: 'kv', options: { version: '2' } });
}

/** The SSH CA public key every sshd that accepts Keyfob certificates must trust. */
export async function sshCaPublicKey(addr: string): Promise<string> {
  const res = await fetch(`${addr}/v1/ssh-client-signer/public_key`);
  if (!res.ok) throw new Error(`vault-setup: no SSH CA at ${addr} (status ${res.status})`);
  return (await res.text()).trim();
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { plan: { type: 'string' } } });
  const addr = process.env.VAULT_ADDR;
  const token = process.env.VAULT_TOKEN;
  if (!values.plan || !addr || !token) {
    console.error('usage: VAULT_ADDR=… VAULT_TOKEN=… node admin/vault-setup.ts --plan plan.json');
    process.exit(2);
  }
  await setupVault(addr, token, JSON.parse(await readFile(values.plan, 'utf8')));
  console.log(`Vault at ${addr} is set up for Keyfob. SSH CA: ${await sshCaPublicKey(addr)}`);
}
