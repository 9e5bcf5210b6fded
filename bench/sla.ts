/**
 * SLA and scheduling benchmark: the SLA sweep (time left on 100,000 open plan tickets, in the business
 * hours of ten calendars in different zones) next to the same read with plain subtraction instead of
 * business time; and a month of free slots for 50 helpers over HTTP next to a bare read route.
 *
 *   node bench/sla.ts [--tickets 100000] [--helpers 50] [--seconds 10] [--concurrency 16] [--quick]
 */
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { issueApiToken } from '../src/modules/auth/auth.service.ts';
import { calendarClocks } from '../src/modules/sla/sla.calendars.ts';
import { runningClocks } from '../src/modules/sla/sla.repository.ts';
import { sweep } from '../src/modules/sla/sla.sweep.ts';
import { aroundTheClock } from '../src/modules/sla/business-time.ts';
import { startBaseline } from './lib/baseline.ts';
import { runLoad } from './lib/load.ts';
import { printFigures, progress, saveFigures, type Figure } from './lib/report.ts';
import { benchArgs, openBenchDatabase, startBenchApp } from './lib/setup.ts';

const { sizes, quick } = benchArgs({ tickets: 100_000, helpers: 50, seconds: 10, concurrency: 16 });
const seconds = quick ? 1 : sizes.seconds;
const concurrency = quick ? 4 : sizes.concurrency;
const ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'America/Sao_Paulo', 'Europe/London', 'Asia/Tokyo', 'America/Los_Angeles', 'Africa/Nairobi', 'Pacific/Auckland'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const office = (intervals: Array<{ start: string; end: string }>) => Object.fromEntries(WEEKDAYS.map((day) => [day, intervals]));

