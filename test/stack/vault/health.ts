// sys/health and sys/seal-status (vault-api.md §8): custom bodies, no envelope, unauthenticated.
// This server is always initialized, unsealed and active, so the status is the active code
// unless a query parameter overrides it.
import { randomBytes } from 'node:crypto';
import { errorResponse, jsonResponse, type WireResponse } from './http-io.ts';
import { newUuid } from './ids.ts';

export const SERVER_VERSION = '1.16.0';

export class ClusterInfo {
  readonly name: string;
  readonly id: string;
  private constructor(name: string, id: string) {
    this.name = name;
    this.id = id;
  }
  static create(): ClusterInfo {
    return new ClusterInfo(`vault-cluster-${randomBytes(4).toString('hex')}`, newUuid());
  }
}

const CODE_PARAMS = ['activecode', 'standbycode', 'drsecondarycode', 'performancestandbycode', 'sealedcode', 'uninitcode'] as const;

export function handleHealth(cluster: ClusterInfo, query: URLSearchParams, nowMs: number): WireResponse {
  const codes: Record<string, number> = {
    activecode: 200,
    standbycode: 429,
    drsecondarycode: 472,
    performancestandbycode: 473,
    sealedcode: 503,
    uninitcode: 501,
  };
  for (const name of CODE_PARAMS) {
    const raw = query.get(name);
    if (raw === null) continue;
    if (!/^-?\d+$/.test(raw.trim())) return errorResponse(400, [`bad code value for ${name}: ${raw}`]);
    const code = Number(raw);
    if (code < 100 || code > 999) return errorResponse(400, [`bad code value for ${name}: ${raw}`]);
    codes[name] = code;
  }
  // Precedence (http/sys_health.go): !init → uninitcode, sealed → sealedcode, standby → standbycode.
  // None of those hold here.
  const status = codes.activecode!;
  return jsonResponse(status, {
    initialized: true,
    sealed: false,
    standby: false,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(nowMs / 1000),
    version: SERVER_VERSION,
    enterprise: false,
    cluster_name: cluster.name,
    cluster_id: cluster.id,
    echo_duration_ms: 0,
    clock_skew_ms: 0,
  });
}

export function handleSealStatus(cluster: ClusterInfo): WireResponse {
  return jsonResponse(200, {
    type: 'shamir',
    initialized: true,
    sealed: false,
    t: 1,
    n: 1,
    progress: 0,
    nonce: '',
    version: SERVER_VERSION,
    build_date: '2024-02-26T00:00:00Z',
    migration: false,
    cluster_name: cluster.name,
    cluster_id: cluster.id,
    recovery_seal: false,
    storage_type: 'inmem',
  });
}
