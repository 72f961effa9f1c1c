// A tiny path router for engines, with the status codes Vault's framework gives unmatched requests:
// an unknown path is 404 "unsupported path", a known path without the operation is 405.
import { VaultError } from '../backend.ts';
import type { BackendRequest, BackendResponse, Operation } from '../backend.ts';

export type RouteHandler = (req: BackendRequest, params: string[]) => Promise<BackendResponse | null>;

export interface Route {
  /** Matched against the whole path inside the mount; capture groups become params. */
  pattern: RegExp;
  /** 'update' also answers 'create' (Vault paths without an ExistenceCheck treat both alike). */
  operations: Partial<Record<Operation, RouteHandler>>;
}

/** Vault's GenericNameRegex: word characters, dashes and dots, not starting or ending with - or . */
export const NAME = '(\\w(?:[\\w.-]*\\w)?)';

export async function dispatch(routes: readonly Route[], req: BackendRequest): Promise<BackendResponse | null> {
  for (const route of routes) {
    const match = route.pattern.exec(req.path);
    if (!match) continue;
    const operation = req.operation === 'create' ? (route.operations.create ?? route.operations.update) : route.operations[req.operation];
    if (!operation) throw new VaultError(405, 'unsupported operation');
    return operation(
      req,
      match.slice(1).map((p) => p ?? ''),
    );
  }
  throw new VaultError(404, 'unsupported path');
}

/** A LIST answer: Vault turns an empty key list into 404 {"errors":[]}, so return null then. */
export function listResponse(keys: Iterable<string>): BackendResponse | null {
  const sorted = [...keys].sort();
  return sorted.length === 0 ? null : { data: { keys: sorted } };
}

/**
 * `roles/` (LIST) and `roles/<name>` (read, write, delete) over a map of roles, as every
 * engine here has them. `listInfo` adds Vault's per-key `key_info` to the listing.
 */
export function roleRoutes(
  roles: Map<string, unknown>,
  handlers: {
    read: (name: string) => BackendResponse | null;
    write: (name: string, data: Record<string, unknown>) => Promise<null> | null;
    listInfo?: (name: string) => Record<string, unknown>;
  },
): Route[] {
  return [
    {
      pattern: /^roles\/?$/,
      operations: {
        list: async () => {
          const listed = listResponse(roles.keys());
          if (listed?.data && handlers.listInfo) listed.data.key_info = Object.fromEntries([...roles.keys()].map((name) => [name, handlers.listInfo!(name)]));
          return listed;
        },
      },
    },
    {
      pattern: new RegExp(`^roles/${NAME}$`),
      operations: {
        read: async (_req, [name]) => handlers.read(name!),
        update: async (req, [name]) => handlers.write(name!, req.data),
        delete: async (_req, [name]) => {
          roles.delete(name!);
          return null;
        },
      },
    },
  ];
}
