import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { approvedHelper, openTicket, sentSince, type Repo } from '../../../test/helpers/support.ts';
import { HOUR, MINUTE } from '../../lib/clock.ts';

const MORNINGS = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => [day, [{ start: '09:00', end: '12:00' }]]));

describe('scheduling', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  /** A helper in Paris with weekday mornings, a 15-minute buffer, and a customer in New York. */
  async function world(availability: Record<string, unknown> = {}) {
    const repo = await createRepo(ctx);
    const helper = await approvedHelper(ctx, repo);
    const published = await helper.api.put('/api/v1/helpers/me/availability', { timeZone: 'Europe/Paris', weeklyHours: MORNINGS, bufferMinutes: 15, ...availability });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    const customer = await createUser(ctx);
    return { repo, helper, customer };
  }

  const book = (customer: TestUser, helper: TestUser, start: string, fields: Record<string, unknown> = {}) =>
    customer.api.post('/api/v1/bookings', { helperId: helper.id, start, minutes: 60, tz: 'America/New_York', ...fields });

  test('availability: only approved helpers publish it; overlaps, duplicate dates and empty exceptions are 400s', async () => {
    ctx.clock.set('2026-03-02T08:00:00Z');
    const repo: Repo = await createRepo(ctx);
    const stranger = await createUser(ctx);
    assert.equal((await stranger.api.put('/api/v1/helpers/me/availability', { timeZone: 'UTC', weeklyHours: MORNINGS })).status, 403);
    assert.equal((await client(ctx).get('/api/v1/helpers/me/availability')).status, 401);
    const helper = await approvedHelper(ctx, repo);
    const unpublished = await helper.api.get('/api/v1/helpers/me/availability');
    assert.equal(unpublished.status, 200);
    assert.equal(unpublished.body.updatedAt, null);
    assert.equal(unpublished.body.timeZone, 'UTC', 'the profile time zone until one is chosen');
    const refused = async (body: Record<string, unknown>, path: string) => {
      const response = await helper.api.put('/api/v1/helpers/me/availability', { timeZone: 'Europe/Paris', weeklyHours: MORNINGS, ...body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.ok(response.body.error.details.some((detail: { path: string }) => detail.path === path), JSON.stringify(response.body.error.details));
    };
    await refused({ weeklyHours: { tuesday: [{ start: '09:00', end: '12:00' }, { start: '14:00', end: '18:00' }, { start: '11:30', end: '13:00' }] } }, 'body.weeklyHours.tuesday.2');
    await refused({ exceptions: [{ date: '2026-03-10', intervals: [{ start: '14:00', end: '16:00' }, { start: '15:00', end: '17:00' }] }] }, 'body.exceptions.0.intervals.1');
    await refused({ exceptions: [{ date: '2026-03-10', off: true }, { date: '2026-03-10', off: true }] }, 'body.exceptions.1.date');
    await refused({ exceptions: [{ date: '2026-03-10' }] }, 'body.exceptions.0.intervals');
    await refused({ timeZone: 'Mars/Base' }, 'body.timeZone');
    await refused({ bufferMinutes: 241 }, 'body.bufferMinutes');
    const saved = await helper.api.put('/api/v1/helpers/me/availability', {
      timeZone: 'Europe/Paris',
      weeklyHours: MORNINGS,
      exceptions: [{ date: '2026-03-13', off: true }, { date: '2026-03-07', intervals: [{ start: '10:00', end: '11:00' }] }],
      bufferMinutes: 10,
    });
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.body.exceptions.map((item: { date: string }) => item.date), ['2026-03-07', '2026-03-13']);
    assert.deepEqual(saved.body.weeklyHours.saturday, []);
    assert.deepEqual((await helper.api.get('/api/v1/helpers/me/availability')).body, saved.body);

    // Friday 13 March is off; Saturday 7 March has an extra hour (10:00-11:00 CET is 09:00-10:00Z).
    const customer = await createUser(ctx);
    const slots = await customer.api.get(`/api/v1/helpers/${helper.id}/slots?from=2026-03-07T00:00:00Z&to=2026-03-14T00:00:00Z&minutes=60&tz=UTC`);
    const days = [...new Set(slots.body.items.map((slot: { startUtc: string }) => slot.startUtc.slice(0, 10)))];
    assert.deepEqual(days, ['2026-03-07', '2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12']);
    assert.deepEqual(slots.body.items.filter((slot: { startUtc: string }) => slot.startUtc.startsWith('2026-03-07')).map((slot: { startUtc: string }) => slot.startUtc), ['2026-03-07T09:00:00.000Z']);
  });

  test("slots: in the customer's zone and in UTC, right on both sides of both daylight-saving changes, never in the past", async () => {
    const { helper, customer } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const url = (query: string) => `/api/v1/helpers/${helper.id}/slots?${query}`;
    const response = await customer.api.get(url('from=2026-03-05T00:00:00Z&to=2026-04-01T00:00:00Z&minutes=60&tz=America/New_York'));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.timeZone, 'America/New_York');
    const firstOf = (day: string) => response.body.items.find((slot: { startUtc: string }) => slot.startUtc.startsWith(day));
    // Paris 09:00 is 08:00Z in winter; New York is 5 hours behind UTC until 8 March, 4 after.
    assert.deepEqual(firstOf('2026-03-06'), { start: '2026-03-06T03:00:00-05:00', end: '2026-03-06T04:00:00-05:00', startUtc: '2026-03-06T08:00:00.000Z', endUtc: '2026-03-06T09:00:00.000Z' });
    assert.equal(firstOf('2026-03-09').start, '2026-03-09T04:00:00-04:00', 'New York moved on 8 March, Paris not yet');
    assert.equal(firstOf('2026-03-27').startUtc, '2026-03-27T08:00:00.000Z');
    // Paris moved on 29 March: its 09:00 is 07:00Z, 03:00 in New York.
    assert.deepEqual(firstOf('2026-03-30'), { start: '2026-03-30T03:00:00-04:00', end: '2026-03-30T04:00:00-04:00', startUtc: '2026-03-30T07:00:00.000Z', endUtc: '2026-03-30T08:00:00.000Z' });
    assert.equal(response.body.items.filter((slot: { startUtc: string }) => slot.startUtc.startsWith('2026-03-30')).length, 9, 'a 3-hour morning holds 9 one-hour starts on the quarter hour');

    // Monday 9 March, 09:30 in Paris, with the platform's 60 minutes of notice: nothing before 10:30.
    ctx.clock.set('2026-03-09T08:30:00Z');
    const today = await customer.api.get(url('from=2026-03-09T00:00:00Z&to=2026-03-10T00:00:00Z&minutes=60&tz=Europe/Paris'));
    assert.deepEqual(today.body.items.map((slot: { start: string }) => slot.start), ['2026-03-09T10:30:00+01:00', '2026-03-09T10:45:00+01:00', '2026-03-09T11:00:00+01:00']);
    const past = await customer.api.get(url('from=2026-03-02T00:00:00Z&to=2026-03-07T00:00:00Z&minutes=60'));
    assert.deepEqual(past.body.items, []);

    for (const [query, path] of [
      ['from=2026-03-09T00:00:00Z&to=2026-04-10T00:00:01Z', 'querystring.to'],
      ['from=2026-03-09T00:00:00Z&to=2026-03-09T00:00:00Z', 'querystring.to'],
      ['from=2026-03-09T00:00:00Z&to=2026-03-10T00:00:00Z&minutes=10', 'querystring.minutes'],
      ['from=tomorrow&to=2026-03-10T00:00:00Z', 'querystring.from'],
      ['from=2026-03-09T00:00:00Z&to=2026-03-10T00:00:00Z&tz=Nowhere', 'querystring.tz'],
    ]) {
      const bad = await customer.api.get(url(query));
      assert.equal(bad.status, 400, query);
      assert.equal(bad.body.error.details[0].path, path, query);
    }
    const nobody = await createUser(ctx);
    assert.equal((await customer.api.get(`/api/v1/helpers/${nobody.id}/slots?from=2026-03-09T00:00:00Z&to=2026-03-10T00:00:00Z`)).status, 404);
    assert.equal((await client(ctx).get(url('from=2026-03-09T00:00:00Z&to=2026-03-10T00:00:00Z'))).status, 401);
  });

  test('booking: a free slot within availability; the taken time and its buffer leave the slots; bad starts are 400s', async () => {
    const { helper, customer } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const booked = await book(customer, helper, '2026-03-04T09:00:00+01:00');
    assert.equal(booked.status, 201, JSON.stringify(booked.body));
    assert.equal(booked.body.start, '2026-03-04T08:00:00.000Z');
    assert.equal(booked.body.startForCustomer, '2026-03-04T03:00:00-05:00');
    assert.equal(booked.body.startForHelper, '2026-03-04T09:00:00+01:00');
    assert.equal(booked.body.freeCancellationUntil, '2026-03-03T08:00:00.000Z', 'the platform default of 24 hours');
    assert.equal(booked.body.status, 'confirmed');
    const slots = await customer.api.get(`/api/v1/helpers/${helper.id}/slots?from=2026-03-04T00:00:00Z&to=2026-03-05T00:00:00Z&minutes=60&tz=Europe/Paris`);
    assert.deepEqual(slots.body.items.map((slot: { start: string }) => slot.start.slice(11, 16)), ['10:15', '10:30', '10:45', '11:00'], 'the 15-minute buffer after 10:00');

    const other = await createUser(ctx);
    for (const start of ['2026-03-04T08:30:00Z', '2026-03-04T09:10:00Z', '2026-03-04T09:00:00Z']) {
      const taken = await book(other, helper, start, { minutes: 30 });
      assert.equal(taken.status, 409, start);
      assert.equal(taken.body.error.code, 'slot_taken');
    }
    assert.equal((await book(other, helper, '2026-03-04T09:15:00Z')).status, 201, 'right after the buffer');
    const refused = async (start: string, fields: Record<string, unknown> = {}) => {
      const response = await book(other, helper, start, fields);
      assert.equal(response.status, 400, start);
      return response.body.error.details[0].path as string;
    };
    assert.equal(await refused('2026-03-04T10:30:00Z'), 'body.start', 'runs past noon in Paris');
    assert.equal(await refused('2026-03-07T09:00:00Z'), 'body.start', 'a Saturday');
    assert.equal(await refused('2026-03-02T08:30:00Z'), 'body.start', 'within the hour of notice');
    assert.equal(await refused('2026-02-27T09:00:00Z'), 'body.start', 'in the past');
    assert.equal(await refused('2026-03-05 09:00'), 'body.start');
    assert.equal(await refused('2026-03-05T09:00:00Z', { minutes: 600 }), 'body.minutes');
    assert.equal(await refused('2026-03-05T09:00:00Z', { tz: 'EST5EDT+' }), 'body.tz');
    const self = await helper.api.post('/api/v1/bookings', { helperId: helper.id, start: '2026-03-05T09:00:00Z', minutes: 60, tz: 'UTC' });
    assert.equal(self.status, 400);
    assert.equal((await book(other, other, '2026-03-05T09:00:00Z')).status, 400);
    assert.equal((await book(other, customer, '2026-03-05T09:00:00Z')).status, 404, 'not a helper with availability');
  });

  test('parallel bookings of one helper: exactly one wins, the database refuses the rest', async () => {
    const { helper } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const customers = await Promise.all(Array.from({ length: 8 }, () => createUser(ctx)));
    // The same slot, and slots overlapping it or its buffer, all at once: any two of them collide.
    const starts = ['08:00', '08:00', '08:15', '08:00', '08:30', '09:00', '08:00', '08:45'].map((time) => `2026-03-05T${time}:00Z`);
    const results = await Promise.all(customers.map((customer, index) => book(customer, helper, starts[index])));
    assert.deepEqual(results.map((result) => result.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409], JSON.stringify(results.map((result) => result.body)));
    const rows = await ctx.db.selectFrom('bookings').select('id').where('helper_id', '=', helper.id).where('status', '=', 'confirmed').execute();
    assert.equal(rows.length, 1);
  });

  test("who may see and change a booking: its two people; someone else's is a 404, an operator may look but not change it", async () => {
    const { helper, customer } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const booked = await book(customer, helper, '2026-03-05T08:00:00Z');
    const url = `/api/v1/bookings/${booked.body.id}`;
    const stranger = await createUser(ctx);
    const operator = await createUser(ctx, { operator: true });
    for (const path of ['', '.ics']) assert.equal((await stranger.api.get(`${url}${path}`)).status, 404);
    for (const action of ['cancel', 'reschedule', 'start', 'stop']) {
      assert.equal((await stranger.api.post(`${url}/${action}`, action === 'reschedule' ? { start: '2026-03-06T08:00:00Z' } : {})).status, 404, action);
      assert.equal((await operator.api.post(`${url}/${action}`, action === 'reschedule' ? { start: '2026-03-06T08:00:00Z' } : {})).status, 403, action);
      assert.equal((await client(ctx).post(`${url}/${action}`, action === 'reschedule' ? { start: '2026-03-06T08:00:00Z' } : {})).status, 401, action);
    }
    assert.equal((await operator.api.get(url)).status, 200);
    assert.equal((await helper.api.get(url)).body.id, booked.body.id);
    assert.equal((await customer.api.get(`/api/v1/bookings/00000000-0000-4000-8000-000000000000`)).status, 404);
  });

  test("a ticket's sessions: its customer, assignee and maintainers see all, another helper only theirs, anyone else a 404", async () => {
    const { repo, helper, customer } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const ticket = await openTicket(customer, repo);
    assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/claim`)).status, 200);
    const second = await approvedHelper(ctx, repo);
    await second.api.put('/api/v1/helpers/me/availability', { timeZone: 'UTC', weeklyHours: MORNINGS });
    const later = await book(customer, helper, '2026-03-06T08:00:00Z', { ticketId: ticket.id });
    const sooner = await book(customer, second, '2026-03-05T09:00:00Z', { ticketId: ticket.id });
    const unrelated = await book(customer, helper, '2026-03-04T08:00:00Z');
    for (const booked of [later, sooner, unrelated]) assert.equal(booked.status, 201, JSON.stringify(booked.body));
    assert.equal((await customer.api.post(`/api/v1/bookings/${later.body.id}/cancel`)).status, 200);

    const list = (user: TestUser, ticketId = ticket.id) => user.api.get(`/api/v1/bookings?ticket=${ticketId}`);
    const ids = async (user: TestUser) => {
      const response = await list(user);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body.items.map((item: { id: string }) => item.id);
    };
    const all = [sooner.body.id, later.body.id];
    assert.deepEqual(await ids(customer), all, 'soonest first, cancelled ones too, not the booking about no ticket');
    assert.deepEqual(await ids(helper), all, 'the assignee');
    assert.deepEqual(await ids(repo.maintainer), all);
    assert.deepEqual(await ids(await createUser(ctx, { operator: true })), all);
    assert.deepEqual(await ids(second), [sooner.body.id], 'another helper: only their own session');
    const listed = (await list(customer)).body.items;
    assert.equal(listed[1].status, 'cancelled');
    assert.equal(listed[0].helper.id, second.id);
    assert.equal(listed[0].ticketId, ticket.id);

    assert.equal((await list(await createUser(ctx))).status, 404, 'a stranger');
    assert.equal((await list(await approvedHelper(ctx, repo))).status, 404, 'a helper of the repository with no session on it');
    assert.equal((await list(customer, '00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await client(ctx).get(`/api/v1/bookings?ticket=${ticket.id}`)).status, 401);
    const bad = await customer.api.get('/api/v1/bookings?ticket=nope');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'querystring.ticket');
    assert.equal((await customer.api.get('/api/v1/bookings')).status, 400);
  });

  test('cancellation and rescheduling follow the notice: free until N hours before, late cancellations recorded; repository and helper notices', async () => {
    const { repo, helper, customer } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const early = await book(customer, helper, '2026-03-05T08:00:00Z');
    const moved = await customer.api.post(`/api/v1/bookings/${early.body.id}/reschedule`, { start: '2026-03-06T09:00:00Z', minutes: 30 });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.start, '2026-03-06T09:00:00.000Z');
    assert.equal(moved.body.minutes, 30);
    assert.equal((await customer.api.post(`/api/v1/bookings/${early.body.id}/reschedule`, { start: '2026-03-06T13:00:00Z' })).status, 400, 'outside availability');
    const cancelled = await helper.api.post(`/api/v1/bookings/${early.body.id}/cancel`, { reason: 'Ill' });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.lateCancellation, false);
    assert.equal(cancelled.body.cancelledBy, helper.id);
    assert.equal((await customer.api.post(`/api/v1/bookings/${early.body.id}/cancel`)).body.error.code, 'already_cancelled');

    // The repository's notice applies to sessions about its tickets.
    assert.equal((await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/booking-policy`, { cancelNoticeHours: 48 })).status, 200);
    assert.deepEqual((await client(ctx).get(`/api/v1/repos/${repo.fullName}/booking-policy`)).body, { repo: repo.fullName, cancelNoticeHours: 48, custom: true });
    const ticket = await openTicket(customer, repo);
    const aboutTicket = await book(customer, helper, '2026-03-05T08:00:00Z', { ticketId: ticket.id });
    assert.equal(aboutTicket.status, 201, JSON.stringify(aboutTicket.body));
    assert.equal(aboutTicket.body.freeCancellationUntil, '2026-03-03T08:00:00.000Z');
    assert.equal(aboutTicket.body.ticketId, ticket.id);
    const someoneElse = await createUser(ctx);
    assert.equal((await book(someoneElse, helper, '2026-03-05T10:00:00Z', { ticketId: ticket.id })).status, 404, "another customer's ticket, which they cannot see");
    assert.equal((await book(repo.maintainer, helper, '2026-03-05T10:00:00Z', { ticketId: ticket.id })).status, 403, 'a maintainer sees the ticket but is not its customer');

    // Wednesday 4 March 10:00Z: 22 hours before, inside the 48-hour notice.
    ctx.clock.set('2026-03-04T10:00:00Z');
    const late = await customer.api.post(`/api/v1/bookings/${aboutTicket.body.id}/reschedule`, { start: '2026-03-06T08:00:00Z' });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'late_reschedule');
    const lateCancel = await customer.api.post(`/api/v1/bookings/${aboutTicket.body.id}/cancel`);
    assert.equal(lateCancel.body.lateCancellation, true);

    // A helper's own notice wins over the repository's.
    await helper.api.put('/api/v1/helpers/me/availability', { timeZone: 'Europe/Paris', weeklyHours: MORNINGS, cancelNoticeHours: 2 });
    const own = await book(customer, helper, '2026-03-05T08:00:00Z', { ticketId: ticket.id });
    assert.equal(own.body.freeCancellationUntil, '2026-03-05T06:00:00.000Z');
    ctx.clock.set('2026-03-05T08:00:00Z');
    assert.equal((await customer.api.post(`/api/v1/bookings/${own.body.id}/cancel`)).body.error.code, 'already_started');
  });

  test("reminders 24 hours and 15 minutes before, in each person's zone; cancelled and moved bookings send nothing for the old time", async () => {
    const { helper, customer } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const kept = await book(customer, helper, '2026-03-05T08:00:00Z');
    const dropped = await book(customer, helper, '2026-03-05T10:00:00Z', { minutes: 30 });
    const shifted = await book(customer, helper, '2026-03-06T08:00:00Z');
    await ctx.jobs.drain();
    assert.deepEqual(sentSince(ctx, 0, 'Session booked').filter((email) => email.to === customer.email).length, 3);
    await customer.api.post(`/api/v1/bookings/${dropped.body.id}/cancel`);
    await customer.api.post(`/api/v1/bookings/${shifted.body.id}/reschedule`, { start: '2026-03-09T08:00:00Z' });
    const start = ctx.sent.length;
    // Bookings of earlier tests remind their own people at these times too.
    const reminders = () => sentSince(ctx, start, 'Reminder').filter((email) => email.to === customer.email || email.to === helper.email);

    ctx.clock.set('2026-03-04T10:00:00Z'); // 24 hours before the cancelled one, 22 before the kept one
    await ctx.jobs.drain();
    const first = reminders();
    assert.deepEqual(first.map((email) => email.to).sort(), [customer.email, helper.email].sort());
    assert.ok(first.every((email) => email.subject.endsWith('in 24 hours')));
    assert.match(first.find((email) => email.to === customer.email)!.text, /2026-03-05T03:00:00-05:00 \(America\/New_York\)/);
    assert.match(first.find((email) => email.to === helper.email)!.text, /2026-03-05T09:00:00\+01:00 \(Europe\/Paris\)/);

    ctx.clock.set('2026-03-06T08:00:00Z'); // the shifted one's old time: its old reminders find it moved
    await ctx.jobs.drain();
    assert.equal(reminders().filter((email) => email.subject.includes('15 minutes')).length, 2, 'only the kept booking, 15 minutes before');
    ctx.clock.set('2026-03-09T07:45:00Z');
    await ctx.jobs.drain();
    assert.equal(reminders().length, 2 + 2 + 2 + 2, 'kept: 24 h and 15 min; shifted: both at its new time');
    const rerun = ctx.sent.length;
    await ctx.db.updateTable('jobs').set({ completed_at: null }).where('queue', '=', 'scheduling.reminder').where('completed_at', 'is not', null).execute();
    await ctx.jobs.drain();
    assert.equal(ctx.sent.length, rerun, 'a reminder job that runs again sends nothing twice');
    assert.ok(kept.body.id);
  });

  test('the calendar invitation: organizer and attendee, in the zone of whoever downloads it; a cancelled booking cancels it', async () => {
    const { helper, customer } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const booked = await book(customer, helper, '2026-03-30T07:00:00Z');
    const forCustomer = await customer.api.get(`/api/v1/bookings/${booked.body.id}.ics`);
    assert.equal(forCustomer.status, 200);
    assert.match(String(forCustomer.headers['content-type']), /^text\/calendar/);
    const ics = String(forCustomer.body).replace(/\r\n /g, '');
    assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
    assert.match(ics, /METHOD:REQUEST/);
    assert.match(ics, new RegExp(`UID:${booked.body.id}@backline`));
    assert.match(ics, /DTSTART;TZID=America\/New_York:20260330T030000/);
    assert.match(ics, /DTEND;TZID=America\/New_York:20260330T040000/);
    assert.match(ics, /BEGIN:VTIMEZONE\r\nTZID:America\/New_York/);
    assert.match(ics, /BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400/);
    assert.match(ics, new RegExp(`ORGANIZER;CN="?[^:]*"?:mailto:${helper.email}`));
    assert.match(ics, new RegExp(`ATTENDEE;[^\\r]*:MAILTO:${customer.email}`, 'i'));
    assert.match(ics, /STATUS:CONFIRMED/);
    assert.match(ics, /DTSTAMP:20260302T080000Z/, 'the stamp is UTC');
    const forHelper = String((await helper.api.get(`/api/v1/bookings/${booked.body.id}.ics`)).body);
    assert.match(forHelper, /DTSTART;TZID=Europe\/Paris:20260330T090000/, 'the first morning of summer time in Paris');
    await helper.api.post(`/api/v1/bookings/${booked.body.id}/cancel`);
    const cancelled = String((await customer.api.get(`/api/v1/bookings/${booked.body.id}.ics`)).body);
    assert.match(cancelled, /METHOD:CANCEL/);
    assert.match(cancelled, /STATUS:CANCELLED/);
  });

  test('a session is metered from start to stop, rounded up to the minute, and handed to billing as such', async () => {
    const { helper, customer } = await world();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const booked = await book(customer, helper, '2026-03-05T08:00:00Z');
    const url = `/api/v1/bookings/${booked.body.id}`;
    ctx.clock.set('2026-03-05T07:44:00Z');
    assert.equal((await helper.api.post(`${url}/start`)).body.error.code, 'outside_session_window');
    assert.equal((await helper.api.post(`${url}/stop`)).body.error.code, 'not_started');
    ctx.clock.set('2026-03-05T07:58:00Z');
    const started = await helper.api.post(`${url}/start`);
    assert.equal(started.status, 200);
    assert.equal(started.body.session.startedAt, '2026-03-05T07:58:00.000Z');
    assert.equal((await customer.api.post(`${url}/start`)).body.error.code, 'already_started');
    assert.equal(await ctx.services.scheduling.meteredSession(ctx.db, booked.body.id), null, 'nothing to bill while it runs');
    ctx.clock.advance(30 * MINUTE + 10_000);
    const stopped = await customer.api.post(`${url}/stop`);
    assert.equal(stopped.body.session.meteredMinutes, 31);
    assert.equal((await helper.api.post(`${url}/stop`)).body.error.code, 'already_stopped');
    assert.deepEqual(await ctx.services.scheduling.meteredSession(ctx.db, booked.body.id), {
      bookingId: booked.body.id,
      helperId: helper.id,
      customerId: customer.id,
      ticketId: null,
      startedAt: new Date('2026-03-05T07:58:00Z'),
      stoppedAt: new Date('2026-03-05T08:28:10Z'),
      minutes: 31,
    });
    ctx.clock.advance(HOUR);
    assert.equal((await customer.api.post(`${url}/cancel`)).body.error.code, 'already_started');
  });
});
