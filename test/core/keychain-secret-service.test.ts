// Keyfob's own Secret Service client (keychain/secretServiceStore.ts) against the real
// gnome-keyring that `npm test` starts in a private D-Bus session: reads, writes and deletes,
// items @napi-rs/keyring finds and whose items it finds (existing sign-ins were written by it),
// one connection for many calls, and what a person sees when the bus is missing, wrong, silent,
// or the keyring locked.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore, SecretStoreError, type SecretStore } from '../../main/core/keychain/index.ts';
import { busSockets, sessionBusAddress } from '../../main/core/keychain/secretService/busAddress.ts';
import { BusConnection } from '../../main/core/keychain/secretService/busConnection.ts';
import { SecretServiceCalls } from '../../main/core/keychain/secretService/secretServiceCalls.ts';
import { portableExchange, type DhExchange } from '../../main/core/keychain/secretService/sessionCrypto.ts';
import { NO_SESSION_BUS, SecretServiceStore } from '../../main/core/keychain/secretServiceStore.ts';

const run = promisify(execFile);
const hasSecretService = process.env.KEYFOB_TEST_SECRET_SERVICE === '1';
const address = process.env.DBUS_SESSION_BUS_ADDRESS;
const service = `keyfob-ss-test-${process.pid}`;
const repo = resolve(import.meta.dirname, '../..');
const node = existsSync(join(repo, 'node_modules/.bin/node')) ? join(repo, 'node_modules/.bin/node') : process.execPath;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyfob-ss-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const noPrompting = async (): Promise<SecretStore> => {
  throw new Error('no prompt expected here');
};

/** A store on a connection of its own (`bus`), so a test can count or close it. */
function storeOn(busAddress: string | undefined, options: { timeoutMs?: number; prompting?: () => Promise<SecretStore>; exchange?: () => DhExchange } = {}) {
  const bus = busAddress ? new BusConnection(busAddress) : undefined;
  const calls = bus ? new SecretServiceCalls(bus, options.exchange) : undefined;
  const store = new SecretServiceStore({
    address: busAddress,
    service,
    timeoutMs: options.timeoutMs ?? 5000,
    prompting: options.prompting ?? noPrompting,
    calls,
  });
  return { store, bus, calls };
}

async function napiEntry(key: string) {
  const keyring = await import('@napi-rs/keyring');
  return new keyring.AsyncEntry(service, key, { linux: { store: 'secret-service' } });
}

/**
 * `secret-tool search` for this test's service and key: each item's label (on stdout) and the
 * attributes (on stderr, with no marker between items: read them when there is one item).
 */
async function itemsFor(key: string): Promise<{ labels: string[]; attributes: Record<string, string> }> {
  const { stdout, stderr } = await run('secret-tool', ['search', '--all', 'service', service, 'username', key]).catch(() => ({ stdout: '', stderr: '' }));
  return {
    labels: [...stdout.matchAll(/^label = (.*)$/gm)].map((m) => m[1]!),
    attributes: Object.fromEntries([...stderr.matchAll(/^attribute\.(\S+) = (.*)$/gm)].map((m) => [m[1]!, m[2]!])),
  };
}

/** A Unix socket that forwards to the real bus and records what passes; `drop()` cuts every connection (a bus restart, as a client sees it). */
async function busProxy() {
  const target = busSockets(address!)[0]!;
  const path = join(dir, `proxy-${Math.random().toString(36).slice(2)}`);
  const sockets = new Set<Socket>();
  const seen: Buffer[] = [];
  const server = createServer((client) => {
    const upstream = createConnection({ path: target.path });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => (seen.push(chunk), upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => (seen.push(chunk), client.write(chunk)));
  });
  await new Promise<void>((done) => server.listen(path, done));
  return {
    address: `unix:path=${path}`,
    traffic: () => Buffer.concat(seen),
    drop: () => sockets.forEach((s) => s.destroy()),
    close: () => (sockets.forEach((s) => s.destroy()), new Promise((done) => server.close(done))),
  };
}

