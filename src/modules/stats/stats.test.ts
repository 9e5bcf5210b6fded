import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { extractText, getDocumentProxy } from 'unpdf';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { newId } from '../../lib/ids.ts';
import { openTickets } from '../tickets/tickets.repository.ts';
import { toDecimal } from '../invoices/invoices.money.ts';
import { reverseSplit, splitPayment } from '../ledger/split.ts';
import { sandboxFee } from '../payments/providers/sandbox.ts';
import { acceptAndPay, approvedHelper, sendQuote, withKey, type Repo } from '../payments/test-support.ts';

/** What the payments module splits of 9999 on the sandbox, of a 2500 refund of it, and of 5000 in February. */
const SPLIT = splitPayment({ amount: 9999, commissionBps: 1000, platformFeeBps: 500, processorFee: sandboxFee(9999) });
const REFUND = reverseSplit(SPLIT, 2500);
const FEBRUARY = splitPayment({ amount: 5000, commissionBps: 1000, platformFeeBps: 500, processorFee: sandboxFee(5000) });

/**
 * The dashboard's figures for a known set of tickets, payments (sandbox), time, ratings, SLA outcomes and
 * AI answers, made through the platform's own API so that the triggers that keep the rollups see what
 * production sees.
 */
describe('stats', () => {
  let ctx: TestContext;
  let repo: Repo;
  let helper: TestUser;
  let operator: TestUser;
  const MARCH = 'from=2026-03-01&to=2026-04-01&currency=EUR';

  const open = async (customer: TestUser, track: string, title: string, priority = 'normal') => {
    const opened = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title, body: 'Please help.', track, priority });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    return opened.body.id as string;
  };

  /** An expert ticket: claimed, answered after `respondAfter` minutes, paid, resolved after `resolveAfter`, confirmed. */
  async function paidTicket(openedAt: string, amount: number, respondAfter: number, resolveAfter: number, minutesLogged = 0) {
    ctx.clock.set(openedAt);
    const customer = await createUser(ctx);
    const id = await open(customer, 'expert', `Renderer leaks memory ${openedAt}`);
    const url = `/api/v1/tickets/${id}`;
    assert.equal((await helper.api.post(`${url}/claim`)).status, 200);
    ctx.clock.set(new Date(new Date(openedAt).getTime() + respondAfter * 60_000));
    assert.equal((await helper.api.post(`${url}/messages`, { body: 'Looking at it.' })).status, 201);
    const payment = await acceptAndPay(customer, (await sendQuote(helper, id, { amount })).id);
    if (minutesLogged) assert.equal((await helper.api.post(`${url}/time-entries`, { minutes: minutesLogged, note: 'Debugging' })).status, 201);
    ctx.clock.set(new Date(new Date(openedAt).getTime() + resolveAfter * 60_000));
    assert.equal((await helper.api.post(`${url}/resolve`, { summary: 'Fixed the leak.' })).status, 200);
    assert.equal((await customer.api.post(`${url}/confirm`)).status, 200);
    return { id, url, customer, paymentId: payment.id as string };
  }

  before(async () => {
    ctx = await startTestApp();
    operator = await createUser(ctx, { operator: true });
    repo = await createRepo(ctx);
    helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
    // Every normal expert ticket gets a 30-minute first response target, around the clock.
    const policy = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/sla-policies`, { name: '24/7', targets: { normal: { firstResponse: 30 } } });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    assert.equal((await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/sla-policies/default`, { policyId: policy.body.id })).status, 200);
    assert.equal((await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/ai-settings`, { enabled: true })).status, 200);

    // February: one paid ticket.
    await paidTicket('2026-02-10T09:00:00Z', 5000, 5, 60);

    // March: a paid ticket answered in 10 minutes, resolved in 2 hours, rated 5, 90 minutes logged, partly refunded.
    const paid = await paidTicket('2026-03-02T09:00:00Z', 9999, 10, 120, 90);
    assert.equal((await paid.customer.api.post(`${paid.url}/rating`, { score: 5, comment: 'Great' })).status, 200);
    ctx.clock.set('2026-03-05T12:00:00Z');
    const refunded = await repo.maintainer.api.post(`/api/v1/payments/${paid.paymentId}/refunds`, { amount: 2500, reason: 'Partly unsolved' }, withKey());
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));

    // March: an expert ticket nobody answers (its SLA breaches), a community and an AI ticket.
    const customer = await createUser(ctx);
    ctx.clock.set('2026-03-03T10:00:00Z');
    await open(customer, 'expert', 'Nobody answers');
    await open(customer, 'community', 'How do I theme it?');
    await open(customer, 'ai', 'Which versions are supported?');
    ctx.clock.set('2026-03-03T11:00:00Z');
    await ctx.jobs.drain();

    // AI answers in March: one helpful, one declined (a gap in the docs).
    const answer = (question: string, declined: boolean, helpful: boolean | null) => ({
      id: newId(ctx.clock.now().getTime()), repo_id: repo.id, user_id: null, question, answer: declined ? '' : 'Use retry().', mode: 'extractive' as const,
      confidence: declined ? 0.1 : 0.9, declined, citations: JSON.stringify([]), latency_ms: 5, helpful, feedback_at: null, created_at: new Date('2026-03-04T08:00:00Z'),
    });
    await ctx.db.insertInto('knowledge_answers').values([answer('How do retries work?', false, true), answer('Does it support Kafka?', true, null)]).execute();
    ctx.clock.set('2026-04-15T12:00:00Z');
  });
  after(() => ctx.close());

  test('a period: tickets by source and type, money from the ledger, times, SLA, satisfaction, AI, helpers, and the previous period', async () => {
    const response = await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/stats?${MARCH}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const report = response.body;
    assert.deepEqual(report.period, { from: '2026-03-01', to: '2026-04-01', days: 31, interval: 'day' });
    assert.deepEqual(report.previousPeriod, { from: '2026-01-29', to: '2026-03-01' });
    assert.equal(report.currency, 'EUR');
    assert.deepEqual(report.currencies, ['EUR', 'USD'], "the repository's own currency is listed though nothing was paid in it");

    const current = report.current;
    assert.deepEqual(current.tickets, { opened: 4, resolved: 1, bySource: { ai: 1, community: 1, expert: 2 }, byType: { ticket: 4, session: 0, plan: 0, consulting: 0 } });
    assert.deepEqual(current.money, {
      releases: 1,
      reversals: 1,
      value: 9999 - 2500,
      commission: SPLIT.commission - REFUND.commission,
      platformFee: SPLIT.platformFee - REFUND.platformFee,
      processorFee: SPLIT.processorFee - REFUND.processorFee,
      helperEarnings: SPLIT.helper - REFUND.helper,
      valueByType: { ticket: 9999 - 2500, session: 0, plan: 0, consulting: 0 },
    });
    assert.deepEqual(current.firstResponse, { tickets: 1, medianSeconds: 600, p90Seconds: 600 });
    assert.deepEqual(current.resolution, { tickets: 1, medianSeconds: 7200, p90Seconds: 7200 });
    assert.deepEqual(current.sla, { met: 1, breached: 1, compliance: 0.5 });
    assert.deepEqual(current.satisfaction, { rated: 1, average: 5 });
    assert.deepEqual(current.ai, { questions: 2, answered: 1, declined: 1, helpful: 1, unhelpful: 0, deflectionRate: 0.5 });
    assert.equal(current.activeHelpers, 1);
    assert.equal(report.approvedHelpers, 1);
    assert.deepEqual(report.helpers, [{ id: helper.id, name: 'Ada Helper', tickets: 1, resolved: 1, minutes: 90, earnings: SPLIT.helper - REFUND.helper, rated: 1, rating: 5 }]);
    assert.deepEqual(report.unanswered.map((row: { question: string }) => row.question), ['Does it support Kafka?']);

    // The money agrees with the repository's revenue statement for the same days.
    const statement = (await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/statements?from=2026-03-01&to=2026-04-01&currency=EUR`)).body;
    assert.equal(statement.totals.gross, current.money.value);
    assert.equal(statement.totals.commission, current.money.commission);
    assert.equal(statement.totals.platformFee, current.money.platformFee);
    assert.equal(statement.totals.processorFee, current.money.processorFee);

    const previous = report.previous;
    assert.deepEqual(previous.tickets.bySource, { ai: 0, community: 0, expert: 1 });
    assert.equal(previous.money.value, 5000);
    assert.equal(previous.money.commission, FEBRUARY.commission);
    assert.deepEqual(previous.firstResponse, { tickets: 1, medianSeconds: 300, p90Seconds: 300 });
    assert.deepEqual(previous.sla, { met: 1, breached: 0, compliance: 1 });

    // The series: one point a day, gaps filled, the ticket and its value on the days they happened.
    assert.equal(report.series.length, 31);
    const day = (start: string) => report.series.find((point: { start: string }) => point.start === start);
    assert.deepEqual(day('2026-03-02'), { start: '2026-03-02', tickets: 1, resolved: 1, value: 9999 });
    assert.deepEqual(day('2026-03-03'), { start: '2026-03-03', tickets: 3, resolved: 0, value: 0 });
    assert.deepEqual(day('2026-03-05'), { start: '2026-03-05', tickets: 0, resolved: 0, value: -2500 });
    assert.equal(report.series.reduce((sum: number, point: { tickets: number }) => sum + point.tickets, 0), current.tickets.opened);
  });

  test('weeks and months: the series steps by the interval, the first point clamped to `from`', async () => {
    const weekly = (await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/stats?from=2026-02-01&to=2026-04-01&currency=EUR&interval=week`)).body;
    assert.equal(weekly.series[0].start, '2026-02-01', 'a Sunday: the first week is cut at from');
    assert.equal(weekly.series[1].start, '2026-02-02', 'then Mondays');
    assert.equal(weekly.series.at(-1).start, '2026-03-30');
    const week = (start: string) => weekly.series.find((point: { start: string }) => point.start === start);
    assert.deepEqual(week('2026-03-02'), { start: '2026-03-02', tickets: 4, resolved: 1, value: 9999 - 2500 });
    assert.deepEqual(week('2026-02-09'), { start: '2026-02-09', tickets: 1, resolved: 1, value: 5000 });

    const yearly = (await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/stats?from=2026-01-01&to=2027-01-01&currency=EUR`)).body;
    assert.equal(yearly.period.interval, 'week', 'a year is drawn in weeks by default');
    const monthly = (await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/stats?from=2026-01-01&to=2027-01-01&currency=EUR&interval=month`)).body;
    assert.deepEqual(monthly.series.map((point: { start: string }) => point.start.slice(5)), ['01-01', '02-01', '03-01', '04-01', '05-01', '06-01', '07-01', '08-01', '09-01', '10-01', '11-01', '12-01']);
    assert.deepEqual(monthly.series.slice(1, 3).map((point: { tickets: number; value: number }) => [point.tickets, point.value]), [[1, 5000], [4, 9999 - 2500]]);
    assert.equal(monthly.current.tickets.opened, 5);
    assert.deepEqual(monthly.previousPeriod, { from: '2025-01-01', to: '2026-01-01' });
    assert.equal(monthly.previous.tickets.opened, 0);
  });

  test('the API, the CSV and the PDF carry the same figures', async () => {
    const url = `/api/v1/repos/${repo.fullName}/stats?${MARCH}`;
    const report = (await repo.maintainer.api.get(url)).body;
    const csv = await repo.maintainer.api.get(`${url}&format=csv`);
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const rows: Record<string, string>[] = parse(csv.body, { columns: true });
    const cell = (section: string, metric: string, item = '') => rows.find((row) => row.section === section && row.metric === metric && row.item === item);
    assert.deepEqual(cell('money', 'value'), { section: 'money', item: '', metric: 'value', current: toDecimal(report.current.money.value, 'EUR'), previous: '50.00' });
    assert.equal(cell('money', 'commission')?.current, toDecimal(report.current.money.commission, 'EUR'));
    assert.equal(cell('tickets_by_source', 'expert')?.current, '2');
    assert.equal(cell('first_response', 'median_seconds')?.current, '600');
    assert.equal(cell('sla', 'compliance')?.current, '0.5');
    assert.equal(cell('helper', 'earnings', `Ada Helper (${helper.id})`)?.current, toDecimal(SPLIT.helper - REFUND.helper, 'EUR'));
    assert.equal(cell('series', 'value', '2026-03-05')?.current, '-25.00');
    assert.equal(cell('unanswered', 'count', 'Does it support Kafka?')?.current, '1');

    const pdf = await ctx.app.inject({ method: 'GET', url: `${url}&format=pdf`, headers: { authorization: `Bearer ${repo.maintainer.token}` } });
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), { mergePages: true });
    assert.match(text, /Support report/);
    assert.ok(text.includes(repo.fullName));
    for (const figure of [toDecimal(report.current.money.value, 'EUR'), toDecimal(report.current.money.commission, 'EUR'), 'Ada Helper', 'Does it support Kafka?']) {
      assert.ok(text.includes(figure), `the PDF shows ${figure}`);
    }
  });

  test('maintainers and operators only: 404 for helpers and strangers, 401 without a session', async () => {
    const url = `/api/v1/repos/${repo.fullName}/stats?${MARCH}`;
    assert.equal((await operator.api.get(url)).status, 200);
    for (const outsider of [helper, await createUser(ctx)]) {
      const refused = await outsider.api.get(url);
      assert.equal(refused.status, 404);
      assert.equal(refused.body.error.code, 'not_found');
    }
    assert.equal((await client(ctx).get(url)).status, 401);
    assert.equal((await repo.maintainer.api.get('/api/v1/repos/nobody/nothing/stats')).status, 404);
  });

  test('the sums the triggers kept row by row equal a rebuild from the tickets, the time entries and the ledger', async () => {
    const snapshot = async () => {
      const { rows } = await sql<{ rollup: string; row: string }>`
        SELECT 'daily' AS rollup, row(day, source, type, opened, resolved, rated, rating_sum, sla_met, sla_breached)::text AS row FROM stats_daily WHERE repo_id = ${repo.id} AND (opened, resolved, rated, sla_met, sla_breached) <> (0, 0, 0, 0, 0)
        UNION ALL SELECT 'helper', row(day, helper_id, tickets, resolved, rated, rating_sum, minutes)::text FROM stats_helper_daily WHERE repo_id = ${repo.id} AND (tickets, resolved, rated, minutes) <> (0, 0, 0, 0)
        UNION ALL SELECT 'latency', row(day, metric, bucket, tickets)::text FROM stats_latency_daily WHERE repo_id = ${repo.id} AND tickets <> 0
        UNION ALL SELECT 'money', row(day, currency, type, releases, reversals, gross, commission, platform_fee, processor_fee, helpers)::text FROM stats_money_daily WHERE repo_id = ${repo.id}
        UNION ALL SELECT 'helper_money', row(day, helper_id, currency, earnings)::text FROM stats_helper_money_daily WHERE repo_id = ${repo.id}
        ORDER BY 1, 2`.execute(ctx.db);
      return rows;
    };
    const kept = await snapshot();
    assert.deepEqual(new Set(kept.map((row) => row.rollup)), new Set(['daily', 'helper', 'latency', 'money', 'helper_money']));
    await ctx.db.transaction().execute((trx) => sql`SELECT stats_rebuild(${repo.id}::uuid)`.execute(trx));
    assert.deepEqual(await snapshot(), kept);
  });

  test('tickets that arrive already assigned, answered and resolved (an import) count for their helper and latencies at once, as a rebuild would', async () => {
    const imported = await createRepo(ctx);
    const customer = await createUser(ctx);
    const at = new Date('2026-03-10T09:00:00Z');
    const opening = (index: number, done: boolean) => {
      const id = newId(at.getTime() + index);
      const answered = new Date(at.getTime() + (index + 1) * 600_000);
      const resolved = new Date(at.getTime() + (index + 1) * 7_200_000);
      return {
        values: {
          id, repo_id: imported.id, requester_id: customer.id, title: `Imported ${index}`, body: 'b', body_html: '<p>b</p>', track: 'expert' as const, priority: 'normal' as const, channel: 'api' as const,
          status: done ? ('resolved' as const) : ('open' as const), assignee_id: done ? helper.id : null, first_response_at: done ? answered : null, resolved_at: done ? resolved : null,
          rating_score: done ? 4 : null, rated_at: done ? resolved : null, created_at: at, updated_at: at,
        },
        event: { ticketId: id, actorId: customer.id, type: 'created', at },
        jobs: [],
        also: [],
        shows: {},
      };
    };
    // One statement: a plain new ticket beside two finished ones, as a batch would mix them.
    await openTickets(ctx.db, [opening(0, false), opening(1, true), opening(2, true)]);
    const sums = async () => {
      const { rows } = await sql<{ row: string }>`
        SELECT row('helper', day, helper_id, tickets, resolved, rated, rating_sum)::text AS row FROM stats_helper_daily WHERE repo_id = ${imported.id} AND tickets <> 0
        UNION ALL SELECT row('latency', day, metric, bucket, tickets)::text FROM stats_latency_daily WHERE repo_id = ${imported.id} AND tickets <> 0
        UNION ALL SELECT row('daily', day, opened, resolved, rated, rating_sum)::text FROM stats_daily WHERE repo_id = ${imported.id} AND opened <> 0
        ORDER BY 1`.execute(ctx.db);
      return rows.map((row) => row.row);
    };
    const kept = await sums();
    assert.deepEqual(kept.filter((row) => row.startsWith('(helper')), [`(helper,2026-03-10,${helper.id},2,2,2,8)`]);
    assert.equal(kept.filter((row) => row.startsWith('(latency')).length > 0, true, 'the two answered and resolved tickets are in the latency buckets');
    assert.deepEqual(kept.filter((row) => row.startsWith('(daily')), ['(daily,2026-03-10,3,2,2,8)']);
    await ctx.db.transaction().execute((trx) => sql`SELECT stats_rebuild(${imported.id}::uuid)`.execute(trx));
    assert.deepEqual(await sums(), kept);
  });

  test('bad periods are 400s that say what was wrong', async () => {
    const stats = (query: string) => repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/stats?${query}`);
    const cases: [string, string, string][] = [
      ['from=2026-04-01&to=2026-03-01', 'bad_period', 'querystring.to'],
      ['from=2026-03-01&to=2026-03-01', 'bad_period', 'querystring.to'],
      ['from=2020-01-01&to=2025-01-02', 'bad_period', 'querystring.to'],
      ['from=2026-02-30&to=2026-03-01', 'validation_failed', 'querystring.from'],
      ['from=yesterday', 'validation_failed', 'querystring.from'],
      ['from=2026-03-01T00:00:00Z&to=2026-04-01', 'validation_failed', 'querystring.from'],
      ['to=2026-13-01', 'validation_failed', 'querystring.to'],
      ['interval=hour', 'validation_failed', 'querystring.interval'],
      ['currency=eur', 'validation_failed', 'querystring.currency'],
    ];
    for (const [query, code, path] of cases) {
      const response = await stats(query);
      assert.equal(response.status, 400, query);
      assert.equal(response.body.error.code, code, query);
      assert.equal(response.body.error.details[0].path, path, query);
    }
    assert.equal((await stats('from=2021-01-01&to=2026-01-01')).status, 200, 'exactly five years');
  });
});
