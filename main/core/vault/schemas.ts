// Schemas for what Vault sends back (shared/vault-api.md). Unknown keys are dropped, never
// trusted; each endpoint's `data` has its own schema. lookup-self's `id` (the token itself) is
// deliberately not in the schema, so it never travels further than this file.
import { z } from 'zod';

const stringList = z.array(z.string());

export const authBlockSchema = z.object({
  client_token: z.string().min(1),
  accessor: z.string(),
  policies: stringList.nullable(),
  token_policies: stringList.nullish(),
  identity_policies: stringList.nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  lease_duration: z.number().int().nonnegative(),
  renewable: z.boolean(),
  entity_id: z.string().nullish(),
  token_type: z.string().nullish(),
  orphan: z.boolean().nullish(),
});

export const wrapInfoSchema = z.object({
  token: z.string(),
  accessor: z.string().nullish(),
  ttl: z.number(),
  creation_time: z.string(),
  creation_path: z.string(),
});

/** The envelope every logical path answers with (sdk/logical/translate_response.go). */
export const envelopeSchema = z.object({
  request_id: z.string(),
  lease_id: z.string(),
  renewable: z.boolean(),
  lease_duration: z.number().int().nonnegative(),
  data: z.unknown().nullable(),
  warnings: stringList.nullable(),
  auth: authBlockSchema.nullable(),
  wrap_info: wrapInfoSchema.nullable(),
});
export type Envelope = z.output<typeof envelopeSchema>;

export const healthSchema = z.object({
  initialized: z.boolean(),
  sealed: z.boolean(),
  standby: z.boolean(),
  performance_standby: z.boolean().optional(),
  version: z.string(),
  cluster_name: z.string().optional(),
  server_time_utc: z.number().optional(),
});

export const lookupSelfDataSchema = z.object({
  accessor: z.string(),
  creation_time: z.number(),
  creation_ttl: z.number(),
  display_name: z.string(),
  entity_id: z.string().nullish(),
  expire_time: z.string().nullable(),
  explicit_max_ttl: z.number(),
  identity_policies: stringList.nullish(),
  issue_time: z.string().nullish(),
  meta: z.record(z.string(), z.string()).nullable(),
  num_uses: z.number(),
  orphan: z.boolean(),
  path: z.string(),
  policies: stringList,
  renewable: z.boolean().nullish(),
  ttl: z.number(),
  type: z.string().nullish(),
});

export const databaseCredsDataSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

export const sshSignDataSchema = z.object({
  serial_number: z.string().regex(/^[0-9a-f]+$/i, { error: 'expected a hex serial number' }),
  signed_key: z.string().regex(/-cert-v01@openssh\.com /, { error: 'expected an OpenSSH certificate' }),
});

export const awsCredsDataSchema = z
  .object({
    access_key: z.string().min(1),
    secret_key: z.string().min(1),
    // Vault 1.16+ says session_token, older servers security_token (vault-api.md §6).
    session_token: z.string().nullish(),
    security_token: z.string().nullish(),
    arn: z.string().nullish(),
  })
  .transform(({ access_key, secret_key, session_token, security_token, arn }) => ({
    accessKey: access_key,
    secretKey: secret_key,
    sessionToken: session_token ?? security_token ?? null,
    arn: arn ?? null,
  }));

export const oidcAuthUrlDataSchema = z.object({ auth_url: z.string() });

/** sys/leases/lookup: the code puts these under `data` and names it last_renewal (vault-api.md §3.1). */
export const leaseLookupDataSchema = z.object({
  id: z.string(),
  issue_time: z.string(),
  expire_time: z.string().nullable(),
  last_renewal: z.string().nullable(),
  renewable: z.boolean(),
  ttl: z.number(),
});

const kvVersionMetadataSchema = z.object({
  created_time: z.string(),
  custom_metadata: z.record(z.string(), z.string()).nullish(),
  deletion_time: z.string(),
  destroyed: z.boolean(),
  version: z.number().int(),
});

export const kvReadDataSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable(),
  metadata: kvVersionMetadataSchema,
});

export const kvWriteDataSchema = kvVersionMetadataSchema;
