import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerPlan } from './load.ts';

/**
 * The closed loop itself, on its own thread: sending requests and reading answers must not take turns
 * with the server on one event loop, or the server's figures would carry the client's work.
 */
const plan = workerData as WorkerPlan;
const latencies: number[] = [];
let errors = 0;
let index = 0;
let firstError: string | undefined;
const started = performance.now();
const deadline = started + plan.durationMs;

async function client() {
  while (performance.now() < deadline && (plan.limit === undefined || index < plan.limit)) {
    const spec = plan.requests[index++ % plan.requests.length];
    const sentAt = performance.now();
    try {
      const response = await fetch(plan.baseUrl + spec.path, { method: spec.method, headers: spec.headers, body: spec.body });
      const text = await response.text();
      if (response.status < 200 || response.status >= 300) {
        errors++;
        firstError ??= `${response.status} ${text.slice(0, 200)}`;
      }
    } catch (error) {
      errors++;
      firstError ??= String(error);
    }
    latencies.push(performance.now() - sentAt);
  }
}

await Promise.all(Array.from({ length: plan.concurrency }, client));
parentPort!.postMessage({ latencies: Float64Array.from(latencies), errors, firstError, seconds: (performance.now() - started) / 1000 });
