/**
 * Core platform benchmark: seeds repositories, users and tickets with messages, then measures over HTTP
 * ticket creation and message posting (throughput, p99), directory search p95 and helper queue p95,
 * each next to a bare Fastify baseline on the same driver in the same run.
 *
 *   node bench/core.ts [--repos 1000] [--users 10000] [--tickets 200000] [--seconds 10] [--warmup 2] [--rounds 3] [--concurrency 16] [--readers 4] [--quick]
 *
 * The reads (search, queue and their bare read) are measured twice: under the same 16 clients as the
 * writes, and with `--readers` clients, closer to how many people wait on one server at once.
 *
 * The loads run in `--rounds` interleaved rounds (each load once per round), and each figure is over all
 * rounds' requests. Each load first runs `--warmup` seconds unmeasured, the bare routes' as much as the
 * app's, so that a figure is the server as it runs, not its first seconds (code not yet optimized, caches
 * not yet filled).
 * The seeded tables are vacuumed, as pgbench does before it measures: as autovacuum would have them. Then
 * a checkpoint writes the seed's pages out, so that writing back the half gigabyte of WAL the seed left does
 * not fall on the loads (a timed checkpoint did, spread over 270 s of them, in round eight's runs).
 */
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import { newId } from '../src/lib/ids.ts';
import { issueApiToken } from '../src/modules/auth/auth.service.ts';
import { systemClock } from '../src/lib/clock.ts';
import { startBaseline } from './lib/baseline.ts';
import type { CpuUse } from './lib/cpu.ts';
import { poolLoads, runLoad, type LoadResult } from './lib/load.ts';
import { printFigures, progress, round, saveFigures, type Figure } from './lib/report.ts';
import { benchArgs, openBenchDatabase, startBenchApp } from './lib/setup.ts';

const { sizes, quick } = benchArgs({ repos: 1000, users: 10_000, tickets: 200_000, seconds: 10, warmup: 2, rounds: 3, concurrency: 16, readers: 4 });
const seconds = quick ? 1 : sizes.seconds;
const warmup = quick ? 0 : sizes.warmup;
const rounds = sizes.rounds;
const concurrency = quick ? 4 : sizes.concurrency;
const readers = quick ? 2 : sizes.readers;
const HELPERS = Math.min(200, Math.floor(sizes.users / 10));
const TOKENS = Math.min(200, sizes.users - HELPERS);

const ADJECTIVES = ['fast', 'tiny', 'async', 'reactive', 'typed', 'open', 'rapid', 'smart', 'cloud', 'hyper', 'micro', 'quantum', 'lazy', 'solid', 'swift', 'bright', 'deep', 'silver', 'golden', 'iron'];
const NOUNS = ['router', 'queue', 'cache', 'parser', 'orm', 'logger', 'bus', 'store', 'grid', 'forms', 'charts', 'auth', 'mailer', 'scheduler', 'crawler', 'editor', 'compiler', 'bundler', 'runtime', 'sdk'];
const LANGUAGES = ['TypeScript', 'Go', 'Rust', 'Python', 'C#', 'Java', 'Ruby', 'Elixir'];

