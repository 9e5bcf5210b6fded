import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import type { WorkerPlan } from './load.ts';

/**
 * The closed loop itself, on its own thread: sending requests and reading answers must not take turns
 * with the server on one event loop, or the server's figures would carry the client's work.
 */
const plan = workerData as WorkerPlan;
// undici's request API, not fetch: the clients share the machine with the server, and every cycle they
// spend is one the server waits for. On a 16 KB JSON answer fetch cost its thread 0.11-0.13 ms a request
// (with more garbage for the collector's threads), request 0.05: under 16 clients on two cores fetch had
// taken an eighth of the machine, and queued every figure behind its own work.
const pool = new Pool(plan.baseUrl, { connections: plan.concurrency });
const latencies: number[] = [];
let errors = 0;
let index = 0;
let firstError: string | undefined;
// A new thread starts cold: the client opens a connection per request in flight and runs its own code
// unoptimized. Measured from the first request, that start stalled the
// first ~100 ms of every load by 30-90 ms, some 20 requests of a 2,000-request run: the whole p99, for the
// bare routes as for the app. Requests that change nothing (HEADs of the root, whatever their status), a few
// in flight at a time, pay for all of it before the clock starts.
const warmUp = () => pool.request({ path: '/', method: 'HEAD' }).then((response) => response.body.dump()).catch(() => {});
for (let round = 0; round < 50; round++) await Promise.all(Array.from({ length: Math.min(plan.concurrency, 8) }, warmUp));
const started = performance.now();
const deadline = started + plan.durationMs;

/** One request, timed from `from`: when it was sent (closed loop) or when it was due (fixed rate). */
async function send(spec: WorkerPlan['requests'][number], from: number) {
  try {
    const response = await pool.request({ path: spec.path, method: spec.method as 'GET', headers: spec.headers, body: spec.body });
    if (response.statusCode < 200 || response.statusCode >= 300) {
      errors++;
      firstError ??= `${response.statusCode} ${(await response.body.text()).slice(0, 200)}`;
    } else {
      // Read to the end and dropped, as wrk and autocannon do: the answer is only complete, and its latency
      // only known, once all of it has arrived. Gathering it into one buffer (arrayBuffer) gave the thread's
      // collector 18 full collections in a 5 s queue load and its warm-up, against 11, each stalling every
      // answer in flight. The limit is only there because dump() stops early without one (128 KB).
      await response.body.dump({ limit: 2 ** 30 });
    }
  } catch (error) {
    errors++;
    firstError ??= String(error);
  }
  latencies.push(performance.now() - from);
}

const underLimit = (count: number) => plan.limit === undefined || count < plan.limit;

async function client() {
  while (performance.now() < deadline && underLimit(index)) await send(plan.requests[index++ % plan.requests.length], performance.now());
}

/** Fixed rate: request i is due at start + i / rate, sent then (or as soon as fewer than `concurrency` are in flight). */
async function paced(rate: number) {
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; started + (i * 1000) / rate < deadline && underLimit(i); i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= plan.concurrency) await Promise.race(inFlight);
    const request: Promise<void> = send(plan.requests[i % plan.requests.length], due).finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
}

if (plan.ratePerSecond) await paced(plan.ratePerSecond);
else await Promise.all(Array.from({ length: plan.concurrency }, client));
// The thread's own CPU, which the server's CPU figures leave out (lib/cpu.ts).
const used = process.threadCpuUsage();
await pool.close();
parentPort!.postMessage({ latencies: Float64Array.from(latencies), errors, firstError, seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 });
