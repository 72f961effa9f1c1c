// Database credentials as a command sees them: libpq's PG* variables (the password never on a
// command line) and a connection URI for GUI clients.

export interface DatabaseLogin {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
  sslmode?: string | undefined;
}

export function databaseEnv(login: DatabaseLogin): Record<string, string> {
  return {
    PGHOST: login.host,
    PGPORT: String(login.port),
    PGDATABASE: login.database,
    PGUSER: login.username,
    PGPASSWORD: login.password,
    ...(login.sslmode ? { PGSSLMODE: login.sslmode } : {}),
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
  return uri.href;
}