async function seed(db: Database) {
  const now = new Date();
  const userIds: string[] = [];
  for (let start = 0; start < sizes.users; start += 1000) {
    const rows = [];
    for (let index = start; index < Math.min(sizes.users, start + 1000); index++) {
      const id = newId(now.getTime() - (sizes.users - index) * 1000);
      userIds.push(id);
      rows.push({ id, email: `user${index}@bench.test`, display_name: `User ${index}`, github_login: null, created_at: now, updated_at: now });
    }
    await db.insertInto('users').values(rows).execute();
    progress('users', Math.min(sizes.users, start + 1000), sizes.users);
  }

  const repoIds: string[] = [];
  const repoRows = [];
  for (let index = 0; index < sizes.repos; index++) {
    const id = newId(now.getTime() - (sizes.repos - index) * 1000);
    repoIds.push(id);
    const name = `${ADJECTIVES[index % ADJECTIVES.length]}-${NOUNS[Math.floor(index / ADJECTIVES.length) % NOUNS.length]}`;
    repoRows.push({
      id,
      owner: `org${index}`,
      name,
      full_name: `org${index}/${name}`,
      description: `A ${ADJECTIVES[(index * 7) % ADJECTIVES.length]} ${NOUNS[(index * 3) % NOUNS.length]} for ${LANGUAGES[index % LANGUAGES.length]} applications`,
      topics: [NOUNS[index % NOUNS.length], LANGUAGES[index % LANGUAGES.length].toLowerCase().replace('#', 'sharp')],
      language: LANGUAGES[index % LANGUAGES.length],
      status: 'verified' as const,
      verification_method: 'operator' as const,
      verified_at: now,
      offers_expert: true,
      commission_bps: 1000,
      created_by: userIds[index % sizes.users],
      created_at: now,
      updated_at: now,
      homepage_url: null,
      docs_url: null,
      verified_by: null,
    });
  }
  for (let start = 0; start < repoRows.length; start += 500) await db.insertInto('repos').values(repoRows.slice(start, start + 500)).execute();
  progress('repositories', sizes.repos, sizes.repos);

  const helperRows = [];
  for (let helper = 0; helper < HELPERS; helper++) {
    const approved = new Set<number>();
    for (let k = 0; k < 10; k++) approved.add((helper * 5 + k) % sizes.repos);
    for (const repoIndex of approved) {
      helperRows.push({ repo_id: repoIds[repoIndex], user_id: userIds[helper], status: 'approved' as const, invited_by: null, decided_by: null, decided_at: now, decision_note: null, created_at: now, updated_at: now });
    }
  }
  for (let start = 0; start < helperRows.length; start += 1000) await db.insertInto('repo_helpers').values(helperRows.slice(start, start + 1000)).execute();
  progress('helper approvals', helperRows.length, helperRows.length);

  // Tickets and their first message in SQL: 200,000 rows through the driver one by one would take minutes.
  const chunk = Math.max(1, Math.min(20_000, sizes.tickets));
  for (let start = 0; start < sizes.tickets; start += chunk) {
    const end = Math.min(sizes.tickets, start + chunk);
    await sql`
      WITH r AS (SELECT array_agg(id ORDER BY id) AS ids FROM repos),
           u AS (SELECT array_agg(id ORDER BY id) AS ids FROM users)
      INSERT INTO tickets (id, repo_id, requester_id, title, body, body_html, track, priority, channel, status, assignee_id, created_at, updated_at)
      SELECT gen_random_uuid(), r.ids[1 + g % ${sizes.repos}::int], u.ids[1 + ${HELPERS}::int + g % ${sizes.users - HELPERS}::int],
        'Question ' || g, 'How do I configure the thing?', '<p>How do I configure the thing?</p>',
        (ARRAY['expert','community','ai'])[1 + g % 3], (ARRAY['urgent','high','normal','low'])[1 + g % 4], 'api',
        (ARRAY['open','claimed','in_progress','resolved','closed'])[1 + (g / 3) % 5],
        CASE WHEN (g / 3) % 5 IN (1, 2) THEN u.ids[1 + g % ${HELPERS}::int] END,
        now() - make_interval(secs => ${sizes.tickets}::int - g), now()
      FROM generate_series(${start}::int, ${end - 1}::int) AS g, r, u`.execute(db);
    progress('tickets', end, sizes.tickets);
  }
  await sql`
    INSERT INTO ticket_messages (id, ticket_id, author_id, body, body_html, internal, channel, created_at)
    SELECT gen_random_uuid(), id, requester_id, 'More details', '<p>More details</p>', false, 'api', created_at FROM tickets`.execute(db);
  progress('messages', sizes.tickets, sizes.tickets);
  await sql`VACUUM ANALYZE`.execute(db);
  await checkpoint(db);

  const helperTokens: string[] = [];
  for (let helper = 0; helper < Math.min(50, HELPERS); helper++) helperTokens.push((await issueApiToken({ db, clock: systemClock }, userIds[helper], 'bench')).token);
  const customers: { token: string; ticketId: string }[] = [];
  for (let index = 0; index < TOKENS; index++) {
    const userId = userIds[HELPERS + index];
    const token = (await issueApiToken({ db, clock: systemClock }, userId, 'bench')).token;
    const ticket = await db.selectFrom('tickets').select('id').where('requester_id', '=', userId).where('status', 'not in', ['closed', 'cancelled']).limit(1).executeTakeFirst();
    if (ticket) customers.push({ token, ticketId: ticket.id });
  }
  return { repoRows, helperTokens, customers };
}

