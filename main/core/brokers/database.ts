// Database credentials as a command sees them: libpq's PG* variables (the password never on a
// command line) and a connection URI for GUI clients.

export interface DatabaseLogin {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
  sslmode?: string | undefined;
  sslrootcert?: string | undefined;
}

export function databaseEnv(login: DatabaseLogin): Record<string, string> {
  return {
    PGHOST: login.host,
    PGPORT: String(login.port),
    PGDATABASE: login.database,
    PGUSER: login.username,
    PGPASSWORD: login.password,
    ...(login.sslmode ? { PGSSLMODE: login.sslmode } : {}),
    ...(login.sslrootcert ? { PGSSLROOTCERT: login.sslrootcert } : {}),
    // libpq 16+ refuses any other authentication (a server asking for the password in clear,
    // or no authentication at all); older clients ignore the variable.
    PGREQUIREAUTH: 'scram-sha-256',
  };
}

export function connectionUri(login: DatabaseLogin): string {
  const uri = new URL('postgresql://placeholder');
  uri.hostname = login.host;
  uri.port = String(login.port);
  uri.pathname = `/${encodeURIComponent(login.database)}`;
  uri.username = encodeURIComponent(login.username);
  uri.password = encodeURIComponent(login.password);
  if (login.sslmode) uri.searchParams.set('sslmode', login.sslmode);
  if (login.sslrootcert) uri.searchParams.set('sslrootcert', login.sslrootcert);
  return uri.href;
}
