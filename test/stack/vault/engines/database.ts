// Vault's database secrets engine with the postgresql-database-plugin (vault-api.md §4), over a
// REAL PostgreSQL: creds/<role> creates a role in the database, renew pushes its VALID UNTIL,
// revoke drops it. Config and roles live in memory for the life of the mount.
import { z } from 'zod';
import { VaultError } from '../backend.ts';
import type { Backend, BackendFactory, BackendRequest, BackendResponse, RenewRequest } from '../backend.ts';
import { calculateTtl, generatePassword, generateUsername } from './database-credentials.ts';
import { durationSeconds, flag, globListContains, parseFields, statementList, stringList, SYSTEM_MAX_TTL, text } from './fields.ts';
import { PostgresPlugin, renderConnectionUrl } from './postgres-plugin.ts';
import { dispatch, listResponse, NAME, roleRoutes } from './router.ts';
import type { Route } from './router.ts';

const SUPPORTED_PLUGINS = new Set(['postgresql-database-plugin']);

interface ConnectionConfig {
  pluginName: string;
  connectionUrl: string;
  username: string;
  password: string;
  allowedRoles: string[];
  verifyConnection: boolean;
  rootRotationStatements: string[];
  passwordPolicy: string;
}

interface DatabaseRole {
  dbName: string;
  creationStatements: string[];
  revocationStatements: string[];
  rollbackStatements: string[];
  renewStatements: string[];
  defaultTtl: number;
  maxTtl: number;
}

const configFields = z.object({
  plugin_name: text.optional(),
  connection_url: text.optional(),
  username: text.optional(),
  password: text.optional(),
  allowed_roles: stringList.optional(),
  verify_connection: flag.optional(),
  root_rotation_statements: statementList.optional(),
  password_policy: text.optional(),
});

const roleFields = z.object({
  db_name: text.optional(),
  creation_statements: statementList.optional(),
  revocation_statements: statementList.optional(),
  rollback_statements: statementList.optional(),
  renew_statements: statementList.optional(),
  default_ttl: durationSeconds.optional(),
  max_ttl: durationSeconds.optional(),
});

/** What the core hands back to renew/revoke; checked because it crosses the core boundary. */
const leaseInternal = z.object({
  username: z.string(),
  role: z.string(),
  db_name: z.string(),
  revocation_statements: z.array(z.string()).default([]),
});

export const databaseBackend: BackendFactory = () => new DatabaseBackend();

class DatabaseBackend implements Backend {
  readonly type = 'database';
  private readonly configs = new Map<string, ConnectionConfig>();
  private readonly roles = new Map<string, DatabaseRole>();
  private readonly plugins = new Map<string, PostgresPlugin>();

  private readonly routes: Route[] = [
    { pattern: /^config\/?$/, operations: { list: async () => listResponse(this.configs.keys()) } },
    {
      pattern: new RegExp(`^config/${NAME}$`),
      operations: {
        read: async (_req, [name]) => this.readConfig(name!),
        update: async (req, [name]) => this.writeConfig(name!, req.data),
        delete: async (_req, [name]) => this.deleteConfig(name!),
      },
    },
    ...roleRoutes(this.roles, { read: (name) => this.readRole(name), write: (name, data) => this.writeRole(name, data) }),
    { pattern: new RegExp(`^creds/${NAME}$`), operations: { read: async (req, [name]) => this.issueCredentials(req, name!) } },
  ];

  handle(req: BackendRequest): Promise<BackendResponse | null> {
    return dispatch(this.routes, req);
  }

  /** Vault's roles/ and config/ paths have existence checks: a write to a new name is a "create" for the ACL. */
  async existenceCheck(req: BackendRequest): Promise<boolean> {
    const role = new RegExp(`^roles/${NAME}$`).exec(req.path);
    if (role) return this.roles.has(role[1]!);
    const config = new RegExp(`^config/${NAME}$`).exec(req.path);
    if (config) return this.configs.has(config[1]!);
    return true;
  }

