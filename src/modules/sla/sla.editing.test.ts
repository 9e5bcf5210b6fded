import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { businessHoursPolicy, OFFICE_WEEK, openTicket } from '../../../test/helpers/support.ts';

const URGENT = { urgent: { firstResponse: 120, resolution: 960 } };

describe('editing and deleting SLA calendars and policies', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  test('a calendar edit: refused inputs are 400s that change nothing; new hours and holidays count for the next ticket', async () => {
    const repo = await createRepo(ctx);
    const api = repo.maintainer.api;
    const { calendarId, policyId } = await businessHoursPolicy(repo, URGENT);
    const url = `/api/v1/repos/${repo.fullName}/calendars/${calendarId}`;
    const list = async () => (await client(ctx).get(`/api/v1/repos/${repo.fullName}/calendars`)).body.items;
    const original = await list();

    const bad = async (body: Record<string, unknown>, path: string) => {
      const response = await api.patch(url, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.ok(response.body.error.details.some((detail: { path: string }) => detail.path.startsWith(path)), JSON.stringify(response.body));
    };
    await bad({}, 'body');
    await bad({ weeklyHours: {} }, 'body.weeklyHours');
    await bad({ weeklyHours: { monday: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }] } }, 'body.weeklyHours.monday.1');
    await bad({ holidays: ['2026-02-30'] }, 'body.holidays.0');
    await bad({ timeZone: 'Mars/Olympus' }, 'body.timeZone');
    await bad({ colour: 'red' }, 'body');
    // A policy on it has a 100,000-minute target: a minute a week cannot reach it in 50 years.
    assert.equal((await api.post(`/api/v1/repos/${repo.fullName}/sla-policies`, { name: 'Slow', calendarId, targets: { low: { resolution: 100_000 } } })).status, 201);
    await bad({ weeklyHours: { monday: [{ start: '09:00', end: '09:01' }] } }, 'body.weeklyHours');
    await api.post(`/api/v1/repos/${repo.fullName}/calendars`, { name: 'Night desk', timeZone: 'UTC', weeklyHours: OFFICE_WEEK });
    const taken = await api.patch(url, { name: 'NIGHT DESK' });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'calendar_exists');
    assert.deepEqual((await list())[0], original[0], 'the refused edits changed nothing');

    const customer = await createUser(ctx);
    ctx.clock.set('2026-01-05T09:00:00Z'); // Monday 10:00 in Paris
    const before = await openTicket(customer, repo, { priority: 'urgent' });
    assert.equal(before.sla.firstResponseDueAt, '2026-01-05T11:00:00.000Z');

    // Mondays now open only until 10:30, Tuesday 6 January is a holiday, Wednesday opens at 14:00.
    const edited = await api.patch(url, {
      name: 'Paris mornings',
      weeklyHours: { monday: [{ start: '09:00', end: '10:30' }], wednesday: [{ start: '14:00', end: '18:00' }], thursday: [{ start: '09:00', end: '17:00' }] },
      holidays: ['2026-01-06', '2026-01-06'],
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.name, 'Paris mornings');
    assert.equal(edited.body.timeZone, 'Europe/Paris', 'left out: kept');
    assert.deepEqual(edited.body.weeklyHours.monday, [{ start: '09:00', end: '10:30' }]);
    assert.deepEqual(edited.body.weeklyHours.tuesday, []);
    assert.deepEqual(edited.body.holidays, ['2026-01-06']);
    assert.deepEqual((await list())[0], edited.body);

    // 120 minutes from Monday 10:00: 30 on Monday, none on the holiday, 90 from Wednesday 14:00 = 15:30 (14:30Z).
    const afterEdit = await openTicket(customer, repo, { priority: 'urgent' });
    assert.equal(afterEdit.sla.firstResponseDueAt, '2026-01-07T14:30:00.000Z');
    assert.equal((await customer.api.get(`/api/v1/tickets/${before.id}`)).body.sla.firstResponseDueAt, '2026-01-05T11:00:00.000Z', 'a due time already set stays');
    assert.equal((await client(ctx).get(`/api/v1/repos/${repo.fullName}/sla-policies`)).body.items[0].id, policyId);
  });

  test('calendar and policy edits: maintainers and operators only; an id of another repository is a 404', async () => {
    const repo = await createRepo(ctx);
    const other = await createRepo(ctx);
    const { calendarId, policyId } = await businessHoursPolicy(repo, URGENT);
    const calendarUrl = `/api/v1/repos/${repo.fullName}/calendars/${calendarId}`;
    const policyUrl = `/api/v1/repos/${repo.fullName}/sla-policies/${policyId}`;
    assert.equal((await client(ctx).patch(calendarUrl, { name: 'Mine' })).status, 401);
    assert.equal((await client(ctx).delete(policyUrl)).status, 401);
    const stranger = await createUser(ctx);
    assert.equal((await stranger.api.patch(calendarUrl, { name: 'Mine' })).status, 403);
    assert.equal((await stranger.api.patch(policyUrl, { name: 'Mine' })).status, 403);
    assert.equal((await stranger.api.delete(calendarUrl)).status, 403);
    // The other repository's maintainer names this calendar through their own repository: not theirs.
    assert.equal((await other.maintainer.api.patch(`/api/v1/repos/${other.fullName}/calendars/${calendarId}`, { name: 'Mine' })).status, 404);
    assert.equal((await other.maintainer.api.delete(`/api/v1/repos/${other.fullName}/sla-policies/${policyId}`)).status, 404);
    assert.equal((await client(ctx).get(`/api/v1/repos/${repo.fullName}/calendars`)).body.items[0].name, 'Paris office');
    const operator = await createUser(ctx, { operator: true });
    const renamed = await operator.api.patch(policyUrl, { name: 'Renamed by an operator' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'Renamed by an operator');
    assert.equal((await operator.api.patch(calendarUrl, { holidays: ['2026-12-25'] })).body.holidays[0], '2026-12-25');
  });

  test('a policy edit: new targets and calendar for tickets opened from now on; refused edits change nothing', async () => {
    const repo = await createRepo(ctx);
    const other = await createRepo(ctx);
    const api = repo.maintainer.api;
    const { policyId } = await businessHoursPolicy(repo, URGENT);
    const url = `/api/v1/repos/${repo.fullName}/sla-policies/${policyId}`;
    const list = async () => (await client(ctx).get(`/api/v1/repos/${repo.fullName}/sla-policies`)).body.items;
    const original = await list();
    const foreign = await other.maintainer.api.post(`/api/v1/repos/${other.fullName}/calendars`, { name: 'Theirs', timeZone: 'UTC', weeklyHours: OFFICE_WEEK });
    for (const [body, path] of [
      [{}, 'body'],
      [{ targets: {} }, 'body.targets'],
      [{ targets: { urgent: { firstResponse: 0 } } }, 'body.targets.urgent.firstResponse'],
      [{ calendarId: foreign.body.id }, 'body.calendarId'],
      [{ name: ' ' }, 'body.name'],
    ] as const) {
      const response = await api.patch(url, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.error.details[0].path, path, JSON.stringify(response.body));
    }
    await api.post(`/api/v1/repos/${repo.fullName}/sla-policies`, { name: 'Premium', targets: { urgent: { firstResponse: 30 } } });
    assert.equal((await api.patch(url, { name: 'premium' })).status, 409);
    assert.deepEqual((await list())[0], original[0], 'the refused edits changed nothing');

    const customer = await createUser(ctx);
    ctx.clock.set('2026-01-05T09:00:00Z'); // Monday 10:00 in Paris
    const before = await openTicket(customer, repo, { priority: 'urgent' });
    const edited = await api.patch(url, { calendarId: null, targets: { urgent: { firstResponse: 30 }, low: { resolution: 2880 } } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.measuredIn, 'around_the_clock');
    assert.equal(edited.body.name, 'Business', 'left out: kept');
    assert.deepEqual(edited.body.targets.urgent, { firstResponse: 30, nextResponse: null, resolution: null }, 'targets given replace all targets');
    assert.equal(edited.body.isDefault, true);
    const after = await openTicket(customer, repo, { priority: 'urgent' });
    assert.equal(after.sla.firstResponseDueAt, '2026-01-05T09:30:00.000Z');
    assert.equal(after.sla.resolutionDueAt, null);
    const kept = (await customer.api.get(`/api/v1/tickets/${before.id}`)).body.sla;
    assert.equal(kept.firstResponseDueAt, '2026-01-05T11:00:00.000Z', 'a ticket keeps the targets it was given');
    assert.notEqual(kept.resolutionDueAt, null);
  });

  test('deleting: a 409 names what still uses a calendar or a policy; an unused one goes', async () => {
    const repo = await createRepo(ctx);
    const api = repo.maintainer.api;
    const base = `/api/v1/repos/${repo.fullName}`;
    const { calendarId, policyId } = await businessHoursPolicy(repo, URGENT);
    const calendars = async () => (await client(ctx).get(`${base}/calendars`)).body.items.map((item: { id: string }) => item.id);
    const policies = async () => (await client(ctx).get(`${base}/sla-policies`)).body.items.map((item: { id: string }) => item.id);

    const calendarInUse = await api.delete(`${base}/calendars/${calendarId}`);
    assert.equal(calendarInUse.status, 409);
    assert.equal(calendarInUse.body.error.code, 'calendar_in_use');
    assert.match(calendarInUse.body.error.message, /SLA policy "Business"/);
    const policyInUse = await api.delete(`${base}/sla-policies/${policyId}`);
    assert.equal(policyInUse.status, 409);
    assert.equal(policyInUse.body.error.code, 'policy_in_use');
    assert.match(policyInUse.body.error.message, /default for expert tickets/);

    const plan = await api.post(`${base}/plans`, { name: 'Gold', period: 'month', prices: [{ currency: 'EUR', amount: 250_000 }], includedHours: 10, slaPolicyId: policyId });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    const customer = await createUser(ctx);
    await openTicket(customer, repo, { priority: 'urgent' });
    assert.equal((await api.put(`${base}/sla-policies/default`, { policyId: null })).status, 200);
    const stillUsed = await api.delete(`${base}/sla-policies/${policyId}`);
    assert.equal(stillUsed.status, 409);
    assert.match(stillUsed.body.error.message, /support plan "Gold"/);
    assert.match(stillUsed.body.error.message, /SLA clocks of 1 ticket\b/);
    assert.doesNotMatch(stillUsed.body.error.message, /default/);
    // Moved to around the clock, the calendar is still counted in by the ticket's clock.
    assert.equal((await api.patch(`${base}/sla-policies/${policyId}`, { calendarId: null })).status, 200);
    const clockInUse = await api.delete(`${base}/calendars/${calendarId}`);
    assert.equal(clockInUse.status, 409);
    assert.match(clockInUse.body.error.message, /SLA clocks of 1 ticket\b/);
    assert.doesNotMatch(clockInUse.body.error.message, /policy/);
    assert.deepEqual(await calendars(), [calendarId]);
    assert.deepEqual(await policies(), [policyId]);

    const spare = await api.post(`${base}/calendars`, { name: 'Spare', timeZone: 'UTC', weeklyHours: OFFICE_WEEK });
    const unused = await api.post(`${base}/sla-policies`, { name: 'Unused', calendarId: spare.body.id, targets: { low: { resolution: 600 } } });
    assert.equal((await api.delete(`${base}/calendars/${spare.body.id}`)).status, 409, 'the unused policy counts in it');
    assert.equal((await api.delete(`${base}/sla-policies/${unused.body.id}`)).status, 204);
    assert.equal((await api.delete(`${base}/calendars/${spare.body.id}`)).status, 204);
    assert.deepEqual(await calendars(), [calendarId]);
    assert.deepEqual(await policies(), [policyId]);
    assert.equal((await api.delete(`${base}/calendars/${spare.body.id}`)).status, 404, 'gone');
  });
});
