/**
 * Scale-out: Backline as 2 server processes behind a small round-robin proxy, plus 2 worker processes, on
 * one PostgreSQL (a fresh database, migrated by the two servers starting at once), with Stripe as a local
 * fake. Drives mixed load through the proxy: ticket creation, messages, claims, quotes accepted and paid
 * (each payment's webhook delivered to both servers at the same moment), and dashboard reads. Afterwards
 * checks that every job ran, every webhook event was stored and handled once, each payment was captured
 * once, and the ledger invariants hold with our processor balance equal to the fake Stripe's.
 * Prints requests per second through the proxy next to the same-run baseline: GET /healthz through it.
 *
 * `DATABASE_URL=postgres://... node bench/scale.ts [--seconds 20] [--concurrency 8] [--quick]`
 */
import http from 'node:http';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { accounts } from '../src/modules/ledger/accounts.ts';
import { findAccount } from '../src/modules/ledger/ledger.repository.ts';
import { checkInvariants } from '../src/modules/ledger/ledger.service.ts';
import { fakeStripeEnv, startFakeStripe } from '../test/fakes/stripe.ts';
import { call, freePort, processes, ready, scratchDatabase, sleep, userWithToken } from '../scripts/lib/cluster.ts';
import { percentiles } from './lib/load.ts';
import { printFigures, saveFigures, type Figure } from './lib/report.ts';
import { benchArgs } from './lib/setup.ts';

const { sizes } = benchArgs({ seconds: 20, concurrency: 8 });
const SECRET = 'whsec_scale';
const problems: string[] = [];
const check = (ok: boolean, message: string) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) problems.push(message);
};

/** Round robin over the servers, one request each in turn; what a load balancer does, minus health checks. */
function roundRobinProxy(targets: number[]) {
  let next = 0;
  const server = http.createServer((request, response) => {
    const port = targets[next++ % targets.length];
    const upstream = http.request({ host: '127.0.0.1', port, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'bad_gateway', message: 'The upstream server did not answer.', details: [] } }));
    });
    request.pipe(upstream);
  });
  return server;
}

const database = await scratchDatabase('backline_scale');
const fake = await startFakeStripe();
const ports = [await freePort(), await freePort()];
const proxyPort = await freePort();
const base = `http://127.0.0.1:${proxyPort}`;
const cluster = processes({
  ...process.env,
  ...fakeStripeEnv(fake, SECRET),
  DATABASE_URL: database.url,
  DATABASE_POOL_SIZE: '5',
  HOST: '127.0.0.1',
  PUBLIC_URL: base,
  BACKLINE_WORKER: 'off',
  LOG_LEVEL: 'fatal',
  RATE_LIMIT_PER_MINUTE: '10000000',
});
const proxy = roundRobinProxy(ports);
const handle = await openDatabase({ engine: 'postgres', url: database.url, poolSize: 2 });

