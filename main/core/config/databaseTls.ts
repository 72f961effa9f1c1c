// A fresh database password must never cross a network in clear. libpq's default (`prefer`)
// falls back to plain text when TLS fails, so a network attacker who strips TLS receives the
// login. Off this machine, Keyfob therefore requires TLS that checks the server.
import { isLoopbackHost } from './secureUrl.ts';

/** Where the database is reached without a network: loopback, or a Unix socket dir. */
export function isLocalDatabaseHost(host: string): boolean {
  return host.startsWith('/') || isLoopbackHost(host);
}

/** Why a database target's TLS settings are not safe for its host, or undefined when they are. */
export function databaseTlsProblem(db: {
  host: string;
  sslmode?: string | undefined;
  sslrootcert?: string | undefined;
}): { field: 'sslmode' | 'sslrootcert'; message: string } | undefined {
  if (isLocalDatabaseHost(db.host)) return undefined;
  if (db.sslmode === 'verify-full') return undefined;
  if (db.sslmode === 'verify-ca') {
    return db.sslrootcert
      ? undefined
      : { field: 'sslrootcert', message: `must name the CA file when sslmode is verify-ca (the server at ${db.host} is checked against it)` };
  }
  return {
    field: 'sslmode',
    message: `must be verify-full (or verify-ca with sslrootcert) for ${db.host}: ${db.sslmode ? `"${db.sslmode}"` : "libpq's default"} would let a network attacker strip TLS and receive the password`,
  };
}