/** A socket that accepts and never says a word (a hung bus). */
async function silentBus(): Promise<{ address: string; server: Server }> {
  const path = join(dir, `silent-${Math.random().toString(36).slice(2)}`);
  const server = createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((done) => server.listen(path, done));
  return { address: `unix:path=${path}`, server };
}

describe.runIf(hasSecretService)('the Secret Service client, against gnome-keyring', () => {
  it('reads null for a missing key, writes, overwrites, reads back unicode and newlines, and deletes once', async () => {
    const { store } = storeOn(address);
    expect(await store.get('missing')).toBeNull();
    await store.set('k', 'first');
    expect(await store.get('k')).toBe('first');
    const value = 'héllo ✓ 🔑\nsecond line\r\n\ttab "quotes" \\ and a NUL-free end';
    await store.set('k', value);
    expect(await store.get('k')).toBe(value);
    expect((await itemsFor('k')).labels).toHaveLength(1); // overwritten in place, not a second item
    expect(await store.delete('k')).toBe(true);
    expect(await store.delete('k')).toBe(false);
    expect(await store.get('k')).toBeNull();
  });

  it('works with the BigInt DH exchange the tray uses where Electron’s crypto has none', async () => {
    const { store } = storeOn(address, { exchange: portableExchange });
    await store.set('portable', 'through a portable session ✓');
    expect(await store.get('portable')).toBe('through a portable session ✓');
    expect(await napiEntry('portable').then((e) => e.getPassword())).toBe('through a portable session ✓');
    expect(await store.delete('portable')).toBe(true);
  });

  it('writes the item @napi-rs/keyring writes: same label and attributes', async () => {
    const { store } = storeOn(address);
    await store.set('ours', 'x');
    await (await napiEntry('theirs')).setPassword('y');
    expect(await itemsFor('ours')).toEqual({ labels: [`keyring:ours@${service}`], attributes: { service, username: 'ours' } });
    expect(await itemsFor('theirs')).toEqual({ labels: [`keyring:theirs@${service}`], attributes: { service, username: 'theirs' } });
    await store.delete('ours');
    await store.delete('theirs');
  });

  it('finds, overwrites and deletes what @napi-rs/keyring wrote (an existing sign-in), and @napi-rs/keyring finds what it writes', async () => {
    const { store } = storeOn(address);
    const theirs = await napiEntry('cross');
    await theirs.setPassword('written by napi\nline 2 é');
    expect(await store.get('cross')).toBe('written by napi\nline 2 é');
    await store.set('cross', 'overwritten by keyfob ✓');
    expect(await theirs.getPassword()).toBe('overwritten by keyfob ✓');
    expect((await itemsFor('cross')).labels).toHaveLength(1);
    await theirs.setPassword('napi again');
    expect(await store.get('cross')).toBe('napi again');
    expect(await store.delete('cross')).toBe(true);
    expect(await theirs.getPassword()).toBeNull();

    await store.set('ours-first', 'made by keyfob');
    const entry = await napiEntry('ours-first');
    expect(await entry.getPassword()).toBe('made by keyfob');
    expect(await entry.deleteCredential()).toBe(true);
    expect(await store.get('ours-first')).toBeNull();
  });

  it('makes concurrent calls on one connection, each getting its own answer', async () => {
    const { store, bus } = storeOn(address);
    const keys = Array.from({ length: 12 }, (_, i) => `concurrent-${i}`);
    await Promise.all(keys.map((key) => store.set(key, `value of ${key}`)));
    const values = await Promise.all([...keys, ...keys].map((key) => store.get(key)));
    expect(values).toEqual([...keys, ...keys].map((key) => `value of ${key}`));
    expect(await Promise.all(keys.map((key) => store.delete(key)))).toEqual(keys.map(() => true));
    expect(bus!.opened).toBe(1);
  });

  it('refuses to guess when several items match a key, and delete removes them all', async () => {
    const { store } = storeOn(address);
    await store.set('twice', 'one');
    // A second item with the same attributes in another collection (as another program might make).
    await run('sh', ['-c', 'printf %s two | secret-tool store --collection=session --label=other service "$1" username twice', 'sh', service]);
    await expect(store.get('twice')).rejects.toMatchObject({ detail: `2 Secret Service items match ${service}/twice` });
    await expect(store.set('twice', 'three')).rejects.toThrow(`secret-tool clear service ${service} username twice`);
    expect(await store.delete('twice')).toBe(true);
    expect((await itemsFor('twice')).labels).toEqual([]);
  });

  it('keeps secrets off the bus in plain text: the session is encrypted', async () => {
    const proxy = await busProxy();
    try {
      const { store } = storeOn(proxy.address);
      const secret = `plain-${Math.random().toString(36).slice(2)}-secret`;
      await store.set('wire', secret);
      expect(await store.get('wire')).toBe(secret);
      await store.delete('wire');
      const traffic = proxy.traffic();
      expect(traffic.includes('dh-ietf1024-sha256-aes128-cbc-pkcs7')).toBe(true);
      expect(traffic.includes(secret)).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('opens a new connection (and session) on the next call after the bus closed it', async () => {
    const proxy = await busProxy();
    try {
      const { store, bus } = storeOn(proxy.address);
      await store.set('again', 'v');
      expect(bus!.opened).toBe(1);
      proxy.drop();
      await new Promise((done) => setTimeout(done, 50));
      expect(await store.get('again')).toBe('v');
      expect(bus!.opened).toBe(2);
      expect(await store.delete('again')).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('sends what needs an unlock prompt (a locked item) to the prompting store, and only that', async () => {
    const bus = new BusConnection(address!);
    const call = async (path: string, iface: string, member: string, signature = '', body: unknown[] = []) =>
      (await bus.call({ destination: 'org.freedesktop.secrets', path, interface: iface, member, signature, body })).body;
    const internal = 'org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface';
    // A collection of its own (gnome-keyring's test interface makes one without a prompt), so
    // locking it leaves the suite's default collection alone.
    const [, session] = await call('/org/freedesktop/secrets', 'org.freedesktop.Secret.Service', 'OpenSession', 'sv', ['plain', { signature: 's', value: '' }]);
    const master = [session, Buffer.alloc(0), Buffer.from(`pw-${process.pid}`), 'text/plain'];
    const label = { signature: 's', value: `keyfob-locked-${process.pid}` };
    const [collection] = (await call('/org/freedesktop/secrets', internal, 'CreateWithMasterPassword', 'a{sv}(oayays)', [
      new Map([['org.freedesktop.Secret.Collection.Label', label]]),
      master,
    ])) as [string];
    try {
      await call(collection, 'org.freedesktop.Secret.Collection', 'CreateItem', 'a{sv}(oayays)b', [
        new Map([['org.freedesktop.Secret.Item.Attributes', { signature: 'a{ss}', value: { service, username: 'locked' } }]]),
        [session, Buffer.alloc(0), Buffer.from('behind a prompt'), 'text/plain'],
        true,
      ]);
      await call('/org/freedesktop/secrets', 'org.freedesktop.Secret.Service', 'Lock', 'ao', [[collection]]);
      const prompted = new MemorySecretStore();
      await prompted.set('locked', 'what the prompt gave');
      let made = 0;
      const { store } = storeOn(address, { prompting: async () => (made++, prompted) });
      expect(await store.get('unlocked-and-missing')).toBeNull();
      expect(made).toBe(0);
      expect(await store.get('locked')).toBe('what the prompt gave');
      expect(await store.delete('locked')).toBe(true);
      expect(made).toBe(1);
    } finally {
      await call(collection, 'org.freedesktop.Secret.Collection', 'Delete');
      bus.close();
    }
  });
});

describe('the Secret Service client, without a usable bus', () => {
  it('says there is no session bus when DBUS_SESSION_BUS_ADDRESS is not set', async () => {
    const { store } = storeOn(undefined);
    const error = await store.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreError);
    expect((error as SecretStoreError).detail).toBe(NO_SESSION_BUS);
    expect((error as SecretStoreError).message).toBe(`The OS keychain could not read ${service}/k: ${NO_SESSION_BUS}`);
  });

  it.runIf(process.platform === 'linux')(
    'through openSecretStore: no bus, a missing socket, an address it cannot use, each a memory store with the reason',
    async () => {
      const script = join(dir, 'reasons.ts');
      await writeFile(
        script,
        `import { openSecretStore } from ${JSON.stringify(join(repo, 'main/core/keychain/index.ts'))};
       const store = await openSecretStore({ service: 'keyfob-reasons' });
       const before = store.kind; // the keychain until its first use
       await store.set('k', 'v');
       console.log(JSON.stringify({ before, kind: store.kind, back: await store.get('k'), reason: store.reason }));`,
      );
      const reasonWith = async (bus: string | undefined) => {
        const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus, XDG_RUNTIME_DIR: dir };
        if (bus === undefined) delete env.DBUS_SESSION_BUS_ADDRESS;
        const result = JSON.parse((await run(node, [script], { env, timeout: 20_000 })).stdout) as Record<string, string>;
        expect(result).toMatchObject({ before: 'os-keychain', kind: 'memory', back: 'v' });
        return result.reason;
      };
      expect(await reasonWith(undefined)).toBe('no Secret Service (no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set)');
      expect(await reasonWith(`unix:path=${join(dir, 'no-bus')}`)).toBe(
        `no Secret Service (D-Bus is not reachable: cannot connect to ${join(dir, 'no-bus')} (ENOENT))`,
      );
      expect(await reasonWith('tcp:host=localhost,port=1')).toBe(
        'no Secret Service (D-Bus is not reachable: no Unix socket in DBUS_SESSION_BUS_ADDRESS (tcp:host=localhost,port=1))',
      );
    },
  );

  it('finds the session bus as libdbus does: the variable, else a socket of ours at $XDG_RUNTIME_DIR/bus', async () => {
    expect(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' })).toBe('unix:path=/x');
    expect(sessionBusAddress({})).toBeUndefined();
    expect(sessionBusAddress({ XDG_RUNTIME_DIR: dir })).toBeUndefined(); // no socket there
    const { server } = await silentBus();
    const runtime = await mkdtemp(join(tmpdir(), 'keyfob-runtime-'));
    const bus = createServer();
    await new Promise<void>((done) => bus.listen(join(runtime, 'bus'), done));
    try {
      expect(sessionBusAddress({ XDG_RUNTIME_DIR: runtime })).toBe(`unix:path=${runtime}/bus`);
    } finally {
      bus.close();
      server.close();
      await rm(runtime, { recursive: true, force: true });
    }
  });

  it('gives up on a bus that does not answer, in the time given, with the words used today', async () => {
    const { address: silent, server } = await silentBus();
    try {
      const { store } = storeOn(silent, { timeoutMs: 300 });
      const started = Date.now();
      await expect(store.get('k')).rejects.toThrow(`The OS keychain could not read ${service}/k: it did not answer in time (is it waiting to be unlocked?)`);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      server.close();
    }
  });

  it('does not keep a process alive for the connection it opens ahead of need, even on a bus that never answers', async () => {
    const { address: silent, server } = await silentBus();
    try {
      const script = join(dir, 'warm.ts');
      await writeFile(
        script,
        `import { openSecretStore } from ${JSON.stringify(join(repo, 'main/core/keychain/index.ts'))};
         await openSecretStore({ service: 'keyfob-warm' });
         await new Promise((done) => setTimeout(done, 200));
         console.log('opened');`,
      );
      const started = Date.now();
      const { stdout } = await run(node, [script], { timeout: 20_000, env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: silent } });
      expect(stdout.trim()).toBe('opened');
      expect(Date.now() - started).toBeLessThan(8_000); // not the 10 s call timeout, nor forever
    } finally {
      server.close();
    }
  });

  it('does not keep a process alive once its calls are done (the idle socket is unref’d)', async () => {
    const script = join(dir, 'idle.ts');
    const module = join(repo, 'main/core/keychain/index.ts');
    await writeFile(
      script,
      `import { openSecretStore } from ${JSON.stringify(module)};
       const store = await openSecretStore({ service: ${JSON.stringify(service)} });
       console.log(JSON.stringify({ value: await store.get('idle'), kind: store.kind }));`,
    );
    const started = Date.now();
    const { stdout } = await run(node, [script], { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ value: null, kind: hasSecretService ? 'os-keychain' : expect.any(String) });
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
