/**
 * Maintainer dashboard benchmark: one repository with 200,000 tickets over two years (a third of them paid,
 * released through the ledger, with time logged), then the stats endpoint over HTTP for a month, a quarter
 * and a year (each with its previous period), next to a bare indexed count of the same period's tickets on
 * a bare Fastify route in the same run. The seed is a bulk load (triggers aside, then stats_rebuild); what
 * the triggers cost a write is measured apart: ticket inserts with them, next to the same without.
 *
 *   node bench/dashboard.ts [--tickets 200000] [--helpers 50] [--runs 7] [--quick]
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Database } from '../src/db/database.ts';
import type { DB } from '../src/db/types.ts';
import type { LedgerAccountKind, LedgerOwnerType } from '../src/db/types.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { issueApiToken } from '../src/modules/auth/auth.service.ts';
import { printFigures, progress, saveFigures, type Figure } from './lib/report.ts';
import { benchArgs, openBenchDatabase, startBenchApp } from './lib/setup.ts';

const { sizes, quick } = benchArgs({ tickets: 200_000, helpers: 50, runs: 7 });
const runs = quick ? 3 : sizes.runs;
const SPAN_DAYS = 730;
const DAY = 86_400_000;

async function seed(db: Database) {
  const now = new Date();
  const users = Array.from({ length: sizes.helpers + 2 }, (_, index) => ({
    id: newId(now.getTime() - 1000 + index),
    email: `dash-user${index}@bench.test`,
    display_name: `User ${index}`,
    github_login: null,
    created_at: now,
    updated_at: now,
  }));
  await db.insertInto('users').values(users).execute();
  const [maintainer, customer, ...helpers] = users.map((user) => user.id);
  const repoId = newId(now.getTime());
  await db
    .insertInto('repos')
    .values({ id: repoId, owner: 'bench', name: 'dashboard', full_name: 'bench/dashboard', description: '', topics: [], language: null, homepage_url: null, docs_url: null, status: 'verified', verification_method: 'operator', verified_at: now, verified_by: null, offers_expert: true, commission_bps: 1000, created_by: maintainer, created_at: now, updated_at: now })
    .execute();
  await db.insertInto('repo_maintainers').values({ repo_id: repoId, user_id: maintainer, role: 'owner', created_at: now }).execute();
  await db
    .insertInto('repo_helpers')
    .values(helpers.map((helperId) => ({ repo_id: repoId, user_id: helperId, status: 'approved' as const, pitch: '', links: [], invited_by: null, decided_by: null, decided_at: now, decision_note: null, created_at: now, updated_at: now })))
    .execute();
  const helperArray = sql.val(helpers);

  // Tickets over two years: 30% AI, 30% community, 40% expert (assigned round the helpers); 85% closed,
  // answered within two hours, resolved within a few days, one in four rated.
  const chunk = Math.max(1, Math.min(20_000, sizes.tickets));
  for (let start = 0; start < sizes.tickets; start += chunk) {
    const end = Math.min(sizes.tickets, start + chunk);
    await bulk(db, (trx) => sql`
      INSERT INTO tickets (id, repo_id, requester_id, title, body, body_html, track, priority, channel, status, assignee_id,
        first_response_at, resolved_at, closed_at, rating_score, rated_at, created_at, updated_at)
      SELECT gen_random_uuid(), ${repoId}, ${customer}, 'Ticket ' || g, 'Help', '<p>Help</p>',
        CASE WHEN g % 10 < 3 THEN 'ai' WHEN g % 10 < 6 THEN 'community' ELSE 'expert' END, 'normal', 'api',
        CASE WHEN g % 20 < 17 THEN 'closed' ELSE 'open' END,
        CASE WHEN g % 10 >= 6 THEN (${helperArray}::uuid[])[1 + g % ${helpers.length}::int] END,
        CASE WHEN g % 10 >= 3 THEN at + make_interval(secs => 60 + (g * 7919) % 7200) END,
        CASE WHEN g % 20 < 17 THEN at + make_interval(secs => 600 + (g::int8 * 104729) % 400000) END,
        CASE WHEN g % 20 < 17 THEN at + make_interval(secs => 600 + (g::int8 * 104729) % 400000) END,
        CASE WHEN g % 20 < 17 AND g % 4 = 0 THEN 1 + g % 5 END,
        CASE WHEN g % 20 < 17 AND g % 4 = 0 THEN at + interval '5 days' END,
        at, at
      FROM generate_series(${start}::int, ${end - 1}::int) AS g,
        LATERAL (SELECT now() - make_interval(secs => (g::float8 * ${(SPAN_DAYS * 86_400) / sizes.tickets})) AS at) AS t`.execute(trx));
    progress('tickets', end, sizes.tickets);
  }

  // Money: every other closed expert ticket was paid (50.00 to 145.00 USD) and released when resolved, with
  // its time logged. Postings go straight into the ledger tables.
  const accounts: { code: string; kind: LedgerAccountKind; owner_type: LedgerOwnerType; owner_id: string | null }[] = [
    { code: 'escrow:held', kind: 'liability', owner_type: 'platform', owner_id: null },
    { code: `repo:${repoId}:payable`, kind: 'liability', owner_type: 'repo', owner_id: repoId },
    { code: 'platform:revenue', kind: 'revenue', owner_type: 'platform', owner_id: null },
    { code: 'processor:fees', kind: 'expense', owner_type: 'processor', owner_id: null },
    ...helpers.map((helperId) => ({ code: `helper:${helperId}:payable`, kind: 'liability' as const, owner_type: 'helper' as const, owner_id: helperId })),
  ];
  await db
    .insertInto('ledger_accounts')
    .values(accounts.map((account) => ({ id: newId(), code: account.code, currency: 'USD', kind: account.kind, owner_type: account.owner_type, owner_id: account.owner_id, created_at: now })))
    .execute();
  const paidTickets = await sql<{ id: string }>`
    SELECT id FROM tickets WHERE repo_id = ${repoId} AND track = 'expert' AND status = 'closed' ORDER BY id`.execute(db);
  const paid = paidTickets.rows.filter((_, index) => index % 2 === 0).map((row) => row.id);
  const moneyChunk = 2_000;
  for (let start = 0; start < paid.length; start += moneyChunk) {
    const ids = sql.val(paid.slice(start, start + moneyChunk));
    await bulk(db, async (trx) => {
      await sql`
        WITH chosen AS (
          SELECT t.id AS ticket_id, t.assignee_id, t.resolved_at, 5000 + (abs(hashtext(t.id::text)) % 20) * 500 AS amount
          FROM tickets t WHERE t.id = ANY(${ids}::uuid[])
        ), paid AS (
          INSERT INTO payments (id, ticket_id, repo_id, kind, payer_id, helper_id, description, provider, capture_method, status, currency,
            amount, captured_amount, processor_fee, commission_bps, platform_fee_bps, held_at, released_at, created_at, updated_at)
          SELECT gen_random_uuid(), ticket_id, ${repoId}, 'fixed', ${customer}, assignee_id, 'Fix', 'sandbox', 'automatic', 'released', 'USD',
            amount, amount, amount * 3 / 100, 1000, 500, resolved_at, resolved_at, resolved_at, resolved_at
          FROM chosen
          RETURNING id, ticket_id, helper_id, amount, released_at
        ), logged AS (
          INSERT INTO time_entries (id, ticket_id, helper_id, minutes, note, created_at)
          SELECT gen_random_uuid(), ticket_id, helper_id, 30 + amount / 200, '', released_at FROM paid
        )
        INSERT INTO ledger_transactions (id, idempotency_key, kind, reference_type, reference_id, memo, currency, created_at)
        SELECT gen_random_uuid(), 'release:' || id, 'release', 'payment', id::text, '', 'USD', released_at FROM paid`.execute(trx);
      await sql`
        WITH released AS (
          SELECT t.id AS transaction_id, t.created_at, p.amount, p.helper_id,
            p.amount / 10 AS commission, p.amount / 20 AS platform_fee, p.amount * 3 / 100 AS processor_fee
          FROM payments p JOIN ledger_transactions t ON t.reference_type = 'payment' AND t.reference_id = p.id::text
          WHERE p.ticket_id = ANY(${ids}::uuid[])
        )
        INSERT INTO ledger_entries (id, transaction_id, account_id, amount, currency, created_at)
        SELECT gen_random_uuid(), r.transaction_id, a.id, part.amount, 'USD', r.created_at
        FROM released r
        CROSS JOIN LATERAL (VALUES
          ('escrow:held', r.amount),
          ('helper:' || r.helper_id || ':payable', -(r.amount - r.commission - r.platform_fee - r.processor_fee)),
          (${`repo:${repoId}:payable`}, -r.commission),
          ('platform:revenue', -r.platform_fee),
          ('processor:fees', -r.processor_fee)) AS part(code, amount)
        JOIN ledger_accounts a ON a.code = part.code AND a.currency = 'USD'`.execute(trx);
    });
    progress('released payments', Math.min(paid.length, start + moneyChunk), paid.length);
  }
  const rebuildStarted = performance.now();
  await db.transaction().execute((trx) => sql`SELECT stats_rebuild(${repoId}::uuid)`.execute(trx));
  const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
  // The baseline's index: the cheapest way to count a period's tickets straight from the tickets table.
  await sql`CREATE INDEX bench_tickets_repo_created_idx ON tickets (repo_id, created_at)`.execute(db);
  await sql`ANALYZE`.execute(db);
  const token = (await issueApiToken({ db, clock: systemClock }, maintainer, 'bench')).token;
  return { repoId, customer, token, payments: paid.length, rebuildSeconds };
}

/** A bulk load: the rollup triggers stand aside for the transaction, and stats_rebuild sums it all afterwards. */
function bulk(db: Database, work: (trx: Transaction<DB>) => Promise<unknown>) {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('backline.stats_rebuilding', 'on', true)`.execute(trx);
    await work(trx);
  });
}

/**
 * What the rollups cost each write: ticket inserts one by one, each in its own transaction, with the
 * triggers (facts and daily sums) and with them standing aside. Milliseconds per ticket.
 */
async function insertCost(db: Database, repoId: string, customer: string, count: number, triggers: boolean): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    await db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('backline.stats_rebuilding', ${triggers ? '' : 'on'}, true)`.execute(trx);
      await sql`
        INSERT INTO tickets (id, repo_id, requester_id, title, body, body_html, track, priority, channel, status, created_at, updated_at)
        VALUES (${newId()}, ${repoId}, ${customer}, 'Insert cost', 'Help', '<p>Help</p>', 'expert', 'normal', 'api', 'open', now(), now())`.execute(trx);
    });
  }
  return (performance.now() - started) / count;
}

