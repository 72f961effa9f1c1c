// node-vault, loaded at the first Vault call instead of at start-up. Loading it pulls in axios,
// and axios Node's fetch (undici), form-data and mime-db: about a third of a `keyfob status`
// that never calls Vault (measured with --cpu-prof). The stand-in keeps the fields VaultClient
// sets (token, namespace, pathPrefix) and hands them to the real client before each call.
type NodeVaultFactory = (options: Record<string, unknown>) => Record<string, unknown>;

const settings = ['token', 'namespace', 'pathPrefix'] as const;

export function lazyNodeVault(options: Record<string, unknown>): unknown {
  let real: Promise<Record<string, unknown>> | undefined;
  const fields: Record<string, unknown> = {};
  const load = async (): Promise<Record<string, unknown>> => {
    real ??= import('node-vault').then((m) => (m.default as unknown as NodeVaultFactory)(options));
    const client = await real;
    for (const key of settings) client[key] = fields[key];
    return client;
  };
  return new Proxy(fields, {
    get(target, prop) {
      // Not a thenable: nothing awaiting the stand-in may mistake it for a promise.
      if (typeof prop !== 'string' || prop === 'then' || (settings as readonly string[]).includes(prop)) return target[prop as string];
      return (...args: unknown[]) => load().then((client) => (client[prop] as (...a: unknown[]) => Promise<unknown>)(...args));
    },
    set(target, prop, value) {
      target[prop as string] = value;
      return true;
    },
  });
}
