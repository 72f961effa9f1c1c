import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultConfigPath,
  isLoopbackHost,
  loadConfig,
  parseConfig,
  serializeConfig,
  type KeyfobConfigInput,
} from '../../main/core/config/index.ts';

const good = `
version: 1
vault: { address: "https://vault.corp:8200/", namespace: ns1, caFile: certs/ca.pem }
auth:
  default: vault-oidc
  vaultOidc: { role: engineer }
  oidc: { issuer: "http://127.0.0.1:9000", clientId: keyfob, vaultRole: engineer }
  awsSso: { startUrl: "https://corp.awsapps.com/start", region: us-east-1, endpoint: "http://localhost:4100" }
onCall: { pagerduty: { scheduleIds: [P123] } }
sessions: { warnBefore: 2m }
targets:
  - id: orders-ro
    name: Orders DB (read-only)
    kind: database
    impact: medium
    grants: SELECT on all tables in orders
    scope: orders (production)
    ttl: 1h
    maxTtl: 4h
    database: { vaultRole: orders-ro, host: 127.0.0.1, name: orders }
  - id: orders-rw
    name: Orders DB (read-write)
    kind: database
    impact: high
    grants: INSERT, UPDATE, DELETE on orders
    scope: orders (production)
    ttl: 15m
    maxTtl: 1h
    requireOnCall: true
    database: { vaultRole: orders-rw, host: 127.0.0.1, port: 5433, name: orders, sslmode: verify-full }
  - id: web-ssh
    name: Web servers
    kind: ssh
    impact: low
    grants: shell as alice
    scope: web fleet
    ttl: 30m
    maxTtl: 1h
    ssh: { vaultRole: engineer, host: "[::1]", user: alice, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl" }
  - id: aws-dev
    name: AWS dev
    kind: aws
    impact: medium
    grants: PowerUser in dev
    scope: dev account
    ttl: 3600
    maxTtl: 1h
    aws: { source: vault, vaultRole: dev }
  - id: aws-sso-dev
    name: AWS dev (SSO)
    kind: aws
    impact: low
    grants: Developer
    scope: dev account
    ttl: 1h
    maxTtl: 1h
    aws: { source: sso, accountId: "111122223333", roleName: Developer }
`;

