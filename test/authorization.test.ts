import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from './helpers/app.ts';
import type { Client } from './helpers/http.ts';
import { buildWorld, type World } from './helpers/world.ts';

/**
 * The authorization matrix: every role against every endpoint of the core platform, including other
 * tenants' ids. Each row states the status each role gets; a 404 where the resource belongs to someone
 * else is intended (existence does not leak). Rows that change state get a fresh world per role, so
 * one role's success does not decide the next role's answer.
 */
const ROLES = ['anonymous', 'customer', 'orgAdmin', 'otherOrgAdmin', 'helperElsewhere', 'helperHere', 'maintainer', 'operator'] as const;
type Role = (typeof ROLES)[number];
type Expectation = Record<Role, number>;

type Row = {
  name: string;
  /** true: every role gets a world of its own (the request changes state). */
  fresh?: boolean;
  send: (world: World, api: Client) => Promise<{ status: number }>;
  expect: Expectation;
};

const expect = (anonymous: number, customer: number, orgAdmin: number, otherOrgAdmin: number, helperElsewhere: number, helperHere: number, maintainer: number, operator: number): Expectation => ({
  anonymous,
  customer,
  orgAdmin,
  otherOrgAdmin,
  helperElsewhere,
  helperHere,
  maintainer,
  operator,
});

