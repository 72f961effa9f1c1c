// A throwaway PostgreSQL cluster for the engine tests: initdb + pg_ctl from Debian's postgresql-15,
// loopback only, password (scram) auth over TCP so a wrong password really fails. As root the
// server runs as the `postgres` OS user (postgres refuses to run as root).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;

export interface TestPostgres {
  port: number;
  superuser: string;
  superuserPassword: string;
  /** postgresql://postgres:…@127.0.0.1:port/<database>?sslmode=disable */
  url(database?: string, user?: string, password?: string): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function asPostgres(command: string, args: string[]): Promise<void> {
  if (isRoot) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
  else await run(command, args);
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'keyfob-engines-pg-'));
  const data = join(dir, 'data');
  const superuserPassword = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pw');
  await writeFile(pwfile, `${superuserPassword}\n`, { mode: 0o600 });
  if (isRoot) await run('chown', ['-R', 'postgres:postgres', dir]);
  await asPostgres(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
  await rm(pwfile);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  await asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);

  let stopped = false;
  return {
    port,
    superuser: 'postgres',
    superuserPassword,
    url: (database = 'postgres', user = 'postgres', password = superuserPassword) =>
      `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
