/**
 * A small closed-loop load driver: `concurrency` workers send requests back to back for `durationMs`
 * and every latency is kept, so percentiles are exact (autocannon reports p97.5, not p95).
 */
export type LoadResult = { requests: number; errors: number; seconds: number; perSecond: number; p50: number; p95: number; p99: number };

export type RequestSpec = { method: string; path: string; body?: unknown; headers?: Record<string, string> };

export async function runLoad(options: {
  baseUrl: string;
  concurrency: number;
  durationMs: number;
  /** Called for each request; `index` counts up across all workers. */
  next: (index: number) => RequestSpec;
  /** Status codes that count as success (default 2xx). */
  ok?: (status: number) => boolean;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let index = 0;
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const started = performance.now();
  const deadline = started + options.durationMs;
  let firstError: string | undefined;
  const worker = async () => {
    while (performance.now() < deadline) {
      const spec = options.next(index++);
      const sentAt = performance.now();
      try {
        const response = await fetch(options.baseUrl + spec.path, {
          method: spec.method,
          headers: { ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}), ...spec.headers },
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        });
        const text = await response.text();
        if (!ok(response.status)) {
          errors++;
          firstError ??= `${response.status} ${text.slice(0, 200)}`;
        }
      } catch (error) {
        errors++;
        firstError ??= String(error);
      }
      latencies.push(performance.now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (firstError) console.error(`  first error: ${firstError}`);
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, ...percentiles(latencies) };
}

export function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : Number.NaN);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
