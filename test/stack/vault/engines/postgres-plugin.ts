// What Vault's postgresql-database-plugin does against a real PostgreSQL (vault-api.md §4):
// run creation statements in a transaction, push VALID UNTIL on renew, and revoke either with the
// role's revocation statements (in a transaction) or with the plugin's default revoke-and-drop.
import pg from 'pg';

/** Go layout "2006-01-02 15:04:05-0700", in UTC (what the plugin substitutes for {{expiration}}). */
export function formatExpiration(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')}+0000`;
}

/** Vault's default renew statement when a role has no renew_statements. */
const DEFAULT_RENEW = `ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';`;

/** pq.QuoteIdentifier: double the quotes, wrap in quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/\0/g, '').replace(/"/g, '""')}"`;
}

/** Substitutes {{key}} placeholders verbatim, as Vault's dbutil.QueryHelper does (no escaping). */
export function renderStatement(statement: string, values: Record<string, string>): string {
  return statement.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

/**
 * Splits one configured statement into queries on ';', unless it looks like a multi-line block
 * (contains the word END outside quotes, e.g. a DO $$ ... END $$ body), which Vault runs as-is.
 */
export function splitStatement(statement: string): string[] {
  const withoutLiterals = statement.replace(/"[^"]*"|'[^']*'/g, '');
  if (/\bEND\b/.test(withoutLiterals)) return [statement];
  return statement
    .split(';')
    .map((q) => q.trim())
    .filter((q) => q !== '');
}

/** The config's connection URL with {{username}}/{{password}} filled in, URL-escaped (connutil does PathEscape). */
export function renderConnectionUrl(url: string, username: string, password: string): string {
  return url.replace(/\{\{\s*username\s*\}\}/g, encodeURIComponent(username)).replace(/\{\{\s*password\s*\}\}/g, encodeURIComponent(password));
}

export class PostgresPlugin {
  private readonly pool: pg.Pool;

  constructor(connectionString: string) {
    // Small pool: the stack makes a handful of roles at a time, and several helpers share 2 cores.
    this.pool = new pg.Pool({ connectionString, max: 3, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5_000 });
    // An idle client losing its server (cluster stopped under us) must not crash the process.
    this.pool.on('error', () => {});
  }

  async verify(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Runs creation statements for a new user in one transaction. */
  async newUser(statements: readonly string[], values: { username: string; password: string; expiration: Date }): Promise<void> {
    const vars = { name: values.username, username: values.username, password: values.password, expiration: formatExpiration(values.expiration) };
    await this.inTransaction(statements, vars, 'failed to execute query: ');
  }

  /** Pushes the user's expiry out (renew_statements, or ALTER ROLE ... VALID UNTIL). */
  async renewUser(username: string, expiration: Date, renewStatements: readonly string[]): Promise<void> {
    const statements = renewStatements.length > 0 ? renewStatements : [DEFAULT_RENEW];
    await this.inTransaction(statements, { name: username, username, expiration: formatExpiration(expiration) }, '');
  }

  /** Custom revocation statements run in a transaction; none → the plugin's defaultDeleteUser. */
  async deleteUser(username: string, revocationStatements: readonly string[]): Promise<void> {
    if (revocationStatements.length > 0) {
      await this.inTransaction(revocationStatements, { name: username, username }, '');
      return;
    }
    await this.defaultDeleteUser(username);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async inTransaction(statements: readonly string[], vars: Record<string, string>, errorPrefix: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const statement of statements) {
        for (const query of splitStatement(statement)) {
          try {
            await client.query(renderStatement(query, vars));
          } catch (error) {
            throw new Error(`${errorPrefix}${errorText(error)}`, { cause: error });
          }
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Vault's defaultDeleteUser: no-op when the role is gone; otherwise revoke what it was granted
   * (not in a transaction: remove as much access as possible even if one REVOKE fails), and drop
   * it only if every REVOKE succeeded. Existing sessions are left alone, as Vault does.
   */
  private async defaultDeleteUser(username: string): Promise<void> {
    const exists = await this.pool.query<{ exists: boolean }>('SELECT exists (SELECT rolname FROM pg_roles WHERE rolname=$1);', [username]);
    if (!exists.rows[0]?.exists) return;
    const user = quoteIdentifier(username);
    const schemas = await this.pool.query<{ table_schema: string }>(
      'SELECT DISTINCT table_schema FROM information_schema.role_column_grants WHERE grantee=$1;',
      [username],
    );
    const statements: string[] = [];
    for (const { table_schema: schema } of schemas.rows) {
      statements.push(`REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA ${quoteIdentifier(schema)} FROM ${user};`);
      statements.push(`REVOKE USAGE ON SCHEMA ${quoteIdentifier(schema)} FROM ${user};`);
    }
    statements.push(`REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM ${user};`);
    statements.push(`REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM ${user};`);
    statements.push(`REVOKE USAGE ON SCHEMA public FROM ${user};`);
    const database = await this.pool.query<{ current_database: string | null }>('SELECT current_database();');
    const dbname = database.rows[0]?.current_database;
    if (dbname) statements.push(`REVOKE CONNECT ON DATABASE ${quoteIdentifier(dbname)} FROM ${user};`);

    let lastError: unknown;
    for (const statement of statements) {
      try {
        await this.pool.query(statement);
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError !== undefined) throw new Error(`could not perform all revocation statements: ${errorText(lastError)}`);
    await this.pool.query(`DROP ROLE IF EXISTS ${user};`);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
