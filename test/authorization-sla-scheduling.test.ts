import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from './helpers/app.ts';
import { createRepo, createUser, type TestUser } from './helpers/factories.ts';
import { client, type Client } from './helpers/http.ts';
import { approvedHelper, OFFICE_WEEK } from './helpers/support.ts';

/**
 * Every SLA, release window and scheduling route against six roles. A 404 where the thing belongs to
 * someone else is intended (its existence does not leak); a 403 where the caller can see it but may not
 * change it. Rows that change a booking get a booking of their own per role.
 */
const ROLES = ['anonymous', 'stranger', 'customer', 'helper', 'maintainer', 'operator'] as const;
type Role = (typeof ROLES)[number];
const row = (...statuses: number[]) => Object.fromEntries(ROLES.map((role, index) => [role, statuses[index]])) as Record<Role, number>;

describe('authorization of SLA, release window and scheduling routes', () => {
  let ctx: TestContext;
  let as: Record<Role, Client>;
  let users: Record<Exclude<Role, 'anonymous'>, TestUser>;
  let repo: string;
  let slot = 0;

  before(async () => {
    ctx = await startTestApp();
    ctx.clock.set('2026-03-02T08:00:00Z');
    const maintainer = await createUser(ctx);
    const created = await createRepo(ctx, { maintainer });
    repo = created.fullName;
    const helper = await approvedHelper(ctx, created);
    assert.equal((await helper.api.put('/api/v1/helpers/me/availability', { timeZone: 'UTC', weeklyHours: OFFICE_WEEK })).status, 200);
    users = { stranger: await createUser(ctx), customer: await createUser(ctx), helper, maintainer, operator: await createUser(ctx, { operator: true }) };
    as = { anonymous: client(ctx), ...Object.fromEntries(Object.entries(users).map(([role, user]) => [role, user.api])) } as Record<Role, Client>;
  });
  after(() => ctx.close());

  /** Half-hour starts no other request uses: eight a weekday from Monday `monday` (UTC office hours). */
  let free = 0;
  const nextStart = (monday: number) => {
    const day = Math.floor(free / 8);
    const start = new Date(Date.UTC(2026, 0, monday + Math.floor(day / 5) * 7 + (day % 5), 9 + (free++ % 8)));
    return start.toISOString();
  };

  /** A new booking of the customer with the helper. */
  async function booking(): Promise<string> {
    const start = nextStart(68); // Monday 9 March 2026
    const made = await users.customer.api.post('/api/v1/bookings', { helperId: users.helper.id, start, minutes: 30, tz: 'Europe/Paris' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    return made.body.id;
  }

  const calendar = () => ({ name: `Office ${slot++}`, timeZone: 'UTC', weeklyHours: OFFICE_WEEK });
  /** A calendar or a policy of its own for each request that edits or deletes one, made by the maintainer. */
  const ownCalendar = async () => (await users.maintainer.api.post(`/api/v1/repos/${repo}/calendars`, calendar())).body.id as string;
  const ownPolicy = async () => (await users.maintainer.api.post(`/api/v1/repos/${repo}/sla-policies`, { name: `P ${slot++}`, targets: { urgent: { firstResponse: 60 } } })).body.id as string;
  const rows: Array<{ name: string; send: (api: Client) => Promise<{ status: number }>; expect: Record<Role, number> }> = [
    { name: 'POST calendars', send: (api) => api.post(`/api/v1/repos/${repo}/calendars`, calendar()), expect: row(401, 403, 403, 403, 201, 201) },
    { name: 'GET calendars', send: (api) => api.get(`/api/v1/repos/${repo}/calendars`), expect: row(200, 200, 200, 200, 200, 200) },
    { name: 'POST sla-policies', send: (api) => api.post(`/api/v1/repos/${repo}/sla-policies`, { name: `P ${slot++}`, targets: { urgent: { firstResponse: 60 } } }), expect: row(401, 403, 403, 403, 201, 201) },
    { name: 'GET sla-policies', send: (api) => api.get(`/api/v1/repos/${repo}/sla-policies`), expect: row(200, 200, 200, 200, 200, 200) },
    { name: 'PUT sla-policies/default', send: (api) => api.put(`/api/v1/repos/${repo}/sla-policies/default`, { policyId: null }), expect: row(401, 403, 403, 403, 200, 200) },
    { name: 'PATCH calendars/{id}', send: async (api) => api.patch(`/api/v1/repos/${repo}/calendars/${await ownCalendar()}`, { holidays: ['2026-12-25'] }), expect: row(401, 403, 403, 403, 200, 200) },
    { name: 'DELETE calendars/{id}', send: async (api) => api.delete(`/api/v1/repos/${repo}/calendars/${await ownCalendar()}`), expect: row(401, 403, 403, 403, 204, 204) },
    { name: 'PATCH sla-policies/{id}', send: async (api) => api.patch(`/api/v1/repos/${repo}/sla-policies/${await ownPolicy()}`, { targets: { low: { resolution: 600 } } }), expect: row(401, 403, 403, 403, 200, 200) },
    { name: 'DELETE sla-policies/{id}', send: async (api) => api.delete(`/api/v1/repos/${repo}/sla-policies/${await ownPolicy()}`), expect: row(401, 403, 403, 403, 204, 204) },
    { name: 'GET release-windows', send: (api) => api.get(`/api/v1/repos/${repo}/release-windows`), expect: row(200, 200, 200, 200, 200, 200) },
    { name: 'PUT release-windows', send: (api) => api.put(`/api/v1/repos/${repo}/release-windows`, { windows: [{ major: 1, generalSupport: { from: '2024-01-01' } }] }), expect: row(401, 403, 403, 403, 200, 200) },
    { name: 'GET booking-policy', send: (api) => api.get(`/api/v1/repos/${repo}/booking-policy`), expect: row(200, 200, 200, 200, 200, 200) },
    { name: 'PUT booking-policy', send: (api) => api.put(`/api/v1/repos/${repo}/booking-policy`, { cancelNoticeHours: 12 }), expect: row(401, 403, 403, 403, 200, 200) },
    { name: 'GET helpers/me/availability', send: (api) => api.get('/api/v1/helpers/me/availability'), expect: row(401, 200, 200, 200, 200, 200) },
    { name: 'PUT helpers/me/availability', send: (api) => api.put('/api/v1/helpers/me/availability', { timeZone: 'UTC', weeklyHours: OFFICE_WEEK }), expect: row(401, 403, 403, 200, 403, 403) },
    {
      name: 'GET helpers/{id}/slots',
      send: (api) => api.get(`/api/v1/helpers/${users.helper.id}/slots?from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z`),
      expect: row(401, 200, 200, 200, 200, 200),
    },
    {
      name: 'POST bookings',
      send: (api) => api.post('/api/v1/bookings', { helperId: users.helper.id, start: nextStart(68), minutes: 30, tz: 'UTC' }),
      expect: row(401, 201, 201, 400, 201, 201),
    },
  ];
  const bookingRows: Array<{ name: string; send: (api: Client, id: string) => Promise<{ status: number }>; expect: Record<Role, number> }> = [
    { name: 'GET bookings/{id}', send: (api, id) => api.get(`/api/v1/bookings/${id}`), expect: row(401, 404, 200, 200, 404, 200) },
    { name: 'GET bookings/{id}.ics', send: (api, id) => api.get(`/api/v1/bookings/${id}.ics`), expect: row(401, 404, 200, 200, 404, 200) },
    { name: 'POST bookings/{id}/cancel', send: (api, id) => api.post(`/api/v1/bookings/${id}/cancel`), expect: row(401, 404, 200, 200, 404, 403) },
    { name: 'POST bookings/{id}/reschedule', send: (api, id) => api.post(`/api/v1/bookings/${id}/reschedule`, { start: nextStart(68), minutes: 30 }), expect: row(401, 404, 200, 200, 404, 403) },
    // Parties pass the check and meet the session window (too early): 409.
    { name: 'POST bookings/{id}/start', send: (api, id) => api.post(`/api/v1/bookings/${id}/start`), expect: row(401, 404, 409, 409, 404, 403) },
    { name: 'POST bookings/{id}/stop', send: (api, id) => api.post(`/api/v1/bookings/${id}/stop`), expect: row(401, 404, 409, 409, 404, 403) },
  ];

  for (const { name, send, expect } of rows) {
    test(name, async () => {
      const actual = Object.fromEntries(await Promise.all(ROLES.map(async (role) => [role, (await send(as[role])).status])));
      assert.deepEqual(actual, expect);
    });
  }

  for (const { name, send, expect } of bookingRows) {
    test(name, async () => {
      const actual: Record<string, number> = {};
      for (const role of ROLES) actual[role] = (await send(as[role], await booking())).status;
      assert.deepEqual(actual, expect);
    });
  }
});