const rows: Row[] = [
  { name: 'GET /api/v1/me', send: (_w, api) => api.get('/api/v1/me'), expect: expect(401, 200, 200, 200, 200, 200, 200, 200) },
  { name: 'GET a verified repository', send: (w, api) => api.get(`/api/v1/repos/${w.repo}`), expect: expect(200, 200, 200, 200, 200, 200, 200, 200) },
  { name: 'PATCH a repository', send: (w, api) => api.patch(`/api/v1/repos/${w.repo}`, { commissionBps: 1200 }), expect: expect(401, 403, 403, 403, 403, 403, 200, 200) },
  { name: "PATCH another maintainer's repository", send: (w, api) => api.patch(`/api/v1/repos/${w.otherRepo}`, { commissionBps: 1200 }), expect: expect(401, 403, 403, 403, 403, 403, 403, 200) },
  { name: 'verify a repository claim', send: (w, api) => api.post(`/api/v1/admin/repos/${w.repo}/verify`), expect: expect(401, 403, 403, 403, 403, 403, 403, 200) },
  { name: 'list repository claims', send: (_w, api) => api.get('/api/v1/admin/repo-claims'), expect: expect(401, 403, 403, 403, 403, 403, 403, 200) },
  { name: 'list onboarding demand', send: (_w, api) => api.get('/api/v1/onboarding-requests'), expect: expect(401, 403, 403, 403, 403, 403, 403, 200) },
  { name: 'list maintainers', send: (w, api) => api.get(`/api/v1/repos/${w.repo}/maintainers`), expect: expect(401, 403, 403, 403, 403, 403, 200, 200) },
  {
    name: 'approve a helper',
    fresh: true,
    send: (w, api) => api.post(`/api/v1/repos/${w.repo}/helpers/${w.applicantId}/approve`),
    expect: expect(401, 403, 403, 403, 403, 403, 200, 200),
  },
  {
    name: 'remove a helper',
    fresh: true,
    send: (w, api) => api.post(`/api/v1/repos/${w.repo}/helpers/${w.users.helperHere.id}/remove`),
    expect: expect(401, 403, 403, 403, 403, 403, 200, 200),
  },
  { name: "approve a helper of another maintainer's repository", send: (w, api) => api.post(`/api/v1/repos/${w.otherRepo}/helpers/${w.users.helperElsewhere.id}/approve`), expect: expect(401, 403, 403, 403, 403, 403, 403, 200) },
  { name: 'GET an org', send: (w, api) => api.get(`/api/v1/orgs/${w.org}`), expect: expect(401, 200, 200, 404, 404, 404, 404, 200) },
  { name: "PATCH an org's billing details", send: (w, api) => api.patch(`/api/v1/orgs/${w.org}`, { vatId: 'DE999999999' }), expect: expect(401, 403, 200, 404, 404, 404, 404, 200) },
  { name: 'invite to an org', fresh: true, send: (w, api) => api.post(`/api/v1/orgs/${w.org}/invitations`, { email: 'new@example.com' }), expect: expect(401, 403, 201, 404, 404, 404, 404, 201) },
  { name: 'GET a ticket', send: (w, api) => api.get(`/api/v1/tickets/${w.ticketId}`), expect: expect(401, 200, 200, 404, 404, 200, 200, 200) },
  { name: "GET a ticket's messages", send: (w, api) => api.get(`/api/v1/tickets/${w.ticketId}/messages`), expect: expect(401, 200, 200, 404, 404, 200, 200, 200) },
  { name: 'post a public message', fresh: true, send: (w, api) => api.post(`/api/v1/tickets/${w.claimedTicketId}/messages`, { body: 'Hello' }), expect: expect(401, 201, 201, 404, 404, 201, 201, 201) },
  {
    name: 'post an internal note',
    fresh: true,
    send: (w, api) => api.post(`/api/v1/tickets/${w.claimedTicketId}/messages`, { body: 'Between us', internal: true }),
    expect: expect(401, 403, 403, 404, 404, 201, 201, 201),
  },
  { name: 'claim an open expert ticket', fresh: true, send: (w, api) => api.post(`/api/v1/tickets/${w.ticketId}/claim`), expect: expect(401, 403, 403, 404, 404, 200, 403, 403) },
  { name: 'resolve a claimed ticket', fresh: true, send: (w, api) => api.post(`/api/v1/tickets/${w.claimedTicketId}/resolve`, { summary: 'Fixed' }), expect: expect(401, 403, 403, 404, 404, 200, 200, 200) },
  { name: 'confirm a resolution', fresh: true, send: async (w, api) => {
    await w.as.helperHere.post(`/api/v1/tickets/${w.claimedTicketId}/resolve`, { summary: 'Fixed' });
    return api.post(`/api/v1/tickets/${w.claimedTicketId}/confirm`);
  }, expect: expect(401, 200, 200, 404, 404, 403, 403, 403) },
  { name: 'rate a resolved ticket', fresh: true, send: async (w, api) => {
    await w.as.helperHere.post(`/api/v1/tickets/${w.claimedTicketId}/resolve`, { summary: 'Fixed' });
    return api.post(`/api/v1/tickets/${w.claimedTicketId}/rating`, { score: 4, comment: 'Good' });
  }, expect: expect(401, 200, 200, 404, 404, 403, 403, 403) },
  { name: 'cancel a ticket', fresh: true, send: (w, api) => api.post(`/api/v1/tickets/${w.ticketId}/cancel`), expect: expect(401, 200, 200, 404, 404, 403, 403, 403) },
  { name: 'the helper queue', send: (_w, api) => api.get('/api/v1/helpers/me/queue'), expect: expect(401, 200, 200, 200, 200, 200, 200, 200) },
  { name: 'the ledger check', send: (_w, api) => api.get('/api/v1/admin/ledger/check'), expect: expect(401, 403, 403, 403, 403, 403, 403, 200) },
];

describe('authorization matrix', () => {
  let ctx: TestContext;
  let shared: World;
  before(async () => {
    ctx = await startTestApp();
    shared = await buildWorld(ctx);
  });
  after(() => ctx.close());

  for (const row of rows) {
    test(row.name, async () => {
      const actual: Partial<Expectation> = {};
      for (const role of ROLES) {
        const world = row.fresh ? await buildWorld(ctx) : shared;
        actual[role] = (await row.send(world, world.as[role])).status;
      }
      assert.deepEqual(actual, row.expect);
    });
  }
});
