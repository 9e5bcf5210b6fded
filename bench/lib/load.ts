import { Worker } from 'node:worker_threads';
import type { Database } from '../../src/db/database.ts';
import { startCpuMeasure, type CpuUse } from './cpu.ts';

/**
 * A small load driver: `concurrency` clients send requests back to back for `durationMs` (closed loop),
 * or, with `ratePerSecond`, requests leave on a fixed schedule whatever the answers do (open loop, at
 * most `concurrency` in flight), each timed from when it was due, so a slow answer delays the next ones'
 * figures instead of hiding them. Every latency is kept, so percentiles are exact (autocannon reports
 * p97.5, not p95).
 * The clients run on a worker thread, for the baseline and the app alike: on the server's own event
 * loop they would delay its work and be delayed by it, and each figure would measure both.
 */
export type LoadResult = { requests: number; errors: number; seconds: number; perSecond: number; p50: number; p95: number; p99: number; latencies: number[] };

export type RequestSpec = { method: string; path: string; body?: unknown; headers?: Record<string, string> };

/** What the worker gets: requests already serialized, taken in turn. */
export type WorkerPlan = {
  baseUrl: string;
  concurrency: number;
  durationMs: number;
  ratePerSecond?: number;
  requests: Array<{ method: string; path: string; body?: string; headers: Record<string, string> }>;
  /** Stop after this many requests even before the time is up: each request works on an item of its own. */
  limit?: number;
};

/** Requests are made up front (a function cannot cross to the worker) and reused in turn after this many. */
const DISTINCT_REQUESTS = 4096;

export async function runLoad(options: {
  baseUrl: string;
  concurrency: number;
  durationMs: number;
  /** At most this many requests (at most as many as the distinct requests made up front), for items used up once. */
  limit?: number;
  /** Open loop: this many requests a second, on schedule. */
  ratePerSecond?: number;
  /** How many different requests to make up front (default 4096); more when each may be sent only once. */
  distinct?: number;
  /** Called for each request; `index` counts up across all clients. */
  next: (index: number) => RequestSpec;
  /** Measure the server's CPU (and PostgreSQL's) per request while the load runs, from after the requests are made. */
  cpu?: { db: Database; engine: string };
}): Promise<LoadResult & { cpu?: CpuUse }> {
  const requests = Array.from({ length: options.distinct ?? DISTINCT_REQUESTS }, (_, index) => {
    const spec = options.next(index);
    const json = spec.body !== undefined;
    return { method: spec.method, path: spec.path, body: json ? JSON.stringify(spec.body) : undefined, headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...spec.headers } };
  });
  if (options.limit !== undefined && options.limit > requests.length) throw new Error(`limit ${options.limit} is above the ${requests.length} distinct requests`);
  const plan: WorkerPlan = { baseUrl: options.baseUrl, concurrency: options.concurrency, durationMs: options.durationMs, ratePerSecond: options.ratePerSecond, requests, limit: options.limit };
  const stopMeasure = options.cpu ? await startCpuMeasure(options.cpu.db, options.cpu.engine) : undefined;
  const worker = new Worker(new URL('./load-worker.ts', import.meta.url), { workerData: plan });
  const result = await new Promise<{ latencies: Float64Array; errors: number; firstError?: string; seconds: number; cpuMs: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (result.firstError) console.error(`  first error: ${result.firstError}`);
  const cpu = stopMeasure ? await stopMeasure(result.cpuMs) : undefined;
  const latencies = Array.from(result.latencies);
  const perRequest = (ms: number) => ms / Math.max(1, latencies.length);
  return {
    requests: latencies.length, errors: result.errors, seconds: result.seconds, perSecond: latencies.length / result.seconds, ...percentiles(latencies), latencies,
    ...(cpu ? { cpu: { serverMs: perRequest(cpu.serverMs), postgresMs: cpu.postgresMs === undefined ? undefined : perRequest(cpu.postgresMs), stolenPercent: cpu.stolenPercent, driverMs: perRequest(result.cpuMs) } } : {}),
  };
}

/**
 * Several loads of the same kind as one: every latency pooled (so a percentile is over all of them), the
 * CPU per request weighted by each load's requests, and the stolen share averaged over their durations.
 */
export function poolLoads<R extends LoadResult & { cpu?: CpuUse }>(results: R[]): LoadResult & { cpu?: CpuUse } {
  const latencies = results.flatMap((result) => result.latencies);
  const requests = results.reduce((sum, result) => sum + result.requests, 0);
  const seconds = results.reduce((sum, result) => sum + result.seconds, 0);
  const weighted = (value: (cpu: CpuUse) => number | undefined, weight: (result: R) => number, total: number) => {
    if (results.some((result) => !result.cpu || value(result.cpu) === undefined)) return undefined;
    return results.reduce((sum, result) => sum + value(result.cpu!)! * weight(result), 0) / Math.max(1, total);
  };
  const byRequests = (result: R) => result.requests;
  const serverMs = weighted((cpu) => cpu.serverMs, byRequests, requests);
  return {
    requests, errors: results.reduce((sum, result) => sum + result.errors, 0), seconds, perSecond: requests / seconds, ...percentiles(latencies), latencies,
    ...(serverMs === undefined ? {} : {
      cpu: {
        serverMs,
        postgresMs: weighted((cpu) => cpu.postgresMs, byRequests, requests),
        stolenPercent: weighted((cpu) => cpu.stolenPercent, (result) => result.seconds, seconds),
        driverMs: weighted((cpu) => cpu.driverMs, byRequests, requests),
      },
    }),
  };
}

export function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : Number.NaN);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
