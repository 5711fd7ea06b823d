/**
 * Runs one autocannon load in a process of its own (so the load generator does not share a CPU thread with
 * the server under test) and sends back the summary. Protocol (IPC): one CannonRequest in, one CannonResult
 * out, then exit.
 */
import autocannon from 'autocannon';

export interface CannonRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
}

export interface CannonResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  total: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

async function run(request: CannonRequest): Promise<CannonResult> {
  const result = await autocannon({
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections: request.connections,
    duration: request.durationSeconds,
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = stats.count ?? 0;
  return {
    requestsPerSecond: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
  };
}

process.once('message', (message) => {
  void run(message as CannonRequest).then((result) => {
    process.send?.(result, () => {
      process.disconnect();
    });
  });
});
