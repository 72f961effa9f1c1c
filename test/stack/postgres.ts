// A throwaway PostgreSQL cluster for the local stack: initdb into DIR/postgres, the server in the
// foreground as our child (so its pid is known and stop() is a fast shutdown), listening only on
// 127.0.0.1 with password (scram-sha-256) auth, and a database `orders` with a little data.
//
// Grants convention (what Vault's database roles build on, see ORDERS_GROUP_ROLES):
//   orders_ro  NOLOGIN group: CONNECT on orders, USAGE on schema public, SELECT on its tables.
//   orders_rw  NOLOGIN group: member of orders_ro, plus INSERT/UPDATE/DELETE and sequence use.
// A Vault-created login role gets its rights only by membership in one of these, so it owns
// nothing and owns no grants of its own, and Vault's DROP ROLE always succeeds.
import { orderRoleStatements } from '../../admin/vault-setup.ts';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import pg from 'pg';
import { freePort, isRoot, lookupUser, runCommand, spawnLogged, stopProcess, waitForLog, type LoggedProcess, type OsUser } from './processes.ts';

export interface StartPostgresOptions {
  /** Stack dir; the cluster goes to DIR/postgres, the log to DIR/postgres.log. */
  dir: string;
  /** Loopback port; picked when absent. */
  port?: number;
}

export interface RunningPostgres {
  host: '127.0.0.1';
  port: number;
  database: 'orders';
  /** Superuser for Vault's database engine (connection_url, creating/dropping roles). */
  adminUser: string;
  adminPassword: string;
  pid: number;
  /** Fast shutdown (SIGINT), waits until the server and its backends are gone. */
  stop(): Promise<void>;
}

export const POSTGRES_ADMIN_USER = 'vaultadmin';
export const ORDERS_DATABASE = 'orders';

/** Group roles a Vault database role grants to its login role. */
export const ORDERS_GROUP_ROLES = { readOnly: 'orders_ro', readWrite: 'orders_rw' } as const;

/**
 * Statements for Vault's database roles on this cluster (vault-api.md §4): the login role gets
 * its rights from the group, and revocation ends its sessions before dropping it, so a revoked
 * credential stops working at once, not only at the next login.
 */
export const ORDERS_VAULT_STATEMENTS = {
  'orders-ro': orderRoleStatements(ORDERS_GROUP_ROLES.readOnly),
  'orders-rw': orderRoleStatements(ORDERS_GROUP_ROLES.readWrite),
};

interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** initdb and postgres from PATH, else the newest /usr/lib/postgresql/<version>/bin (Debian). */
export function findPostgresBinaries(): PostgresBinaries {
  const candidates: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(dir);
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(debianRoot, v, 'bin'));
  }
  for (const dir of candidates) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  throw new Error('PostgreSQL server binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; install the postgresql package');
}

export async function startPostgres(opts: StartPostgresOptions): Promise<RunningPostgres> {
  const bin = findPostgresBinaries();
  const dataDir = join(opts.dir, 'postgres');
  const adminPassword = randomBytes(18).toString('base64url');

  // postgres refuses to run as root: as root, the cluster belongs to the `postgres` OS user.
  const runAs = isRoot() ? await lookupUser('postgres') : undefined;
  if (isRoot() && !runAs) throw new Error('running as root, but there is no `postgres` OS user to run the server as');
  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', HOME: dataDir };

  mkdirSync(opts.dir, { recursive: true });
  if (runAs) allowTraverse(opts.dir, runAs);
  await initCluster(bin, dataDir, adminPassword, ids, env, opts.dir);

  const tries = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const proc = spawnLogged({
      name: 'postgres',
      command: bin.postgres,
      // -k: the unix socket stays inside DIR; -h: TCP only on loopback.
      args: ['-D', dataDir, '-k', dataDir, '-h', '127.0.0.1', '-p', String(port)],
      dir: opts.dir,
      env,
      ...ids,
    });
    try {
      await waitForLog(proc, /database system is ready to accept connections/, { timeoutMs: 30_000 });
    } catch (error) {
      await stopProcess(proc, { signal: 'SIGINT' });
      const portTaken = /could not bind|Address already in use/i.test(proc.logTail(50));
      if (portTaken && attempt < tries) continue;
      throw error;
    }
    const running = makeRunning(proc, port, adminPassword);
    try {
      await createOrdersDatabase(running);
    } catch (error) {
      await running.stop();
      throw error;
    }
    return running;
  }
}

function makeRunning(proc: LoggedProcess, port: number, adminPassword: string): RunningPostgres {
  let stopping: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    database: ORDERS_DATABASE,
    adminUser: POSTGRES_ADMIN_USER,
    adminPassword,
    pid: proc.pid,
    // SIGINT = fast shutdown: backends are ended and the postmaster exits cleanly.
    stop: () => (stopping ??= stopProcess(proc, { signal: 'SIGINT', timeoutMs: 15_000 })),
  };
}

/**
 * Let the server's user reach `dir`: mkdtemp makes dirs 0700, so add the traverse bit (never read
 * or write) to `dir` and to its ancestors inside the temp dir. Anything else in the way is the
 * caller's to fix, and gets a clear error rather than a silent chmod of, say, /root.
 */
