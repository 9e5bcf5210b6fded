/**
 * `npm run test:faults`: Backline as it runs in production (a server and a worker process on PostgreSQL,
 * Stripe as a local fake speaking its wire format) under faults, then checks that nothing was lost or
 * doubled:
 * 1. the server is killed (SIGKILL) in the middle of a burst of quote acceptances; every acceptance is sent
 *    again with its Idempotency-Key after the restart;
 * 2. Stripe answers 500s, then withholds an answer (a timeout), then recovers;
 * 3. every payment's webhook is delivered twice, in shuffled order, while the worker is killed mid-jobs and
 *    the server is killed mid-deliveries; the deliveries are sent again after the restarts;
 * 4. every database connection is terminated (pg_terminate_backend).
 * Afterwards: every acknowledged acceptance kept its payment and every quote has exactly one; every paid
 * payment is held once; the ledger invariants hold and our processor balance equals the fake Stripe's;
 * every job has completed; /readyz answers without anyone restarting anything.
 * Needs PostgreSQL at TEST_DATABASE_URL or DATABASE_URL (a database of its own is created and dropped).
 */
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { accounts } from '../src/modules/ledger/accounts.ts';
import { findAccount } from '../src/modules/ledger/ledger.repository.ts';
import { checkInvariants } from '../src/modules/ledger/ledger.service.ts';
import { fakeStripeEnv, startFakeStripe } from '../test/fakes/stripe.ts';
import { call as callAt, freePort, processes, ready as readyAt, scratchDatabase, sleep, userWithToken } from './lib/cluster.ts';

const TICKETS = Number(process.env.FAULTS_TICKETS ?? 16);
const SECRET = 'whsec_faults';
const started = Date.now();
const problems: string[] = [];

