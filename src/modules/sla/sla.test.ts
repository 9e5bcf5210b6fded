import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { approvedHelper, businessHoursPolicy, OFFICE_WEEK, openTicket, sentSince } from '../../../test/helpers/support.ts';
import { MINUTE } from '../../lib/clock.ts';
import { queueQuery, queueStart } from '../tickets/tickets.repository.ts';
import { SLA_CHECK_JOB } from './sla.jobs.ts';

const URGENT = { urgent: { firstResponse: 120, nextResponse: 60, resolution: 960 } };

describe('SLA policies and clocks', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  test('calendars: working hours are required, overlaps and bad zones or dates are 400s, names are unique, anyone sees them', async () => {
    const repo = await createRepo(ctx);
    const url = `/api/v1/repos/${repo.fullName}/calendars`;
    const api = repo.maintainer.api;
    const bad = async (body: Record<string, unknown>, path: string) => {
      const response = await api.post(url, { name: 'x', timeZone: 'Europe/Paris', weeklyHours: OFFICE_WEEK, ...body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.ok(response.body.error.details.some((detail: { path: string }) => detail.path.startsWith(path)), JSON.stringify(response.body));
    };
    await bad({ weeklyHours: {} }, 'body.weeklyHours');
    await bad({ weeklyHours: { monday: [] } }, 'body.weeklyHours');
    await bad({ weeklyHours: { monday: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }] } }, 'body.weeklyHours.monday.1');
    await bad({ weeklyHours: { monday: [{ start: '12:00', end: '09:00' }] } }, 'body.weeklyHours.monday.0');
    await bad({ weeklyHours: { funday: [{ start: '09:00', end: '12:00' }] } }, 'body.weeklyHours');
    await bad({ timeZone: '+01:00' }, 'body.timeZone');
    await bad({ holidays: ['2026-02-30'] }, 'body.holidays.0');

    const created = await api.post(url, { name: 'Paris office', timeZone: 'europe/paris', weeklyHours: { friday: [{ start: '13:00', end: '17:00' }, { start: '09:00', end: '12:00' }] }, holidays: ['2026-12-25', '2026-01-01', '2026-12-25'] });
    assert.equal(created.status, 201);
    assert.equal(created.body.timeZone, 'Europe/Paris');
    assert.deepEqual(created.body.weeklyHours.friday, [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]);
    assert.deepEqual(created.body.weeklyHours.monday, []);
    assert.deepEqual(created.body.holidays, ['2026-01-01', '2026-12-25']);
    assert.equal((await api.post(url, { name: 'PARIS OFFICE', timeZone: 'UTC', weeklyHours: OFFICE_WEEK })).status, 409);
    const listed = await client(ctx).get(url);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.items.map((item: { id: string }) => item.id), [created.body.id]);
  });

  test('policies: at least one target, a calendar of the same repository, minutes in range; the default applies to new expert tickets only', async () => {
    const repo = await createRepo(ctx);
    const other = await createRepo(ctx);
    const api = repo.maintainer.api;
    const url = `/api/v1/repos/${repo.fullName}/sla-policies`;
    for (const targets of [{}, { urgent: {} }, { normal: {}, low: {} }]) {
      const response = await api.post(url, { name: 'Empty', targets });
      assert.equal(response.status, 400, JSON.stringify(targets));
      assert.equal(response.body.error.details[0].path, 'body.targets');
    }
    assert.equal((await api.post(url, { name: 'Zero', targets: { urgent: { firstResponse: 0 } } })).status, 400);
    assert.equal((await api.post(url, { name: 'Typo', targets: { urgent: { firstRespons: 10 } } })).status, 400);
    const foreign = await other.maintainer.api.post(`/api/v1/repos/${other.fullName}/calendars`, { name: 'Theirs', timeZone: 'UTC', weeklyHours: OFFICE_WEEK });
    const stolen = await api.post(url, { name: 'Stolen', calendarId: foreign.body.id, targets: { urgent: { firstResponse: 60 } } });
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.error.details[0].path, 'body.calendarId');
    const tiny = await api.post(`/api/v1/repos/${repo.fullName}/calendars`, { name: 'Tiny', timeZone: 'UTC', weeklyHours: { monday: [{ start: '09:00', end: '09:01' }] } });
    assert.equal((await api.post(url, { name: 'Forever', calendarId: tiny.body.id, targets: { low: { resolution: 100_000 } } })).status, 400, 'a target a calendar cannot reach in 50 years');

    const always = await api.post(url, { name: '24/7', targets: { urgent: { firstResponse: 30 }, low: { resolution: 2880 } } });
    assert.equal(always.status, 201);
    assert.equal(always.body.measuredIn, 'around_the_clock');
    assert.deepEqual(always.body.targets.urgent, { firstResponse: 30, nextResponse: null, resolution: null });
    assert.equal(always.body.isDefault, false);
    assert.equal((await api.put(`${url}/default`, { policyId: '00000000-0000-4000-8000-000000000000' })).status, 400, 'not a policy of this repository');

    const customer = await createUser(ctx);
    const before = await openTicket(customer, repo, { priority: 'urgent' });
    assert.equal(before.sla, null, 'no default policy yet');
    assert.equal((await api.put(`${url}/default`, { policyId: always.body.id })).status, 200);
    assert.equal((await client(ctx).get(url)).body.items[0].isDefault, true);
    const after = await openTicket(customer, repo, { priority: 'urgent' });
    assert.equal(after.sla.policyId, always.body.id);
    assert.equal(after.sla.source, 'repo_default');
    assert.equal(after.sla.firstResponseDueAt, new Date(ctx.clock.now().getTime() + 30 * MINUTE).toISOString());
    assert.equal((await customer.api.get(`/api/v1/tickets/${before.id}`)).body.sla, null, 'tickets already open keep what they had');
    assert.equal((await openTicket(customer, repo, { priority: 'urgent', track: 'community' })).sla, null, 'community tickets have no SLA');
    assert.equal((await api.put(`${url}/default`, { policyId: null })).status, 200);
    assert.equal((await openTicket(customer, repo)).sla, null);
  });

  test('due dates run in business hours across the March change in Paris, and skip holidays', async () => {
    const repo = await createRepo(ctx);
    await businessHoursPolicy(repo, URGENT, ['2026-04-06']);
    const customer = await createUser(ctx);
    // Friday 27 March 2026, 16:00 in Paris (CET): Monday 30 March is already on summer time (CEST).
    ctx.clock.set('2026-03-27T15:00:00Z');
    const ticket = await openTicket(customer, repo, { priority: 'urgent' });
    // 120 minutes: 60 on Friday, 60 from Monday 09:00 CEST (07:00Z).
    assert.equal(ticket.sla.firstResponseDueAt, '2026-03-30T08:00:00.000Z');
    // 960 minutes: 60 on Friday, 480 on Monday, 420 on Tuesday to 16:00 CEST.
    assert.equal(ticket.sla.resolutionDueAt, '2026-03-31T14:00:00.000Z');
    assert.equal(ticket.sla.nextResponseDueAt, null);
    assert.deepEqual(ticket.sla.breached, []);
    // Thursday 2 April 16:00 CEST: Good Friday is a working day, Easter Monday (6 April) a holiday.
    ctx.clock.set('2026-04-02T14:00:00Z');
    const beforeEaster = await openTicket(customer, repo, { priority: 'urgent' });
    assert.equal(beforeEaster.sla.firstResponseDueAt, '2026-04-03T08:00:00.000Z');
    assert.equal(beforeEaster.sla.resolutionDueAt, '2026-04-07T14:00:00.000Z');
  });

  test('waiting on the customer pauses the clock; their reply resumes it with due times moved by the paused business time', async () => {
    const repo = await createRepo(ctx);
    await businessHoursPolicy(repo, URGENT);
    const helper = await approvedHelper(ctx, repo);
    const customer = await createUser(ctx);
    ctx.clock.set('2026-01-05T09:00:00Z'); // Monday 10:00 in Paris
    const ticket = await openTicket(customer, repo, { priority: 'urgent' });
    const url = `/api/v1/tickets/${ticket.id}`;
    assert.equal(ticket.sla.firstResponseDueAt, '2026-01-05T11:00:00.000Z');
    assert.equal(ticket.sla.resolutionDueAt, '2026-01-07T09:00:00.000Z');
    await helper.api.post(`${url}/claim`);
    ctx.clock.set('2026-01-05T09:20:00Z');
    await helper.api.post(`${url}/messages`, { body: 'An internal thought', internal: true });
    assert.equal((await helper.api.get(url)).body.firstResponseAt, null, 'an internal note is no response');
    ctx.clock.set('2026-01-05T09:30:00Z');
    assert.equal((await customer.api.post(`${url}/messages`, { body: 'Any news?' })).status, 201);
    assert.equal((await helper.api.get(url)).body.sla.nextResponseDueAt, null, 'before the first response, a customer message starts no next-response clock');
    await helper.api.post(`${url}/messages`, { body: 'Which version do you run?' });
    const waiting = await helper.api.post(`${url}/status`, { status: 'waiting_on_customer' });
    assert.equal(waiting.body.sla.pausedAt, '2026-01-05T09:30:00.000Z');

    // Tuesday 11:00 in Paris: paused for 8.5 business hours (Monday 10:30-17:00, Tuesday 09:00-11:00).
    ctx.clock.set('2026-01-06T10:00:00Z');
    await customer.api.post(`${url}/messages`, { body: 'Version 7.2.1' });
    const resumed = (await customer.api.get(url)).body;
    assert.equal(resumed.status, 'in_progress');
    assert.equal(resumed.sla.pausedAt, null);
    // Wednesday 10:00 CET + 8.5 business hours = Thursday 10:30 CET.
    assert.equal(resumed.sla.resolutionDueAt, '2026-01-08T09:30:00.000Z');
    assert.equal(resumed.sla.nextResponseDueAt, '2026-01-06T11:00:00.000Z', 'one business hour after the customer wrote');
    assert.equal(resumed.sla.firstResponseDueAt, '2026-01-05T11:00:00.000Z', 'a met target does not move');

    ctx.clock.set('2026-01-06T10:30:00Z');
    await helper.api.post(`${url}/messages`, { body: 'Try 7.3.' });
    assert.equal((await helper.api.get(url)).body.sla.nextResponseDueAt, null, 'answered');
    await helper.api.post(`${url}/resolve`, { summary: 'Upgrade to 7.3' });
    ctx.clock.set('2026-01-06T12:30:00Z');
    // Reopened two business hours later: the resolution due time moves by those two hours.
    await customer.api.post(`${url}/reopen`, { reason: 'still broken' });
    assert.equal((await customer.api.get(url)).body.sla.resolutionDueAt, '2026-01-08T11:30:00.000Z');
    const row = await ctx.db.selectFrom('ticket_sla').select(['next_due_at', 'resolution_met_at']).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.equal(row.resolution_met_at, null);
    assert.equal(row.next_due_at?.toISOString(), '2026-01-08T11:30:00.000Z');
    await customer.api.post(`${url}/cancel`);
    const stopped = await ctx.db.selectFrom('ticket_sla').select(['stopped_at', 'next_due_at']).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.ok(stopped.stopped_at && stopped.next_due_at === null, 'a cancelled ticket runs no clock');
  });

  test('a warning at 80% to the assignee and maintainers, an escalation at the breach to every helper, the maintainers and the customer; each once', async () => {
    const repo = await createRepo(ctx);
    await businessHoursPolicy(repo, URGENT);
    const [helper, otherHelper] = [await approvedHelper(ctx, repo), await approvedHelper(ctx, repo)];
    const customer = await createUser(ctx);
    ctx.clock.set('2026-01-12T09:00:00Z'); // Monday 10:00 in Paris; first response due 12:00 (11:00Z)
    const ticket = await openTicket(customer, repo, { priority: 'urgent' });
    await helper.api.post(`/api/v1/tickets/${ticket.id}/claim`);
    await ctx.jobs.drain();
    const start = ctx.sent.length;

    // 80% of 120 business minutes is 96: 11:36 in Paris.
    ctx.clock.set('2026-01-12T10:35:00Z');
    await ctx.jobs.drain();
    assert.deepEqual(sentSince(ctx, start, 'SLA warning'), []);
    ctx.clock.set('2026-01-12T10:36:00Z');
    await ctx.jobs.drain();
    assert.deepEqual(sentSince(ctx, start, 'SLA warning').map((email) => email.to).sort(), [helper.email, repo.maintainer.email].sort());

    ctx.clock.set('2026-01-12T11:00:00Z');
    await ctx.jobs.drain();
    assert.deepEqual(sentSince(ctx, start, 'SLA breached').map((email) => email.to).sort(), [helper.email, otherHelper.email, repo.maintainer.email].sort());
    assert.deepEqual(sentSince(ctx, start, 'We missed').map((email) => email.to), [customer.email]);
    assert.deepEqual((await customer.api.get(`/api/v1/tickets/${ticket.id}`)).body.sla.breached, ['firstResponse']);

    // A restart: the worker died after the jobs' work committed but before marking them done, so they run again.
    const sentBefore = ctx.sent.length;
    await ctx.db.updateTable('jobs').set({ completed_at: null }).where('queue', '=', SLA_CHECK_JOB).where('completed_at', 'is not', null).execute();
    await ctx.jobs.drain();
    assert.equal(ctx.sent.length, sentBefore, 'nothing is sent twice');
    assert.deepEqual((await customer.api.get(`/api/v1/tickets/${ticket.id}`)).body.sla.breached, ['firstResponse']);
  });

  test('a target met in time, or moved by a pause, makes its jobs do nothing', async () => {
    const repo = await createRepo(ctx);
    await businessHoursPolicy(repo, URGENT);
    const helper = await approvedHelper(ctx, repo);
    const customer = await createUser(ctx);
    ctx.clock.set('2026-01-19T09:00:00Z');
    const answered = await openTicket(customer, repo, { priority: 'urgent' });
    const paused = await openTicket(customer, repo, { priority: 'urgent' });
    for (const ticket of [answered, paused]) await helper.api.post(`/api/v1/tickets/${ticket.id}/claim`);
    ctx.clock.set('2026-01-19T09:30:00Z');
    await helper.api.post(`/api/v1/tickets/${answered.id}/messages`, { body: 'On it.' });
    await helper.api.post(`/api/v1/tickets/${paused.id}/status`, { status: 'waiting_on_customer' });
    await ctx.jobs.drain();
    const start = ctx.sent.length;
    // Past both first-response due times and a resolution warning point: nothing is due any more.
    ctx.clock.set('2026-01-19T12:00:00Z');
    await ctx.jobs.drain();
    assert.deepEqual(sentSince(ctx, start, 'SLA'), []);
    assert.deepEqual((await helper.api.get(`/api/v1/tickets/${paused.id}`)).body.sla.breached, []);
    // The paused ticket's first response moves when the customer answers, with fresh jobs at the new time.
    await customer.api.post(`/api/v1/tickets/${paused.id}/messages`, { body: 'Here are the logs.' });
    const moved = (await helper.api.get(`/api/v1/tickets/${paused.id}`)).body.sla.firstResponseDueAt;
    assert.equal(moved, '2026-01-19T13:30:00.000Z', 'due 11:00Z, paused at 09:30Z for 2.5 business hours');
    // Every change schedules its checks again; the singleton keys keep one job per target, kind and due time.
    await customer.api.post(`/api/v1/tickets/${paused.id}/messages`, { body: 'And the config.' });
    const breachJobs = await ctx.db
      .selectFrom('jobs')
      .select(sql<string>`payload->>'dueAt'`.as('dueAt'))
      .where('queue', '=', SLA_CHECK_JOB)
      .where(sql<boolean>`payload->>'ticketId' = ${paused.id} AND payload->>'target' = 'firstResponse' AND payload->>'kind' = 'breach'`)
      .orderBy('run_at')
      .execute();
    assert.deepEqual(breachJobs.map((job) => job.dueAt), ['2026-01-19T11:00:00.000Z', '2026-01-19T13:30:00.000Z']);
    ctx.clock.set(moved);
    await ctx.jobs.drain();
    assert.deepEqual(sentSince(ctx, start, 'SLA breached').map((email) => email.to).sort(), [helper.email, repo.maintainer.email].sort());
  });

  test('tickets with a running SLA clock come first in helper queues, soonest due first, across pages', async () => {
    const withSla = await createRepo(ctx);
    const without = await createRepo(ctx);
    await businessHoursPolicy(withSla, { urgent: { firstResponse: 60 }, normal: { firstResponse: 480 }, high: { resolution: 240 } });
    const helper = await approvedHelper(ctx, withSla);
    await approvedHelper(ctx, without, helper);
    const customer = await createUser(ctx);
    ctx.clock.set('2026-01-26T09:00:00Z');
    const opened: Record<string, string> = {};
    for (const [name, repo, priority] of [
      ['plain-urgent', without, 'urgent'],
      ['sla-normal', withSla, 'normal'],
      ['sla-low-no-target', withSla, 'low'],
      ['sla-urgent', withSla, 'urgent'],
      ['plain-high', without, 'high'],
      ['sla-high-mine', withSla, 'high'],
    ] as const) {
      ctx.clock.advance(MINUTE);
      opened[name] = (await openTicket(customer, repo, { title: name, priority })).id;
    }
    await helper.api.post(`/api/v1/tickets/${opened['sla-high-mine']}/claim`);
    const titles: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await helper.api.get(`/api/v1/helpers/me/queue?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      titles.push(...page.body.items.map((ticket: { title: string }) => ticket.title));
      cursor = page.body.nextCursor;
    } while (cursor);
    // Due: sla-urgent 11:04 CET, sla-high-mine 14:06, sla-normal Tuesday 10:02; then by priority.
    assert.deepEqual(titles, ['sla-urgent', 'sla-high-mine', 'sla-normal', 'plain-urgent', 'plain-high', 'sla-low-no-target']);

    await ctx.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const plan = await queueQuery(trx, { userId: helper.id, helperOf: ctx.services.helpers.approvedRepoIdsQuery(helper.id), ...queueStart(undefined), fetch: 26 }).explain();
      const text = plan.map((row) => Object.values(row).join(' ')).join('\n');
      assert.match(text, /ticket_sla_queue_idx/);
      assert.doesNotMatch(text, /Seq Scan on (tickets|ticket_sla)/);
    });
  });

  test('the sweep: business minutes left on the most urgent target of every running clock', async () => {
    const repo = await createRepo(ctx);
    await businessHoursPolicy(repo, { urgent: { firstResponse: 120, resolution: 960 }, low: { resolution: 600 } });
    const customer = await createUser(ctx);
    ctx.clock.set('2026-02-02T14:30:00Z'); // Monday 15:30 in Paris
    const urgent = await openTicket(customer, repo, { priority: 'urgent' });
    const low = await openTicket(customer, repo, { priority: 'low' });
    // Monday 18:00 in Paris: 90 business minutes used, none since 17:00.
    ctx.clock.set('2026-02-02T17:00:00Z');
    const swept = new Map((await ctx.deps.db.transaction().execute((trx) => ctx.services.sla.timeLeft(trx))).map((row) => [row.ticketId, row]));
    assert.deepEqual({ ...swept.get(urgent.id), dueAt: undefined }, { ticketId: urgent.id, target: 'firstResponse', dueAt: undefined, businessMinutesLeft: 30 });
    assert.equal(swept.get(low.id)?.target, 'resolution');
    assert.equal(swept.get(low.id)?.businessMinutesLeft, 510);
    const byPages = await ctx.services.sla.timeLeft(ctx.db, 1);
    assert.deepEqual(byPages, await ctx.services.sla.timeLeft(), 'pages of one row read the same clocks');
    assert.equal(new Set(byPages.map((row) => row.ticketId)).size, byPages.length, 'each clock once');
    ctx.clock.set('2026-02-03T09:00:00Z'); // Tuesday 10:00: the first response is 30 business minutes late
    assert.equal((await ctx.services.sla.timeLeft()).find((row) => row.ticketId === urgent.id)?.businessMinutesLeft, -30);
  });
});