async function seed(db: Database) {
  const now = new Date();
  const userRows = Array.from({ length: sizes.helpers + 1 }, (_, index) => ({
    id: newId(now.getTime() - 1000 + index),
    email: `sla-user${index}@bench.test`,
    display_name: `User ${index}`,
    github_login: null,
    created_at: now,
    updated_at: now,
  }));
  await db.insertInto('users').values(userRows).execute();
  const [customer, ...helpers] = userRows.map((row) => row.id);
  const repoId = newId(now.getTime());
  await db
    .insertInto('repos')
    .values({ id: repoId, owner: 'bench', name: 'sla', full_name: 'bench/sla', description: '', topics: [], language: null, homepage_url: null, docs_url: null, status: 'verified', verification_method: 'operator', verified_at: now, verified_by: null, offers_expert: true, commission_bps: 1000, created_by: customer, created_at: now, updated_at: now })
    .execute();

  const calendars = ZONES.map((zone) => ({
    id: newId(now.getTime()),
    repo_id: repoId,
    name: `Office ${zone}`,
    time_zone: zone,
    weekly_hours: JSON.stringify(office([{ start: '09:00', end: '12:30' }, { start: '13:30', end: '18:00' }])),
    holidays: ['2026-12-25', '2027-01-01'],
    created_by: customer,
    created_at: now,
  }));
  await db.insertInto('business_calendars').values(calendars).execute();
  const policyId = newId(now.getTime());
  await db.insertInto('sla_policies').values({ id: policyId, repo_id: repoId, name: 'Plan', calendar_id: calendars[0].id, targets: JSON.stringify({ urgent: { firstResponse: 60, resolution: 960 } }), created_by: customer, created_at: now }).execute();

  // Tickets and their running clocks in SQL: due times spread over two weeks either side of now.
  const chunk = Math.max(1, Math.min(20_000, sizes.tickets));
  for (let start = 0; start < sizes.tickets; start += chunk) {
    const end = Math.min(sizes.tickets, start + chunk);
    await sql`
      WITH inserted AS (
        INSERT INTO tickets (id, repo_id, requester_id, title, body, body_html, track, priority, channel, status, created_at, updated_at)
        SELECT gen_random_uuid(), ${repoId}, ${customer}, 'Plan ticket ' || g, 'Help', '<p>Help</p>', 'expert',
          (ARRAY['urgent','high','normal','low'])[1 + g % 4], 'api', 'open', now(), now()
        FROM generate_series(${start}::int, ${end - 1}::int) AS g
        RETURNING id, (regexp_replace(title, '\\D', '', 'g'))::int AS g
      )
      INSERT INTO ticket_sla (ticket_id, policy_id, source, repo_id, calendar_id, first_response_minutes, resolution_minutes,
        first_response_due_at, resolution_due_at, next_due_at, created_at, updated_at)
      SELECT id, ${policyId}, 'plan', ${repoId}, (${sql.val(calendars.map((calendar) => calendar.id))}::uuid[])[1 + g % ${ZONES.length}::int], 60, 960,
        now() + make_interval(mins => (g % 40320) - 20160), now() + make_interval(mins => (g % 40320) - 20160 + 900),
        now() + make_interval(mins => (g % 40320) - 20160), now(), now()
      FROM inserted`.execute(db);
    progress('tickets with SLA clocks', end, sizes.tickets);
  }

  // Helpers: approved, a working week in their zone with a buffer, and two bookings a day for a month.
  for (const [index, helperId] of helpers.entries()) {
    await db.insertInto('repo_helpers').values({ repo_id: repoId, user_id: helperId, status: 'approved', pitch: '', links: [], invited_by: null, decided_by: null, decided_at: now, decision_note: null, created_at: now, updated_at: now }).execute();
    await db
      .insertInto('helper_availability')
      .values({ user_id: helperId, time_zone: ZONES[index % ZONES.length], weekly_hours: JSON.stringify(office([{ start: '08:00', end: '12:00' }, { start: '13:00', end: '18:00' }])), exceptions: '[]', buffer_minutes: 10, cancel_notice_hours: null, updated_at: now })
      .execute();
    await sql`
      INSERT INTO bookings (id, helper_id, customer_id, starts_at, ends_at, blocked_until, customer_time_zone, helper_time_zone, cancel_notice_hours, status, created_at, updated_at)
      SELECT gen_random_uuid(), ${helperId}, ${customer}, t, t + interval '1 hour', t + interval '70 minutes', 'UTC', 'UTC', 24, 'confirmed', now(), now()
      FROM generate_series(date_trunc('hour', now()) + interval '1 day', date_trunc('hour', now()) + interval '31 days', interval '12 hours') AS t`.execute(db);
  }
  progress('helpers with availability and bookings', sizes.helpers, sizes.helpers);
  await sql`ANALYZE`.execute(db);
  const token = (await issueApiToken({ db, clock: systemClock }, customer, 'bench')).token;
  return { helpers, token };
}

/** The median of `runs` timings of `work`, after one warm-up run. */
async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const timings: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work();
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b)[Math.floor(timings.length / 2)];
}

