// A throwaway PostgreSQL for the engine tests: the stack's own cluster (test/stack/postgres.ts),
// with a fresh database of the test's own whose grants the test sets up itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../stack/postgres.ts';

export interface TestPostgres {
  port: number;
  superuser: string;
  superuserPassword: string;
  /** postgresql://<superuser>:…@127.0.0.1:port/<database>?sslmode=disable */
  url(database?: string, user?: string, password?: string): string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'keyfob-engines-pg-'));
  const pg = await startPostgres({ dir });
  return {
    port: pg.port,
    superuser: pg.adminUser,
    superuserPassword: pg.adminPassword,
    url: (database = 'postgres', user = pg.adminUser, password = pg.adminPassword) =>
      `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${pg.port}/${database}?sslmode=disable`,
    async stop() {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
