/**
 * Money benchmark: the three steps that move a customer's money, over HTTP, each next to the bare
 * insert baseline measured in the same run.
 *
 *   1. quote accept: the customer accepts a pending quote (Idempotency-Key, payment row, checkout);
 *   2. capture: the sandbox checkout is paid and reported through the payments event sink (held in escrow,
 *      the capture posted to the ledger);
 *   3. split: the customer confirms the resolved ticket (release posted in one ledger transaction, the
 *      buyer's invoice issued and marked paid).
 *
 *   node bench/money.ts [--customers 200] [--quotes 4000] [--seconds 10] [--concurrency 16] [--quick]
 *
 * Each request of a step works on its own quote, payment or ticket, so a step stops when its items are
 * used up (the payments the accepts made, the tickets the captures held) even before its time is: a
 * repeated request would be a replay, a no-op or a 409, not throughput. At the end the whole ledger is
 * checked (balanced, stored balances equal to their entries).
 */
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { issueApiToken } from '../src/modules/auth/auth.service.ts';
import { checkInvariants } from '../src/modules/ledger/ledger.service.ts';
import { startBaseline } from './lib/baseline.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { printFigures, progress, saveFigures, type Figure } from './lib/report.ts';
import { benchArgs, openBenchDatabase, startBenchApp } from './lib/setup.ts';

const { sizes, quick } = benchArgs({ customers: 200, quotes: 4000, seconds: 10, concurrency: 16 });
const seconds = quick ? 1 : sizes.seconds;
const concurrency = quick ? 4 : sizes.concurrency;
// Even a quick run needs more quotes than a second of accepts can use up.
const quotes = Math.min(4096, Math.max(quick ? 400 : 0, sizes.quotes));
const PRICE = 9999;

async function seed(db: Database) {
  const now = new Date();
  const userRows = Array.from({ length: sizes.customers + 2 }, (_, index) => ({
    id: newId(now.getTime() - 10_000 + index),
    email: `money-user${index}@bench.test`,
    display_name: `User ${index}`,
    github_login: null,
    created_at: now,
    updated_at: now,
  }));
  await db.insertInto('users').values(userRows).execute();
  const [maintainer, helper, ...customers] = userRows.map((row) => row.id);
  const repoId = newId(now.getTime());
  await db
    .insertInto('repos')
    .values({ id: repoId, owner: 'bench', name: 'money', full_name: 'bench/money', description: '', topics: [], language: null, homepage_url: null, docs_url: null, status: 'verified', verification_method: 'operator', verified_at: now, verified_by: null, offers_expert: true, commission_bps: 1000, created_by: maintainer, created_at: now, updated_at: now })
    .execute();
  await db.insertInto('repo_helpers').values({ repo_id: repoId, user_id: helper, status: 'approved', invited_by: null, decided_by: null, decided_at: now, decision_note: null, created_at: now, updated_at: now }).execute();

  // Claimed expert tickets, each with one pending quote from the helper, in SQL: the benchmark measures the money, not the seeding.
  await sql`
    WITH c AS (SELECT ${sql.val(customers)}::uuid[] AS ids),
    inserted AS (
      INSERT INTO tickets (id, repo_id, requester_id, title, body, body_html, track, priority, channel, status, assignee_id, created_at, updated_at)
      SELECT gen_random_uuid(), ${repoId}, c.ids[1 + g % ${customers.length}::int], 'Paid question ' || g, 'Please fix it.', '<p>Please fix it.</p>',
        'expert', 'normal', 'api', 'claimed', ${helper}, now(), now()
      FROM generate_series(0, ${quotes - 1}::int) AS g, c
      RETURNING id
    )
    INSERT INTO quotes (id, ticket_id, helper_id, amount, currency, description, estimated_minutes, status, expires_at, created_at, updated_at)
    SELECT gen_random_uuid(), id, ${helper}, ${PRICE}, 'EUR', 'Fix it', 60, 'pending', now() + interval '7 days', now(), now() FROM inserted`.execute(db);
  progress('tickets with a pending quote', quotes, quotes);
  await sql`ANALYZE`.execute(db);

  const tokens = new Map<string, string>();
  for (const customer of customers) tokens.set(customer, (await issueApiToken({ db, clock: systemClock }, customer, 'bench')).token);
  const pending = await db
    .selectFrom('quotes')
    .innerJoin('tickets', 'tickets.id', 'quotes.ticket_id')
    .select(['quotes.id as quoteId', 'tickets.id as ticketId', 'tickets.requester_id as customer'])
    .orderBy('quotes.id')
    .execute();
  return pending.map((row) => ({ ...row, token: tokens.get(row.customer)! }));
}