  private readConfig(name: string): BackendResponse | null {
    const config = this.configs.get(name);
    if (!config) return null;
    return {
      data: {
        plugin_name: config.pluginName,
        plugin_version: '',
        // The password never comes back out (Vault deletes it from connection_details on read).
        connection_details: { connection_url: config.connectionUrl, username: config.username },
        allowed_roles: config.allowedRoles,
        root_credentials_rotate_statements: config.rootRotationStatements,
        password_policy: config.passwordPolicy,
        verify_connection: config.verifyConnection,
      },
    };
  }

  private async writeConfig(name: string, data: Record<string, unknown>): Promise<BackendResponse | null> {
    const fields = parseFields(configFields, data);
    const existing = this.configs.get(name);
    const config: ConnectionConfig = {
      pluginName: fields.plugin_name ?? existing?.pluginName ?? '',
      connectionUrl: fields.connection_url ?? existing?.connectionUrl ?? '',
      username: fields.username ?? existing?.username ?? '',
      password: fields.password ?? existing?.password ?? '',
      allowedRoles: fields.allowed_roles ?? existing?.allowedRoles ?? [],
      verifyConnection: fields.verify_connection ?? true,
      rootRotationStatements: fields.root_rotation_statements ?? existing?.rootRotationStatements ?? [],
      passwordPolicy: fields.password_policy ?? existing?.passwordPolicy ?? '',
    };
    if (config.pluginName === '') throw new VaultError(400, 'empty plugin name');
    if (!SUPPORTED_PLUGINS.has(config.pluginName)) {
      throw new VaultError(400, `error creating database object: unknown plugin: ${config.pluginName} (this server runs postgresql-database-plugin only)`);
    }
    if (config.connectionUrl === '') throw new VaultError(400, 'error creating database object: connection_url cannot be empty');

    const plugin = new PostgresPlugin(renderConnectionUrl(config.connectionUrl, config.username, config.password));
    if (config.verifyConnection) {
      try {
        await plugin.verify();
      } catch (error) {
        await plugin.close().catch(() => {});
        throw new VaultError(400, `error creating database object: error verifying connection: ping failed: ${(error as Error).message}`);
      }
    }
    await this.plugins
      .get(name)
      ?.close()
      .catch(() => {});
    this.plugins.set(name, plugin);
    this.configs.set(name, config);
    return null;
  }

  private async deleteConfig(name: string): Promise<null> {
    this.configs.delete(name);
    const plugin = this.plugins.get(name);
    this.plugins.delete(name);
    await plugin?.close().catch(() => {});
    return null;
  }

  private readRole(name: string): BackendResponse | null {
    const role = this.roles.get(name);
    if (!role) return null;
    return {
      data: {
        db_name: role.dbName,
        creation_statements: role.creationStatements,
        revocation_statements: role.revocationStatements,
        rollback_statements: role.rollbackStatements,
        renew_statements: role.renewStatements,
        default_ttl: role.defaultTtl,
        max_ttl: role.maxTtl,
        credential_type: 'password',
      },
    };
  }

  private writeRole(name: string, data: Record<string, unknown>): null {
    const fields = parseFields(roleFields, data);
    const existing = this.roles.get(name);
    const role: DatabaseRole = {
      dbName: fields.db_name ?? existing?.dbName ?? '',
      creationStatements: fields.creation_statements ?? existing?.creationStatements ?? [],
      revocationStatements: fields.revocation_statements ?? existing?.revocationStatements ?? [],
      rollbackStatements: fields.rollback_statements ?? existing?.rollbackStatements ?? [],
      renewStatements: fields.renew_statements ?? existing?.renewStatements ?? [],
      defaultTtl: fields.default_ttl ?? existing?.defaultTtl ?? 0,
      maxTtl: fields.max_ttl ?? existing?.maxTtl ?? 0,
    };
    if (role.dbName === '') throw new VaultError(400, 'empty database name attribute');
    if (role.maxTtl !== 0 && role.defaultTtl > role.maxTtl) throw new VaultError(400, 'ttl cannot be greater than max_ttl');
    this.roles.set(name, role);
    return null;
  }