const handle = await openBenchDatabase('sla');
try {
  console.log(`Seeding ${sizes.tickets} open plan tickets with SLA clocks and ${sizes.helpers} helpers with availability on ${handle.engine}...`);
  const { helpers, token } = await seed(handle.db);
  const { app, services, baseUrl } = await startBenchApp(handle);
  const baseline = await startBaseline(handle.db);
  const runs = quick ? 3 : 7;

  // The sweep as dashboards call it, and the same read with the business-hour math replaced by a subtraction.
  let swept = 0;
  const sweepMs = await median(runs, async () => (swept = (await services.sla.timeLeft()).length));
  const readRows = async () => {
    const rows = [];
    for (let after: string | undefined, page; (page = await runningClocks(handle.db, after, 20_000)).length; ) {
      rows.push(...page);
      if (page.length < 20_000) break;
      after = page[page.length - 1].ticket_id;
    }
    return rows;
  };
  const plainMs = await median(runs, async () => sweep(await readRows(), Date.now(), () => aroundTheClock));
  // The arithmetic alone, on rows already in memory.
  const rows = await readRows();
  const clocks = calendarClocks(systemClock, handle.notifications);
  const clockOf = await clocks.load(handle.db, rows.map((row) => row.calendar_id));
  const mathMs = await median(runs, async () => sweep(rows, Date.now(), clockOf));
  const loopMs = await median(runs, async () => sweep(rows, Date.now(), () => aroundTheClock));
  if (swept !== sizes.tickets) throw new Error(`the sweep saw ${swept} of ${sizes.tickets} tickets`);

  const from = new Date();
  const to = new Date(from.getTime() + 30 * 86_400_000);
  const slotsPath = (index: number) =>
    `/api/v1/helpers/${helpers[index % helpers.length]}/slots?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&minutes=60&tz=${encodeURIComponent(ZONES[(index * 3) % ZONES.length])}`;
  const probe = await fetch(baseUrl + slotsPath(0), { headers: { authorization: `Bearer ${token}` } });
  const probeBody = (await probe.json()) as { items?: unknown[] };
  if (probe.status !== 200 || !probeBody.items?.length) throw new Error(`slots answered ${probe.status} with ${probeBody.items?.length ?? 0} slots`);
  console.log(`Load: 1 client, then ${concurrency} concurrent clients, ${seconds} s per figure; a month of one helper is ${probeBody.items.length} one-hour slots`);
  const load = (url: string, clients: number, next: Parameters<typeof runLoad>[0]['next']) => runLoad({ baseUrl: url, concurrency: clients, durationMs: seconds * 1000, next });
  const slotsRequest = (index: number) => ({ method: 'GET', path: slotsPath(index), headers: { authorization: `Bearer ${token}` } });
  // One client measures what a person waits; many measure the server under load (queueing included).
  const bareRead = await load(baseline.baseUrl, 1, () => ({ method: 'GET', path: '/read' }));
  const slots = await load(baseUrl, 1, slotsRequest);
  const bareReadLoaded = await load(baseline.baseUrl, concurrency, () => ({ method: 'GET', path: '/read' }));
  const slotsLoaded = await load(baseUrl, concurrency, slotsRequest);

  const figures: Figure[] = [
    {
      name: `SLA sweep, ${sizes.tickets} tickets (read + business time)`,
      value: sweepMs,
      unit: 'ms',
      better: 'lower',
      baseline: { name: 'same read, plain subtraction', value: plainMs },
      target: { text: '< 1000 ms', met: sweepMs < 1000 },
    },
    { name: `business-time math alone, ${sizes.tickets} tickets`, value: mathMs, unit: 'ms', better: 'lower', baseline: { name: 'plain loop over the same rows', value: loopMs } },
    {
      name: `month of slots, ${sizes.helpers} helpers, p95 (1 client)`,
      value: slots.p95,
      unit: 'ms',
      better: 'lower',
      baseline: { name: 'bare read', value: bareRead.p95 },
      target: { text: '< 30 ms', met: slots.p95 < 30 },
    },
    { name: `month of slots p95 (${concurrency} clients)`, value: slotsLoaded.p95, unit: 'ms', better: 'lower', baseline: { name: 'bare read', value: bareReadLoaded.p95 } },
    { name: `month of slots throughput (${concurrency} clients)`, value: slotsLoaded.perSecond, unit: 'req/s', better: 'higher', baseline: { name: 'bare read', value: bareReadLoaded.perSecond } },
  ];
  printFigures(`SLA and scheduling: ${sizes.tickets} plan tickets, ${sizes.helpers} helpers`, handle.engine, figures);
  saveFigures('sla', handle.engine, figures);
  await app.close();
  await baseline.app.close();
  if (slots.errors + slotsLoaded.errors > 0) {
    console.error(`${slots.errors + slotsLoaded.errors} requests failed`);
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