/** A bare Fastify route counting a period's tickets through an index: no authorization, no figures. */
async function startCountBaseline(db: Database, repoId: string) {
  const app = Fastify();
  app.get('/count', async (request) => {
    const { from, to } = request.query as { from: string; to: string };
    const { rows } = await sql<{ count: number }>`
      SELECT count(*)::int AS count FROM tickets WHERE repo_id = ${repoId} AND created_at >= ${from}::date AND created_at < ${to}::date`.execute(db);
    return rows[0];
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/** The median of `runs` timings of `work`, after one warm-up run. */
async function median(work: () => Promise<unknown>): Promise<number> {
  await work();
  const timings: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work();
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b)[Math.floor(timings.length / 2)];
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

const handle = await openBenchDatabase('dashboard');
try {
  console.log(`Seeding one repository with ${sizes.tickets} tickets over ${SPAN_DAYS} days and ${sizes.helpers} helpers on ${handle.engine}...`);
  const seedStarted = performance.now();
  const { repoId, customer, token, payments, rebuildSeconds } = await seed(handle.db);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const { app, baseUrl } = await startBenchApp(handle);
  const baseline = await startCountBaseline(handle.db, repoId);
  const auth = { authorization: `Bearer ${token}` };
  const today = new Date(Math.floor(Date.now() / DAY) * DAY);
  const day = (date: Date) => date.toISOString().slice(0, 10);

  const figures: Figure[] = [];
  for (const [label, days] of [['month', 30], ['quarter', 91], ['year', 365]] as const) {
    const query = `from=${day(new Date(today.getTime() - (days - 1) * DAY))}&to=${day(new Date(today.getTime() + DAY))}`;
    const report = await get(`${baseUrl}/api/v1/repos/bench/dashboard/stats?${query}`, auth);
    const counted = await get(`${baseline.baseUrl}/count?${query}`);
    if (report.current.tickets.opened !== counted.count) throw new Error(`the dashboard counted ${report.current.tickets.opened} tickets, the table has ${counted.count}`);
    const statsMs = await median(() => get(`${baseUrl}/api/v1/repos/bench/dashboard/stats?${query}`, auth));
    const countMs = await median(() => get(`${baseline.baseUrl}/count?${query}`));
    figures.push({
      name: `dashboard, a ${label} (${counted.count} tickets, ${report.current.money.releases} releases, + previous ${label})`,
      value: statsMs,
      unit: 'ms',
      better: 'lower',
      baseline: { name: 'bare indexed count of the period', value: countMs },
      target: { text: '< 1000 ms', met: statsMs < 1000 },
    });
  }
  const inserts = quick ? 50 : 500;
  const withRollups = await insertCost(handle.db, repoId, customer, inserts, true);
  const withoutRollups = await insertCost(handle.db, repoId, customer, inserts, false);
  figures.push({ name: `ticket insert with the rollup triggers (${inserts}, one transaction each)`, value: withRollups, unit: 'ms', better: 'lower', baseline: { name: 'same insert, triggers standing aside', value: withoutRollups } });
  figures.push({ name: `stats_rebuild of the repository (${sizes.tickets} tickets, ${payments} payments)`, value: rebuildSeconds, unit: 's', better: 'lower' });
  figures.push({ name: 'seeding, rebuild included', value: seedSeconds, unit: 's', better: 'lower' });
  printFigures(`Maintainer dashboard: ${sizes.tickets} tickets on one repository`, handle.engine, figures);
  saveFigures('dashboard', handle.engine, figures);
  await app.close();
  await baseline.app.close();
} finally {
  await handle.close();
}