/** CHECKPOINT needs a superuser or pg_checkpoint: without either the loads run with the seed's pages still to write, and the bench says so. */
async function checkpoint(db: Database) {
  try {
    await sql`CHECKPOINT`.execute(db);
  } catch (error) {
    console.warn(`No checkpoint after the seed (${(error as Error).message}): the loads may share the machine with its write-back.`);
  }
}

const handle = await openBenchDatabase('core');
try {
  console.log(`Seeding ${sizes.repos} repositories, ${sizes.users} users, ${sizes.tickets} tickets with messages on ${handle.engine}...`);
  const { repoRows, helperTokens, customers } = await seed(handle.db);
  const { app, baseUrl } = await startBenchApp(handle);
  const baseline = await startBaseline(handle.db);
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const queries = [...NOUNS, ...ADJECTIVES, 'fast router', 'rutr', 'asynk queue', 'typescript', 'golden cache', 'parsr'];
  const searchRequest = (index: number) => ({ method: 'GET', path: `/api/v1/repos?q=${encodeURIComponent(queries[index % queries.length])}&limit=20` });
  const queueRequest = (index: number) => ({ method: 'GET', path: '/api/v1/helpers/me/queue?limit=25', headers: auth(helperTokens[index % helperTokens.length]) });
  const bareRead = () => ({ method: 'GET', path: '/read' });
  type Next = Parameters<typeof runLoad>[0]['next'];
  const kinds: Record<string, { url: string; next: Next; clients: number }> = {
    bareInsert: { url: baseline.baseUrl, next: () => ({ method: 'POST', path: '/insert', body: { title: 'baseline' } }), clients: concurrency },
    bareRead: { url: baseline.baseUrl, next: bareRead, clients: concurrency },
    creation: {
      url: baseUrl,
      next: (index) => {
        const customer = customers[index % customers.length];
        const repo = repoRows[index % repoRows.length];
        return { method: 'POST', path: '/api/v1/tickets', headers: auth(customer.token), body: { repo: repo.full_name, title: `Load ticket ${index}`, body: 'It **breaks** when I upgrade.', track: 'expert', priority: 'normal' } };
      },
      clients: concurrency,
    },
    messages: {
      url: baseUrl,
      next: (index) => {
        const customer = customers[index % customers.length];
        return { method: 'POST', path: `/api/v1/tickets/${customer.ticketId}/messages`, headers: auth(customer.token), body: { body: `Update ${index}: still failing` } };
      },
      clients: concurrency,
    },
    search: { url: baseUrl, next: searchRequest, clients: concurrency },
    queue: { url: baseUrl, next: queueRequest, clients: concurrency },
    fewBareRead: { url: baseline.baseUrl, next: bareRead, clients: readers },
    fewSearch: { url: baseUrl, next: searchRequest, clients: readers },
    fewQueue: { url: baseUrl, next: queueRequest, clients: readers },
  };

  console.log(`Load: ${concurrency} concurrent clients (reads also with ${readers}), ${rounds} interleaved round(s) of ${seconds} s per figure, the first after ${warmup} s unmeasured`);
  // Interleaved rounds, each load once per round, each figure over all rounds' requests: a load and its
  // baseline share the machine's good and bad moments, where back to back they could fall in different ones.
  const measured: Record<string, Array<LoadResult & { cpu?: CpuUse }>> = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [kind, { url, next, clients }] of Object.entries(kinds)) {
      if (round === 0 && warmup > 0) await runLoad({ baseUrl: url, concurrency: clients, durationMs: warmup * 1000, next });
      measured[kind].push(await runLoad({ baseUrl: url, concurrency: clients, durationMs: seconds * 1000, next, cpu: handle }));
    }
  }
  /** A load with the CPU it cost the server's threads and PostgreSQL per request: on a shared machine latency follows others' work, this does not. */
  const pooled = (kind: string) => poolLoads(measured[kind]) as LoadResult & { cpu: CpuUse };
  const [baselineInsert, baselineRead, creation, messages, search, queue, fewBaselineRead, fewSearch, fewQueue] = Object.keys(kinds).map(pooled);

  const throughput = (name: string, result: LoadResult, target?: number): Figure => ({
    name: `${name} throughput`,
    value: result.perSecond,
    unit: 'req/s',
    better: 'higher',
    baseline: { name: 'bare insert', value: baselineInsert.perSecond },
    target: target === undefined ? undefined : { text: `>= ${target * 100}% of baseline`, met: result.perSecond >= target * baselineInsert.perSecond },
  });
  const latency = (name: string, result: LoadResult, quantile: 'p95' | 'p99', base: LoadResult, baseName: string, targetMs?: number): Figure => ({
    name: `${name} ${quantile}`,
    value: result[quantile],
    unit: 'ms',
    better: 'lower',
    baseline: { name: baseName, value: base[quantile] },
    target: targetMs === undefined ? undefined : { text: `< ${targetMs} ms`, met: result[quantile] < targetMs },
  });
  const figures: Figure[] = [
    throughput('ticket creation', creation, handle.engine === 'postgres' ? 0.5 : undefined),
    latency('ticket creation', creation, 'p99', baselineInsert, 'bare insert'),
    throughput('message posting', messages),
    latency('message posting', messages, 'p99', baselineInsert, 'bare insert'),
    latency('directory search', search, 'p95', baselineRead, 'bare read', 20),
    latency('helper queue', queue, 'p95', baselineRead, 'bare read', 20),
    latency(`directory search, ${readers} clients,`, fewSearch, 'p95', fewBaselineRead, `bare read, ${readers} clients`, 20),
    latency(`helper queue, ${readers} clients,`, fewQueue, 'p95', fewBaselineRead, `bare read, ${readers} clients`, 20),
  ];
  const cpuFigures = (name: string, app: CpuUse, bare: CpuUse, bareName: string): Figure[] => [
    { name: `${name}, server CPU per request`, value: app.serverMs, unit: 'ms', better: 'lower', baseline: { name: bareName, value: bare.serverMs } },
    ...(app.postgresMs === undefined
      ? []
      : [{ name: `${name}, PostgreSQL CPU per request`, value: app.postgresMs, unit: 'ms', better: 'lower' as const, baseline: bare.postgresMs === undefined ? undefined : { name: bareName, value: bare.postgresMs } }]),
  ];
  figures.push(
    ...cpuFigures('ticket creation', creation.cpu, baselineInsert.cpu, 'bare insert'),
    ...cpuFigures('message posting', messages.cpu, baselineInsert.cpu, 'bare insert'),
    ...cpuFigures('directory search', search.cpu, baselineRead.cpu, 'bare read'),
    ...cpuFigures('helper queue', queue.cpu, baselineRead.cpu, 'bare read'),
  );
  const errors = [creation, messages, search, queue, fewSearch, fewQueue].reduce((sum, result) => sum + result.errors, 0);
  printFigures(`Core platform: ${sizes.repos} repos, ${sizes.users} users, ${sizes.tickets} tickets`, handle.engine, figures);
  const loads = { 'bare insert': baselineInsert, 'bare read': baselineRead, creation, messages, search, queue, [`bare read, ${readers} clients`]: fewBaselineRead, [`search, ${readers} clients`]: fewSearch, [`queue, ${readers} clients`]: fewQueue };
  if (rounds > 1) {
    const ratios = measured.creation.map((result, index) => `${round(result.perSecond / measured.bareInsert[index].perSecond)}x (${Math.round(result.perSecond)} / ${Math.round(measured.bareInsert[index].perSecond)})`);
    console.log(`Ticket creation against the bare insert, round by round: ${ratios.join(', ')}`);
  }
  console.log(`The load driver's own CPU per request (not in the server's figures): ${Object.entries(loads).map(([name, result]) => `${name} ${round(result.cpu.driverMs ?? Number.NaN)} ms`).join(', ')}`);
  console.log(`CPU taken by the host (steal) during each load: ${Object.entries(loads).map(([name, result]) => `${name} ${round(result.cpu.stolenPercent ?? Number.NaN)}%`).join(', ')}`);
  saveFigures('core', handle.engine, figures);
  await app.close();
  await baseline.app.close();
  if (errors > 0) {
    console.error(`${errors} requests failed`);
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