const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
const check = (ok: boolean, message: string) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) problems.push(message);
};
const database = await scratchDatabase('backline_faults');
const name = database.name;
const databaseUrl = database.url;
const admin = database.admin;
const handle = await openDatabase({ engine: 'postgres', url: databaseUrl, poolSize: 4 });
await migrateToLatest(handle.db);
const db = handle.db;
const fake = await startFakeStripe();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const cluster = processes({
  ...process.env,
  ...fakeStripeEnv(fake, SECRET),
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: '5',
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_URL: base,
  BACKLINE_WORKER: 'off',
  LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'fatal',
  RATE_LIMIT_PER_MINUTE: '1000000',
});
const spawnProcess = (entry: 'src/server.ts' | 'src/worker.ts') => cluster.start(entry);
const kill = cluster.kill;
const ready = () => readyAt(base);
const call = (token: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => callAt(base, token, method, path, body, headers);
const attempt = call;
const user = async (email: string, operator = false) => (await userWithToken(db, email, operator)).token;

async function deliver(event: unknown): Promise<number> {
  const delivery = fake.deliver(event, SECRET);
  try {
    return (await fetch(`${base}/webhooks/stripe`, { method: 'POST', headers: delivery.headers, body: delivery.body })).status;
  } catch {
    return 0;
  }
}

const pendingJobs = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM jobs WHERE completed_at IS NULL AND failed_at IS NULL`.execute(db)).rows[0].n);

try {
  let server = spawnProcess('src/server.ts');
  let worker = spawnProcess('src/worker.ts');
  log(`server and worker started; ready after ${await ready()} ms`);

  const maintainer = await user('maintainer@faults.test');
  const operator = await user('operator@faults.test', true);
  const helper = await user('helper@faults.test');
  const customer = await user('customer@faults.test');
  const helperId = (await call(helper, 'GET', '/api/v1/me')).body.id;
  await call(maintainer, 'POST', '/api/v1/repos', { fullName: 'faults/widgets', description: 'Widgets under fire' });
  await call(operator, 'POST', '/api/v1/admin/repos/faults/widgets/verify', { decision: 'verified' });
  await call(maintainer, 'PATCH', '/api/v1/repos/faults/widgets', { offerings: { expert: true } });
  await call(helper, 'POST', '/api/v1/repos/faults/widgets/helpers/applications', { pitch: 'I keep widgets alive.' });
  await call(maintainer, 'POST', `/api/v1/repos/faults/widgets/helpers/${helperId}/approve`, {});
  const quotes: string[] = [];
  for (let index = 0; index < TICKETS; index++) {
    const ticket = await call(customer, 'POST', '/api/v1/tickets', { repo: 'faults/widgets', title: `Widget ${index} leaks`, body: 'It grows.', track: 'expert' });
    await call(helper, 'POST', `/api/v1/tickets/${ticket.body.id}/claim`);
    const quote = await call(helper, 'POST', `/api/v1/tickets/${ticket.body.id}/quotes`, { amount: 5000 + index, currency: 'EUR', description: `Fix widget ${index}`, estimatedMinutes: 30 });
    if (quote.status !== 201) throw new Error(`quote: ${quote.status} ${JSON.stringify(quote.body)}`);
    quotes.push(quote.body.id);
  }
  log(`${TICKETS} claimed tickets with a quote each`);

  // 1. SIGKILL of the server in the middle of a burst of acceptances.
  const keyOf = (quoteId: string) => `accept-${quoteId}`;
  const firstHalf = quotes.slice(0, TICKETS / 2);
  const burst = firstHalf.map((quoteId) => attempt(customer, 'POST', `/api/v1/quotes/${quoteId}/accept`, {}, { 'idempotency-key': keyOf(quoteId) }));
  // Killed as soon as the first acceptance is acknowledged: the others are in flight.
  await Promise.race([Promise.any(burst.map((answer) => answer.then((result) => (result.status === 201 ? result : Promise.reject(new Error('not acknowledged')))))).catch(() => undefined), sleep(5000)]);
  await kill(server);
  const answered = await Promise.all(burst);
  const acknowledged = new Map(firstHalf.flatMap((quoteId, index) => (answered[index].status === 201 ? [[quoteId, answered[index].body.payment.id as string]] : [])));
  log(`server killed mid-burst: ${acknowledged.size} of ${firstHalf.length} acceptances had been acknowledged`);
  server = spawnProcess('src/server.ts');
  log(`server restarted; ready after ${await ready()} ms`);

  // 2. Stripe fails: 500s, then a withheld answer (the client times out and retries), then recovers.
  // Three 500s: the first try and both of the client's retries.
  fake.failNext(3, 'error');
  const during500 = await attempt(customer, 'POST', `/api/v1/quotes/${quotes[TICKETS / 2]}/accept`, {}, { 'idempotency-key': keyOf(quotes[TICKETS / 2]) });
  log(`Stripe answering 500: the acceptance answered ${during500.status}`);
  check(during500.status !== 500 && during500.status !== 0, `a provider outage is not our 500 (got ${during500.status})`);
  fake.failNext(1, 'hang');
  const hung = await attempt(customer, 'POST', `/api/v1/quotes/${quotes[TICKETS / 2 + 1]}/accept`, {}, { 'idempotency-key': keyOf(quotes[TICKETS / 2 + 1]) });
  log(`Stripe withholding an answer: the acceptance answered ${hung.status} after the client's timeout`);

  // Every acceptance again, with its key: what was acknowledged is replayed, the rest is done now.
  const payments = new Map<string, string>();
  for (const quoteId of quotes) {
    const again = await call(customer, 'POST', `/api/v1/quotes/${quoteId}/accept`, {}, { 'idempotency-key': keyOf(quoteId) });
    if (again.status === 201) payments.set(quoteId, again.body.payment.id);
    else check(false, `acceptance of ${quoteId} after recovery answered ${again.status} ${JSON.stringify(again.body)}`);
  }
  for (const [quoteId, paymentId] of acknowledged) check(payments.get(quoteId) === paymentId, `acknowledged acceptance of ${quoteId} kept its payment`);
  const perQuote = await sql<{ quote_id: string; n: string }>`SELECT quote_id, count(*) AS n FROM payments WHERE quote_id IS NOT NULL GROUP BY quote_id`.execute(db);
  check(perQuote.rows.length === TICKETS && perQuote.rows.every((row) => Number(row.n) === 1), `every quote has exactly one payment (${perQuote.rows.length} quotes with payments)`);

  // 3. Each payment completed at Stripe; its event delivered twice, shuffled, while the worker and then the server die.
  const sessions = await db.selectFrom('payments').select(['id', 'provider_payment_id']).where('quote_id', 'is not', null).execute();
  const events = sessions.map((payment) => fake.completeCheckout(payment.provider_payment_id!));
  const deliveries = [...events, ...events].sort(() => Math.random() - 0.5);
  const firstDeliveries = await Promise.all(deliveries.slice(0, deliveries.length / 2).map(deliver));
  await kill(worker);
  log(`worker killed with ${await pendingJobs()} jobs pending; ${firstDeliveries.filter((status) => status === 200).length} deliveries acknowledged`);
  const rest = deliveries.slice(deliveries.length / 2).map(deliver);
  await sleep(50);
  await kill(server);
  const restStatuses = await Promise.all(rest);
  log(`server killed mid-deliveries (${restStatuses.filter((status) => status === 200).length} of ${rest.length} acknowledged)`);
  server = spawnProcess('src/server.ts');
  worker = spawnProcess('src/worker.ts');
  log(`server and worker restarted; ready after ${await ready()} ms`);
  // Stripe retries what was not acknowledged; here everything is delivered again, out of order.
  for (const status of await Promise.all([...events].reverse().map(deliver))) check(status === 200, `a redelivery after the restart is acknowledged (${status})`);

  // 4. Every connection of the database terminated.
  const terminated = await admin((client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]));
  log(`${terminated.rowCount} database connections terminated`);
  await handle.close();
  const after = await openDatabase({ engine: 'postgres', url: databaseUrl, poolSize: 2 });
  log(`/readyz answered 200 again after ${await ready()} ms, with no restart`);
  const write = await call(customer, 'POST', '/api/v1/tickets', { repo: 'faults/widgets', title: 'After the outage', body: 'Still here?', track: 'expert' });
  check(write.status === 201, `a write after the connections were cut succeeds (${write.status})`);

  // Jobs of the killed worker run again when their lock expires (a minute). A job whose attempt the cut
  // connections broke is tried again after its retry delay (10 s): it is waited for too, though its
  // run_at is ahead. Jobs never tried and due later (SLA checks, the daily retention) are not.
  const since = Date.now();
  let pending = 0;
  while (Date.now() - since < 150_000) {
    pending = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM jobs WHERE completed_at IS NULL AND failed_at IS NULL AND (run_at <= now() OR attempts > 0)`.execute(after.db)).rows[0].n);
    if (pending === 0) break;
    await sleep(1000);
  }
  check(pending === 0, `every due job completed after recovery (${pending} left, waited ${Math.round((Date.now() - since) / 1000)} s)`);
  const failed = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM jobs WHERE failed_at IS NOT NULL`.execute(after.db)).rows[0].n);
  check(failed === 0, `no job failed for good (${failed})`);

  const statuses = await after.db.selectFrom('payments').select('status').where('quote_id', 'is not', null).execute();
  check(statuses.every((row) => row.status === 'held'), `every paid payment is held (${[...new Set(statuses.map((row) => row.status))].join(', ')})`);
  const invariants = await checkInvariants(after.db);
  check(invariants.ok, `ledger invariants hold ${invariants.problems.join('; ')}`);
  // processor:balance is an asset: its debit balance is the money Stripe holds for the platform.
  const ours = Number((await findAccount(after.db, accounts.processorBalance, 'EUR'))?.balance ?? 0);
  check(ours === fake.balance('EUR'), `our processor balance (${ours}) equals the fake Stripe's (${fake.balance('EUR')})`);
  await after.close();
} catch (error) {
  problems.push(error instanceof Error ? error.stack ?? error.message : String(error));
} finally {
  await cluster.stopAll();
  await fake.close();
  await handle.close().catch(() => undefined);
  await database.drop();
}

console.log(`\nfaults: ${problems.length ? `${problems.length} problem(s)` : 'no acknowledged write lost, no money moved twice'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
for (const problem of problems) console.log(`  - ${problem}`);
process.exit(problems.length ? 1 : 0);