try {
  // Both servers start at once on the empty database: the migration lock lets one of them migrate.
  for (const port of ports) cluster.start('src/server.ts', { PORT: String(port) });
  await Promise.all(ports.map((port) => ready(`http://127.0.0.1:${port}`)));
  cluster.start('src/worker.ts');
  cluster.start('src/worker.ts');
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  const migrations = await sql<{ name: string; n: string }>`SELECT name, count(*) AS n FROM kysely_migration GROUP BY name`.execute(handle.db);
  check(migrations.rows.length > 0 && migrations.rows.every((row) => Number(row.n) === 1), `${migrations.rows.length} migrations applied once by two servers starting together`);

  const db = handle.db;
  const maintainer = await userWithToken(db, 'maintainer@scale.test');
  const operator = await userWithToken(db, 'operator@scale.test', true);
  const helper = await userWithToken(db, 'helper@scale.test');
  const customers = await Promise.all(Array.from({ length: sizes.concurrency }, (_, index) => userWithToken(db, `customer-${index}@scale.test`)));
  await call(base, maintainer.token, 'POST', '/api/v1/repos', { fullName: 'scale/widgets', description: 'Widgets at scale' });
  await call(base, operator.token, 'POST', '/api/v1/admin/repos/scale/widgets/verify', { decision: 'verified' });
  await call(base, maintainer.token, 'PATCH', '/api/v1/repos/scale/widgets', { offerings: { expert: true } });
  await call(base, helper.token, 'POST', '/api/v1/repos/scale/widgets/helpers/applications', { pitch: 'Scaling widgets is my thing.' });
  await call(base, maintainer.token, 'POST', `/api/v1/repos/scale/widgets/helpers/${helper.id}/approve`, {});

  /** One customer's round: open, talk, get claimed and quoted, accept, pay; the webhook goes to both servers at once; read dashboards. */
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let paid = 0;
  const timed = async (token: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const since = performance.now();
    const answer = await call(base, token, method, path, body, headers);
    latencies.push(performance.now() - since);
    requests++;
    if (answer.status === 0 || answer.status >= 500) errors++;
    return answer;
  };
  const deliverToBoth = async (event: unknown) => {
    const delivery = fake.deliver(event, SECRET);
    const statuses = await Promise.all(ports.map((port) => fetch(`http://127.0.0.1:${port}/webhooks/stripe`, { method: 'POST', headers: delivery.headers, body: delivery.body }).then((response) => response.status, () => 0)));
    if (statuses.some((status) => status !== 200)) errors++;
  };
  async function round(customer: { token: string }, index: number) {
    const ticket = await timed(customer.token, 'POST', '/api/v1/tickets', { repo: 'scale/widgets', title: `Widget ${index} is slow`, body: 'It takes seconds.', track: 'expert' });
    if (ticket.status !== 201) return;
    const url = `/api/v1/tickets/${ticket.body.id}`;
    await timed(customer.token, 'POST', `${url}/messages`, { body: 'More details: it happens under load.' });
    await timed(helper.token, 'POST', `${url}/claim`);
    await timed(helper.token, 'POST', `${url}/messages`, { body: 'Looking into it.' });
    const quote = await timed(helper.token, 'POST', `${url}/quotes`, { amount: 4000 + index, currency: 'EUR', description: 'Profile and fix', estimatedMinutes: 30 });
    if (quote.status !== 201) return;
    const accepted = await timed(customer.token, 'POST', `/api/v1/quotes/${quote.body.id}/accept`, {}, { 'idempotency-key': `scale-${quote.body.id}` });
    if (accepted.status !== 201) return;
    const session = await db.selectFrom('payments').select('provider_payment_id').where('id', '=', accepted.body.payment.id).executeTakeFirstOrThrow();
    await deliverToBoth(fake.completeCheckout(session.provider_payment_id!));
    paid++;
    await timed(customer.token, 'GET', '/api/v1/tickets');
    await timed(helper.token, 'GET', '/api/v1/helpers/me/queue');
    await timed(helper.token, 'GET', '/api/v1/helpers/me/balance');
  }

  const until = Date.now() + sizes.seconds * 1000;
  let counter = 0;
  const started = performance.now();
  await Promise.all(customers.map(async (customer) => {
    while (Date.now() < until) await round(customer, counter++);
  }));
  const seconds = (performance.now() - started) / 1000;

  // Baseline, same run, same proxy and clients: the cheapest route there is.
  let baselineRequests = 0;
  const baselineUntil = Date.now() + Math.min(5, sizes.seconds) * 1000;
  const baselineStarted = performance.now();
  await Promise.all(customers.map(async () => {
    while (Date.now() < baselineUntil) {
      await fetch(`${base}/healthz`).then((response) => response.arrayBuffer());
      baselineRequests++;
    }
  }));
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;

  // Wait for the workers to finish everything that is due.
  const since = Date.now();
  let pending = -1;
  while (Date.now() - since < 120_000) {
    pending = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM jobs WHERE completed_at IS NULL AND failed_at IS NULL AND run_at <= now()`.execute(db)).rows[0].n);
    if (pending === 0) break;
    await sleep(500);
  }
  check(pending === 0, `every due job ran (${pending} left)`);
  const failedJobs = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM jobs WHERE failed_at IS NOT NULL`.execute(db)).rows[0].n);
  check(failedJobs === 0, `no job failed for good (${failedJobs})`);
  const events = await sql<{ n: string; handled: string }>`SELECT count(*) AS n, count(handled_at) AS handled FROM provider_events WHERE provider = 'stripe'`.execute(db);
  check(Number(events.rows[0].n) === paid && Number(events.rows[0].handled) === paid, `${paid} webhook events, each delivered to both servers at once: stored ${events.rows[0].n}, handled ${events.rows[0].handled}`);
  const captures = await sql<{ n: string; payments: string }>`
    SELECT count(*) AS n, count(DISTINCT reference_id) AS payments FROM ledger_transactions WHERE kind = 'capture'`.execute(db).catch(() => null);
  if (captures) check(captures.rows[0].n === captures.rows[0].payments && Number(captures.rows[0].n) === paid, `each payment captured once in the ledger (${captures.rows[0].n} captures, ${paid} payments)`);
  const held = await sql<{ n: string }>`SELECT count(*) AS n FROM payments WHERE status = 'held'`.execute(db);
  check(Number(held.rows[0].n) === paid, `every paid payment is held (${held.rows[0].n} of ${paid})`);
  const invariants = await checkInvariants(db);
  check(invariants.ok, `ledger invariants hold ${invariants.problems.join('; ')}`);
  const ours = Number((await findAccount(db, accounts.processorBalance, 'EUR'))?.balance ?? 0);
  check(ours === fake.balance('EUR'), `our processor balance (${ours}) equals the fake Stripe's (${fake.balance('EUR')})`);
  check(errors === 0, `no 5xx or dropped request (${errors})`);

  const { p95 } = percentiles(latencies);
  const figures: Figure[] = [
    { name: 'mixed load through the proxy (2 servers, 2 workers)', value: requests / seconds, unit: 'req/s', baseline: { name: 'GET /healthz through the proxy', value: baselineRequests / baselineSeconds }, better: 'higher' },
    { name: `mixed load p95 (${sizes.concurrency} clients)`, value: p95, unit: 'ms', better: 'lower' },
    { name: 'customer rounds paid (ticket to held payment)', value: paid / seconds, unit: '/s', better: 'higher' },
  ];
  printFigures('Scale-out', 'postgres', figures);
  saveFigures('scale', 'postgres', figures);
} catch (error) {
  problems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
  await cluster.stopAll();
  proxy.close();
  await handle.close();
  await fake.close();
  await database.drop();
}
if (problems.length) {
  console.log(`\nscale: ${problems.length} problem(s)`);
  for (const problem of problems) console.log(`  - ${problem}`);
}
process.exit(problems.length ? 1 : 0);
