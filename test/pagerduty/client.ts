// A thin PagerDuty REST client for the tests: the headers the official clients send.
export interface PdResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function pdGet(baseUrl: string, path: string, token: string | undefined, params: [string, string][] = []): Promise<PdResponse> {
  const url = new URL(path, baseUrl);
  for (const [k, v] of params) url.searchParams.append(k, v);
  const headers: Record<string, string> = { accept: 'application/vnd.pagerduty+json;version=2', 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Token token=${token}`;
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export interface OnCallJson {
  user: { id: string; type: string; summary: string; self: string; html_url: string; email?: string };
  schedule: { id: string; type: string; summary: string; self: string } | null;
  escalation_policy: { id: string; type: string; summary: string };
  escalation_level: number;
  start: string | null;
  end: string | null;
}

export function oncallsOf(res: PdResponse): OnCallJson[] {
  return res.body.oncalls as OnCallJson[];
}

export const hours = (h: number, from = Date.now()) => new Date(from + h * 3600_000);