const file = '/etc/keyfob/config.yaml';
const refusal = (text: string): string => {
  try {
    parseConfig(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the config to be refused');
};

describe('parseConfig', () => {
  it('reads a full config, fills defaults and turns durations into seconds', () => {
    const config = parseConfig(good, file);
    expect(config.vault).toEqual({ address: 'https://vault.corp:8200', namespace: 'ns1', caFile: '/etc/keyfob/certs/ca.pem', timeout: 10 });
    expect(config.auth.vaultOidc).toEqual({ mount: 'oidc', role: 'engineer', callbackPort: 8250 });
    expect(config.auth.oidc).toMatchObject({ vaultMount: 'jwt', redirectPort: 0, scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'] });
    expect(config.onCall?.pagerduty).toEqual({ url: 'https://api.pagerduty.com', scheduleIds: ['P123'], tokenEnv: 'PAGERDUTY_TOKEN' });
    expect(config.sessions).toEqual({ warnBefore: 120, renewBefore: 120 });
    const [ro, rw, ssh, aws, sso] = config.targets;
    expect(ro).toMatchObject({ ttl: 3600, maxTtl: 14400, requireReason: false, requireOnCall: false, database: { vaultMount: 'database', port: 5432 } });
    // High impact asks for a reason unless the admin says otherwise.
    expect(rw).toMatchObject({ requireReason: true, requireOnCall: true, database: { port: 5433, sslmode: 'verify-full' } });
    expect(ssh).toMatchObject({ kind: 'ssh', ssh: { vaultMount: 'ssh-client-signer', port: 22, user: 'alice' } });
    expect(aws).toMatchObject({ ttl: 3600, aws: { source: 'vault', vaultMount: 'aws', credentialType: 'sts' } });
    expect(sso).toMatchObject({ aws: { source: 'sso', accountId: '111122223333' } });
  });

  it('takes any sslmode on loopback or a socket dir, and verify-full or verify-ca with a CA elsewhere', () => {
    const db = (edit: string) => parseConfig(good.replace('host: 127.0.0.1, name: orders }', edit), file).targets[0]!;
    expect(db('host: localhost, name: orders, sslmode: disable }').kind).toBe('database');
    expect(db('host: /var/run/postgresql, name: orders }').kind).toBe('database');
    expect(db('host: "::1", name: orders, sslmode: prefer }').kind).toBe('database');
    expect(db('host: orders.db.corp, name: orders, sslmode: verify-full }').kind).toBe('database');
    expect(db('host: orders.db.corp, name: orders, sslmode: verify-ca, sslrootcert: /etc/ssl/orders-ca.pem }')).toMatchObject({
      database: { sslrootcert: '/etc/ssl/orders-ca.pem' },
    });
  });

  it('judges loopback by the parsed address, not by a "127." prefix of a host name', () => {
    for (const host of ['127.0.0.1', '127.9.8.7', 'localhost', '[::1]', new URL('http://[0:0:0:0:0:0:0:1]').hostname])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['127.0.0.1.evil.example', '127.evil.example', 'localhost.evil.example', '10.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
    expect(refusal(good.replace('http://127.0.0.1:9000', 'http://127.0.0.1.evil.example:9000'))).toMatch(/auth\.oidc\.issuer: must use https/);
  });

  it('allows plain http only on loopback', () => {
    for (const address of ['http://127.0.0.1:8200', 'http://127.9.8.7', 'http://localhost:8200', 'http://[::1]:8200', 'https://vault.corp']) {
      expect(parseConfig(good.replace('https://vault.corp:8200/', address), file).vault.address).toBe(address);
    }
  });

  it.each([
    [
      'an unknown key',
      (t: string) => t.replace('database: { vaultRole: orders-ro,', 'databse: { vaultRole: orders-ro,'),
      /config\.yaml:\d+: targets\[0\]\.databse \(target "orders-ro"\): unknown key "databse"/,
    ],
    [
      'an unknown nested key',
      (t: string) => t.replace('name: orders }', 'name: orders, sslmod: require }'),
      /targets\[0\]\.database\.sslmod .*unknown key "sslmod"/,
    ],
    ['an unknown top-level key', (t: string) => `${t}\nextra: 1\n`, /: extra: unknown key "extra"/],
    [
      'an http Vault address',
      (t: string) => t.replace('https://vault.corp:8200/', 'http://vault.corp:8200'),
      /vault\.address: must use https .*http:\/\/vault\.corp:8200/,
    ],
    ['an http IdP', (t: string) => t.replace('http://127.0.0.1:9000', 'http://idp.corp'), /auth\.oidc\.issuer: must use https/],
    [
      'an http SSO start URL',
      (t: string) => t.replace('https://corp.awsapps.com/start', 'http://corp.awsapps.com/start'),
      /auth\.awsSso\.startUrl: must use https/,
    ],
    [
      'an http PagerDuty URL',
      (t: string) => t.replace('scheduleIds: [P123]', 'scheduleIds: [P123], url: "http://pd.corp"'),
      /onCall\.pagerduty\.url: must use https/,
    ],
    ['an ftp address', (t: string) => t.replace('https://vault.corp:8200/', 'ftp://vault.corp'), /vault\.address: must be an https URL/],
    [
      'a URL with a password',
      (t: string) => t.replace('https://vault.corp:8200/', 'https://u:p@vault.corp'),
      /vault\.address: must not carry a user name or password/,
    ],
    ['a duplicate target id', (t: string) => t.replace('id: orders-rw', 'id: orders-ro'), /targets\[1\]\.id: "orders-ro" is already used by targets\[0\]/],
    ['a ttl above maxTtl', (t: string) => t.replace('ttl: 15m', 'ttl: 2h'), /targets\[1\]\.ttl \(target "orders-rw"\): 2h is above maxTtl 1h/],
    [
      'an unknown impact',
      (t: string) => t.replace('impact: medium', 'impact: critical'),
      /targets\[0\]\.impact .*must be one of low, medium, high \(got "critical"\)/,
    ],
    ['an unknown kind', (t: string) => t.replace('kind: ssh', 'kind: rdp'), /targets\[2\]\.kind .*must be one of database, ssh, aws, static \(got "rdp"\)/],
    [
      'a kind whose section is missing',
      (t: string) => t.replace(/ {4}ssh: \{ vaultRole.*\n/, ''),
      /targets\[2\]\.ssh \(target "web-ssh"\): is missing: a target of kind ssh needs an ssh section/,
    ],
    [
      "a kind with another kind's section",
      (t: string) => t.replace('kind: ssh', 'kind: database'),
      /targets\[2\]\.ssh \(target "web-ssh"\): a target of kind database takes a database section, not ssh/,
    ],
    ['a bad duration', (t: string) => t.replace('maxTtl: 4h', 'maxTtl: 4 hours'), /targets\[0\]\.maxTtl .*"4 hours" is not a duration/],
    ['a zero ttl', (t: string) => t.replace('ttl: 15m', 'ttl: 0s'), /targets\[1\]\.ttl .*must be at least 1s/],
    ['a bad target id', (t: string) => t.replace('id: web-ssh', 'id: Web_SSH'), /targets\[2\]\.id: must be lower-case letters/],
    ['a missing required field', (t: string) => t.replace('    name: Web servers\n', ''), /targets\[2\]\.name \(target "web-ssh"\): is missing/],
    ['an unquoted account id', (t: string) => t.replace('"111122223333"', '111122223333'), /aws\.accountId .*12-digit account id in quotes/],
    ['another format version', (t: string) => t.replace('version: 1', 'version: 2'), /version: must be 1/],
    [
      'on-call required without on-call settings',
      (t: string) => t.replace('onCall: { pagerduty: { scheduleIds: [P123] } }\n', ''),
      /targets\[1\]\.requireOnCall .*no onCall section/,
    ],
    [
      'a default login method that is not configured',
      (t: string) => t.replace('  vaultOidc: { role: engineer }\n', ''),
      /auth\.default: is vault-oidc, but there is no auth\.vaultOidc section/,
    ],
    [
      'an SSO target without SSO settings',
      (t: string) => t.replace('  awsSso: { startUrl: "https://corp.awsapps.com/start", region: us-east-1, endpoint: "http://localhost:4100" }\n', ''),
      /targets\[4\]\.aws\.source .*no auth\.awsSso section/,
    ],
    [
      'a remote database without sslmode',
      (t: string) => t.replace('host: 127.0.0.1, name: orders }', 'host: orders.db.corp, name: orders }'),
      /targets\[0\]\.database\.sslmode \(target "orders-ro"\): must be verify-full \(or verify-ca with sslrootcert\) for orders\.db\.corp: libpq's default would let a network attacker strip TLS/,
    ],
    [
      'a remote database with sslmode require',
      (t: string) => t.replace('host: 127.0.0.1, name: orders }', 'host: 10.0.0.5, name: orders, sslmode: require }'),
      /targets\[0\]\.database\.sslmode .*must be verify-full .* "require" would let/,
    ],
    [
      'a remote database with verify-ca but no CA',
      (t: string) => t.replace('host: 127.0.0.1, name: orders }', 'host: orders.db.corp, name: orders, sslmode: verify-ca }'),
      /targets\[0\]\.database\.sslrootcert .*must name the CA file when sslmode is verify-ca/,
    ],
    ['broken YAML', (t: string) => t.replace('targets:', 'targets: [\n'), /config\.yaml:\d+: not valid YAML: /],
    ['a repeated YAML key', (t: string) => t.replace('version: 1', 'version: 1\nversion: 1'), /config\.yaml:3: not valid YAML: Map keys must be unique/],
  ])('refuses %s with one line naming the file, the field and the reason', (_name, edit, expected) => {
    const message = refusal(edit(good));
    expect(message.startsWith(file)).toBe(true);
    expect(message).toMatch(expected);
  });

  it('points at the line of the problem and counts the others', () => {
    const message = refusal(good.replace('impact: medium', 'impact: critical').replace('ttl: 15m', 'ttl: 2h').replace('kind: ssh', 'kind: rdp'));
    expect(message).toMatch(/^\/etc\/keyfob\/config\.yaml:15: targets\[0\]\.impact .*\(and 2 more problems\)$/);
  });

  it('refuses an empty file', () => {
    expect(refusal('')).toBe(`${file}: the file is empty (docs/config.md describes the format)`);
  });
});

describe('serializeConfig', () => {
  it('writes YAML that reads back to the same config, durations as text', () => {
    const config = parseConfig(good, file);
    const text = serializeConfig(config);
    expect(text).toContain('ttl: 15m');
    expect(text).toContain('maxTtl: 4h');
    expect(text).toContain('accountId: "111122223333"');
    expect(parseConfig(text, file)).toEqual(config);
  });

  it('accepts a minimal hand-built config and fills defaults', () => {
    const input: KeyfobConfigInput = {
      version: 1,
      vault: { address: 'http://127.0.0.1:8200' },
      auth: { default: 'oidc', oidc: { issuer: 'http://127.0.0.1:9000', clientId: 'keyfob', vaultRole: 'engineer' } },
      targets: [
        {
          id: 'db',
          name: 'DB',
          kind: 'database',
          impact: 'low',
          grants: 'all',
          scope: 'dev',
          ttl: '10m',
          maxTtl: 3600,
          database: { vaultRole: 'db', host: '127.0.0.1', name: 'db' },
        },
      ],
    };
    const config = parseConfig(serializeConfig(input), file);
    expect(config.targets[0]).toMatchObject({ ttl: 600, maxTtl: 3600, requireReason: false });
    expect(config.vault.timeout).toBe(10);
  });

  it('refuses to write a config that would not load', () => {
    const input = { version: 1, vault: { address: 'http://vault.corp' }, auth: { default: 'oidc' }, targets: [] } as unknown as KeyfobConfigInput;
    expect(() => serializeConfig(input)).toThrow(/cannot write config: vault\.address: must use https/);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyfob-config-'));
    await mkdir(join(dir, 'certs'));
    await mkdir(join(dir, 'xdg', 'keyfob'), { recursive: true });
    await writeFile(join(dir, 'certs', 'ca.pem'), 'not checked here\n');
    await writeFile(join(dir, 'flag.yaml'), good);
    await writeFile(join(dir, 'env.yaml'), good.replace('ns1', 'ns-env'));
    await writeFile(join(dir, 'xdg', 'keyfob', 'config.yaml'), good.replace('caFile: certs/ca.pem', 'caFile: ../../certs/ca.pem').replace('ns1', 'ns-xdg'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prefers --config, then KEYFOB_CONFIG, then the per-user config dir', async () => {
    const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), KEYFOB_CONFIG: join(dir, 'env.yaml') };
    const flag = await loadConfig({ path: join(dir, 'flag.yaml'), env });
    expect(flag).toMatchObject({ path: join(dir, 'flag.yaml'), source: 'flag' });
    expect(flag.config.vault.namespace).toBe('ns1');
    expect(flag.config.vault.caFile).toBe(join(dir, 'certs', 'ca.pem'));
    const fromEnv = await loadConfig({ env });
    expect(fromEnv.config.vault.namespace).toBe('ns-env');
    const fromDir = await loadConfig({ env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg') } });
    expect(fromDir).toMatchObject({ path: join(dir, 'xdg', 'keyfob', 'config.yaml'), source: 'user-dir' });
    expect(fromDir.config.vault.namespace).toBe('ns-xdg');
  });

  it('says where it looked when there is no config', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadConfig({ path: missing, env: {} })).rejects.toThrow(`No Keyfob config at ${missing} (given with --config)`);
    await expect(loadConfig({ env: { HOME: join(dir, 'home') } })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      file: join(dir, 'home', '.config', 'keyfob', 'config.yaml'),
    });
  });

  it('refuses a CA file it cannot read', async () => {
    await writeFile(join(dir, 'badca.yaml'), good.replace('certs/ca.pem', 'certs/missing.pem'));
    await expect(loadConfig({ path: join(dir, 'badca.yaml'), env: {} })).rejects.toThrow(
      `${join(dir, 'badca.yaml')}: vault.caFile: cannot read ${join(dir, 'certs', 'missing.pem')} (ENOENT)`,
    );
  });
});

describe('defaultConfigPath', () => {
  it('follows each OS convention', () => {
    expect(defaultConfigPath({ XDG_CONFIG_HOME: '/x/conf' }, 'linux', '/home/a')).toBe('/x/conf/keyfob/config.yaml');
    expect(defaultConfigPath({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/a')).toBe('/home/a/.config/keyfob/config.yaml');
    expect(defaultConfigPath({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Application Support/Keyfob/config.yaml');
    expect(defaultConfigPath({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a')).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\Keyfob\\config.yaml',
    );
  });
});