const handle = await openBenchDatabase('money');
try {
  console.log(`Seeding ${sizes.customers} customers and ${quotes} claimed tickets with a pending quote on ${handle.engine}...`);
  const seeded = await seed(handle.db);
  const { app, baseUrl } = await startBenchApp(handle);
  const baseline = await startBaseline(handle.db);
  const load = (url: string, next: Parameters<typeof runLoad>[0]['next'], limit?: number) => runLoad({ baseUrl: url, concurrency, durationMs: seconds * 1000, next, limit });
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  console.log(`Load: ${concurrency} concurrent clients, ${seconds} s per figure`);
  const baselineInsert = await load(baseline.baseUrl, () => ({ method: 'POST', path: '/insert', body: { title: 'baseline' } }));

  const runId = Date.now().toString(36);
  const accept = await load(baseUrl, (index) => {
    const item = seeded[index % seeded.length];
    return { method: 'POST', path: `/api/v1/quotes/${item.quoteId}/accept`, headers: { ...auth(item.token), 'idempotency-key': `bench-${runId}-${item.quoteId}` }, body: {} };
  }, seeded.length);

  const payments = (await handle.db.selectFrom('payments').select(['id', 'payer_id', 'ticket_id']).where('status', '=', 'pending').orderBy('id').execute()).map((payment) => ({
    ...payment,
    token: seeded.find((item) => item.ticketId === payment.ticket_id)!.token,
  }));
  const capture = await load(baseUrl, (index) => {
    const payment = payments[index % payments.length];
    return { method: 'POST', path: `/api/v1/payments/${payment.id}/sandbox/complete`, headers: auth(payment.token), body: {} };
  }, payments.length);

  // The helper's resolution is not what is measured: the held tickets are marked resolved in one statement.
  const held = await handle.db.selectFrom('payments').select(['ticket_id']).where('status', '=', 'held').execute();
  const heldTickets = held.map((row) => row.ticket_id!);
  if (heldTickets.length > 0) {
    await handle.db.updateTable('tickets').set({ status: 'resolved', resolved_at: new Date(), resolution_summary: 'Fixed.' }).where('id', 'in', heldTickets).execute();
  }
  const tokenOf = new Map(seeded.map((item) => [item.ticketId, item.token]));
  const split = await load(baseUrl, (index) => {
    const ticketId = heldTickets[index % heldTickets.length];
    return { method: 'POST', path: `/api/v1/tickets/${ticketId}/confirm`, headers: auth(tokenOf.get(ticketId)!) };
  }, heldTickets.length);

  const released = Number((await handle.db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('count')).where('status', '=', 'released').executeTakeFirstOrThrow()).count);
  const ledger = await checkInvariants(handle.db);
  console.log(`Accepted ${payments.length}, captured ${heldTickets.length}, released ${released}; ledger check: ${ledger.ok ? 'clean' : ledger.problems.join('; ')}`);
  if (payments.length !== accept.requests || heldTickets.length !== capture.requests || released !== split.requests) {
    console.error('every accept, capture and confirm should have made exactly one payment, hold and release');
    process.exitCode = 1;
  }
  if (!ledger.ok) process.exitCode = 1;

  const throughput = (name: string, result: LoadResult): Figure => ({
    name: `${name} throughput`,
    value: result.perSecond,
    unit: 'req/s',
    better: 'higher',
    baseline: { name: 'bare insert', value: baselineInsert.perSecond },
  });
  const p99 = (name: string, result: LoadResult): Figure => ({
    name: `${name} p99`,
    value: result.p99,
    unit: 'ms',
    better: 'lower',
    baseline: { name: 'bare insert', value: baselineInsert.p99 },
  });
  const figures: Figure[] = [
    throughput('quote accept', accept),
    p99('quote accept', accept),
    throughput('capture (sandbox paid, held)', capture),
    p99('capture (sandbox paid, held)', capture),
    throughput('split (confirm, release, invoice)', split),
    p99('split (confirm, release, invoice)', split),
  ];
  const errors = [accept, capture, split].reduce((sum, result) => sum + result.errors, 0);
  printFigures(`Money: ${quotes} quotes for ${sizes.customers} customers`, handle.engine, figures);
  saveFigures('money', handle.engine, figures);
  await app.close();
  await baseline.app.close();
  if (errors > 0) {
    console.error(`${errors} requests failed`);
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