  private async issueCredentials(req: BackendRequest, roleName: string): Promise<BackendResponse> {
    const role = this.roles.get(roleName);
    if (!role) throw new VaultError(400, `unknown role: ${roleName}`);
    const config = this.configs.get(role.dbName);
    if (!config) throw new VaultError(500, `failed to find entry for connection with name: ${JSON.stringify(role.dbName)}`);
    if (!globListContains(config.allowedRoles, roleName)) throw new VaultError(500, `${JSON.stringify(roleName)} is not an allowed role`);
    if (role.creationStatements.length === 0) throw new VaultError(500, 'empty creation statements');

    // The DB user outlives the lease by 5 s so it never expires first (path_creds_create.go).
    const ttl = Math.min(role.defaultTtl || SYSTEM_MAX_TTL, role.maxTtl || SYSTEM_MAX_TTL);
    const username = generateUsername(req.caller?.displayName ?? '', roleName);
    const password = generatePassword();
    const expiration = new Date(Date.now() + (ttl + 5) * 1000);
    try {
      await this.plugin(role.dbName, config).newUser(role.creationStatements, { username, password, expiration });
    } catch (error) {
      throw new VaultError(500, (error as Error).message);
    }
    return {
      data: { username, password },
      secret: {
        ttl: role.defaultTtl,
        maxTtl: role.maxTtl,
        renewable: true,
        internal: { username, role: roleName, db_name: role.dbName, revocation_statements: role.revocationStatements },
      },
    };
  }

  async renew(req: RenewRequest): Promise<{ ttl: number; maxTtl: number }> {
    const internal = leaseInternal.parse(req.internal);
    const role = this.roles.get(internal.role);
    if (!role) throw new VaultError(500, `error during renew: could not find role with name ${JSON.stringify(internal.role)}`);
    const config = this.requireConfig(role.dbName);
    const ttl = calculateTtl({ increment: req.increment, defaultTtl: role.defaultTtl, maxTtl: role.maxTtl, issueTime: req.issueTime });
    if (ttl > 0) {
      const expiration = new Date(Date.now() + (ttl + 5) * 1000);
      try {
        await this.plugin(role.dbName, config).renewUser(internal.username, expiration, role.renewStatements);
      } catch (error) {
        throw new VaultError(500, (error as Error).message);
      }
    }
    return { ttl: role.defaultTtl, maxTtl: role.maxTtl };
  }

  /** Uses the role's current statements if it still exists, else those saved with the lease (as Vault does). */
  async revoke(rawInternal: Record<string, unknown>): Promise<void> {
    const internal = leaseInternal.parse(rawInternal);
    const role = this.roles.get(internal.role);
    const dbName = role?.dbName ?? internal.db_name;
    const statements = role?.revocationStatements ?? internal.revocation_statements;
    const config = this.requireConfig(dbName);
    try {
      await this.plugin(dbName, config).deleteUser(internal.username, statements);
    } catch (error) {
      throw new VaultError(500, (error as Error).message);
    }
  }

  async close(): Promise<void> {
    const plugins = [...this.plugins.values()];
    this.plugins.clear();
    await Promise.all(plugins.map((p) => p.close().catch(() => {})));
  }

  private requireConfig(dbName: string): ConnectionConfig {
    const config = this.configs.get(dbName);
    if (!config) throw new VaultError(500, `failed to find entry for connection with name: ${JSON.stringify(dbName)}`);
    return config;
  }

  /** The pool for a config, made on first use when the config was written with verify_connection=false. */
  private plugin(name: string, config: ConnectionConfig): PostgresPlugin {
    let plugin = this.plugins.get(name);
    if (!plugin) {
      plugin = new PostgresPlugin(renderConnectionUrl(config.connectionUrl, config.username, config.password));
      this.plugins.set(name, plugin);
    }
    return plugin;
  }
}
