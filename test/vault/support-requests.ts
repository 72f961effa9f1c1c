// Fake BackendRequests for driving engines directly, without the HTTP server.
import type { Backend, BackendRequest, BackendResponse, Caller, Operation } from '../stack/vault/backend.ts';
import { VaultError } from '../stack/vault/backend.ts';

export const aliceCaller: Caller = {
  accessor: 'accessor-alice',
  displayName: 'oidc-alice@example.com',
  policies: ['default', 'engineer'],
  entityId: 'entity-alice',
  metadata: { role: 'engineer' },
};

export function call(
  backend: Backend,
  operation: Operation,
  path: string,
  data: Record<string, unknown> = {},
  caller: Caller | undefined = aliceCaller,
): Promise<BackendResponse | null> {
  const req: BackendRequest = { operation, path, mountPath: `${backend.type}/`, data, caller, headers: {} };
  return backend.handle(req);
}

/** The VaultError a call fails with (status and message), or a failure if it succeeds. */
export async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VaultError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected the request to be refused');
}
