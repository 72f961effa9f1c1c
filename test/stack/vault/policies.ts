// Named ACL policies (sys/policies/acl), with Vault's built-in "default" and "root".
import { Acl, parsePolicy, type PolicyRule } from './acl.ts';

// vault/policy_store.go defaultPolicy (identity templating paths left out). Note it grants
// sys/leases/renew and lookup but NOT sys/leases/revoke (vault-api.md §3.3).
export const DEFAULT_POLICY = `
# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to look up its resultant ACL from all policies
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# Allow a token to renew a lease via lease_id in the request body; old path for
# old clients, new path for newer
path "sys/renew" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}

# Allow looking up lease properties
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# Allow a token to wrap arbitrary values in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Allow a token to look up the creation time and TTL of a given
# response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Allow a token to unwrap a response-wrapping token
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Allow general purpose tools
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}
`;

export class PolicyStore {
  private readonly policies = new Map<string, { text: string; rules: PolicyRule[] }>();

  constructor() {
    this.put('default', DEFAULT_POLICY);
  }

  /** Throws Error on a parse failure. */
  put(name: string, text: string): void {
    this.policies.set(name.toLowerCase(), { text, rules: parsePolicy(text) });
  }

  get(name: string): string | undefined {
    return this.policies.get(name.toLowerCase())?.text;
  }

  delete(name: string): void {
    this.policies.delete(name.toLowerCase());
  }

  names(): string[] {
    return [...this.policies.keys(), 'root'].sort();
  }

  /** The ACL for a token's policies; unknown names contribute nothing (as in Vault). */
  acl(names: readonly string[]): Acl {
    const root = names.includes('root');
    return new Acl(
      names.flatMap((n) => {
        const p = this.policies.get(n);
        return p ? [p.rules] : [];
      }),
      root,
    );
  }
}