function allowTraverse(dir: string, user: OsUser): void {
  const tmp = resolve(tmpdir());
  for (let current = resolve(dir); ; current = dirname(current)) {
    const st = statSync(current);
    const mode = st.mode & 0o7777;
    const traversable = st.uid === user.uid ? (mode & 0o100) !== 0 : st.gid === user.gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
    if (!traversable) {
      if (current === resolve(dir) || current.startsWith(`${tmp}${sep}`)) chmodSync(current, mode | 0o001);
      else throw new Error(`the postgres OS user cannot reach ${dir}: ${current} is not traversable (mode ${mode.toString(8)}); use a stack dir under ${tmp}`);
    }
    if (dirname(current) === current) return;
  }
}

async function initCluster(
  bin: PostgresBinaries,
  dataDir: string,
  adminPassword: string,
  ids: { uid?: number; gid?: number },
  env: NodeJS.ProcessEnv,
  stackDir: string,
): Promise<void> {
  if (existsSync(dataDir)) throw new Error(`${dataDir} already exists: start the stack in a fresh dir`);
  mkdirSync(dataDir, { mode: 0o700 });
  // The password reaches initdb through a short-lived file, never argv (visible in ps).
  const pwFile = join(stackDir, `.postgres-pw-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwFile, `${adminPassword}\n`, { mode: 0o600 });
  try {
    if (ids.uid !== undefined && ids.gid !== undefined) {
      chownSync(dataDir, ids.uid, ids.gid);
      chownSync(pwFile, ids.uid, ids.gid);
    }
    await runCommand(
      bin.initdb,
      [
        '-D',
        dataDir,
        '-U',
        POSTGRES_ADMIN_USER,
        `--pwfile=${pwFile}`,
        '--auth-local=scram-sha-256',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { cwd: stackDir, env, ...ids },
    );
  } finally {
    rmSync(pwFile, { force: true });
  }
  // Only loopback TCP and the private socket, both with passwords; no replication entries.
  writeFileSync(
    join(dataDir, 'pg_hba.conf'),
    ['# written by the keyfob local stack', 'local all all scram-sha-256', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
  );
  // A throwaway cluster: durability is not worth the fsyncs.
  writeFileSync(
    join(dataDir, 'postgresql.auto.conf'),
    [
      '# written by the keyfob local stack',
      "password_encryption = 'scram-sha-256'",
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      "unix_socket_permissions = '0700'",
      'max_connections = 50',
      '',
    ].join('\n'),
  );
  if (ids.uid !== undefined && ids.gid !== undefined) {
    chownSync(join(dataDir, 'pg_hba.conf'), ids.uid, ids.gid);
    chownSync(join(dataDir, 'postgresql.auto.conf'), ids.uid, ids.gid);
  }
}

async function withAdmin<T>(pgInfo: RunningPostgres, database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: pgInfo.host, port: pgInfo.port, user: pgInfo.adminUser, password: pgInfo.adminPassword, database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const { readOnly, readWrite } = ORDERS_GROUP_ROLES;

/** The `orders` database, its group roles, and nothing else reachable by a non-admin role. */
async function createOrdersDatabase(pgInfo: RunningPostgres): Promise<void> {
  await withAdmin(pgInfo, 'postgres', async (client) => {
    await client.query(`CREATE DATABASE ${ORDERS_DATABASE}`);
    // PUBLIC may connect to every database by default; only the groups may, and only to orders.
    for (const db of ['postgres', 'template1', ORDERS_DATABASE]) await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${db} FROM PUBLIC`);
    await client.query(`CREATE ROLE ${readOnly} NOLOGIN`);
    await client.query(`CREATE ROLE ${readWrite} NOLOGIN IN ROLE ${readOnly}`);
    await client.query(`GRANT CONNECT ON DATABASE ${ORDERS_DATABASE} TO ${readOnly}`);
  });
  await withAdmin(pgInfo, ORDERS_DATABASE, async (client) => {
    await client.query(`
      REVOKE ALL ON SCHEMA public FROM PUBLIC;
      GRANT USAGE ON SCHEMA public TO ${readOnly};

      CREATE TABLE customers (
        id serial PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE orders (
        id serial PRIMARY KEY,
        customer_id integer NOT NULL REFERENCES customers(id),
        item text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        total_cents integer NOT NULL CHECK (total_cents >= 0),
        status text NOT NULL DEFAULT 'placed',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO customers (name, email) VALUES
        ('Ada Lovelace', 'ada@example.com'),
        ('Grace Hopper', 'grace@example.com'),
        ('Alan Turing', 'alan@example.com');
      INSERT INTO orders (customer_id, item, quantity, total_cents, status) VALUES
        (1, 'Analytical engine gears', 12, 4800, 'shipped'),
        (2, 'Compiler manual', 1, 2500, 'placed'),
        (2, 'Moth trap', 3, 900, 'delivered'),
        (3, 'Enigma rotor', 5, 12500, 'placed');

      GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${readOnly};
      GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${readWrite};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${readWrite};
      -- Tables the admin adds later follow the same convention.
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${readOnly};
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT, UPDATE, DELETE ON TABLES TO ${readWrite};
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${readWrite};
    `);
  });
}
