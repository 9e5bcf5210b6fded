import { parentPort, workerData } from 'node:worker_threads';
import { RawConnection, requestBytes } from './raw-http.ts';
import type { WorkerPlan } from './load.ts';

/**
 * The closed loop itself, on its own thread: sending requests and reading answers must not take turns
 * with the server on one event loop, or the server's figures would carry the client's work.
 */
const plan = workerData as WorkerPlan;
// A small HTTP/1.1 client of our own (raw-http.ts), not undici's request, nor fetch before it: the clients
// share the machine with the server, and every cycle they spend is one the server waits for. In full runs
// of core.ts, undici's request cost this thread 0.17 ms per queue page and 0.07 per bare insert; this
// client 0.07 and 0.03 (bench/README.md, tenth round).
const requests = plan.requests.map((spec) => requestBytes(plan.baseUrl, spec));
const connections = Array.from({ length: plan.concurrency }, () => new RawConnection(plan.baseUrl));
const latencies: number[] = [];
let errors = 0;
let index = 0;
let firstError: string | undefined;
// A new thread starts cold: the client opens its connections and runs its own code unoptimized. Measured
// from the first request, that start stalled the first ~100 ms of every load by 30-90 ms, some 20
// requests of a 2,000-request run: the whole p99, for the bare routes as for the app. Requests that
// change nothing (GETs of the root, whatever their status), on every connection, pay for all of it
// before the clock starts.
const warmUp = requestBytes(plan.baseUrl, { method: 'GET', path: '/', headers: {} });
for (let round = 0; round < 50; round++) await Promise.all(connections.map((connection) => connection.request(warmUp).catch(() => {})));
const started = performance.now();
const deadline = started + plan.durationMs;

/** One request on `connection`, timed from `from`: when it was sent (closed loop) or when it was due (fixed rate). */
async function send(connection: RawConnection, request: number, from: number) {
  try {
    // Read to its last byte and not decoded: the answer is only complete, and its latency only known, once all of it has arrived.
    const answer = await connection.request(requests[request]);
    if (answer.status < 200 || answer.status >= 300) {
      errors++;
      firstError ??= `${answer.status} ${answer.body.toString('utf8', 0, 200)}`;
    }
  } catch (error) {
    errors++;
    firstError ??= String(error);
  }
  latencies.push(performance.now() - from);
}

const underLimit = (count: number) => plan.limit === undefined || count < plan.limit;

async function client(connection: RawConnection) {
  while (performance.now() < deadline && underLimit(index)) await send(connection, index++ % requests.length, performance.now());
}

/** Fixed rate: request i is due at start + i / rate, sent then (or as soon as one of the `concurrency` connections is free). */
async function paced(rate: number) {
  const free = [...connections];
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; started + (i * 1000) / rate < deadline && underLimit(i); i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (free.length === 0) await Promise.race(inFlight);
    const connection = free.pop()!;
    const request: Promise<void> = send(connection, i % requests.length, due).finally(() => {
      inFlight.delete(request);
      free.push(connection);
    });
    inFlight.add(request);
  }
  await Promise.all(inFlight);
}

if (plan.ratePerSecond) await paced(plan.ratePerSecond);
else await Promise.all(connections.map(client));
// The thread's own CPU, which the server's CPU figures leave out (lib/cpu.ts).
const used = process.threadCpuUsage();
for (const connection of connections) connection.close();
parentPort!.postMessage({ latencies: Float64Array.from(latencies), errors, firstError, seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 });
