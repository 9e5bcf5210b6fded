import assert from 'node:assert/strict';
import type { TestContext } from './app.ts';
import { createRepo, createUser, type TestUser } from './factories.ts';
import { client, type Client } from './http.ts';

/**
 * Two tenants side by side, for authorization and hostile-input tests: a verified repository with its
 * maintainer, an approved helper and an applicant not yet approved; an organization (admin and member)
 * with two expert tickets, one claimed; and, on the other side, another repository, maintainer, helper
 * and organization. Everything is made through the public API, as users would.
 */
export const WORLD_ROLES = [
  'anonymous',
  'customer',
  'orgAdmin',
  'otherOrgAdmin',
  'helperElsewhere',
  'helperHere',
  'applicant',
  'otherMaintainer',
  'maintainer',
  'operator',
] as const;
export type WorldRole = (typeof WORLD_ROLES)[number];

export type World = {
  as: Record<WorldRole, Client>;
  users: Record<Exclude<WorldRole, 'anonymous'>, TestUser>;
  repo: string;
  otherRepo: string;
  ticketId: string;
  claimedTicketId: string;
  applicantId: string;
  org: string;
  otherOrg: string;
  /** With `{ money: true }`: the helper's quote on the claimed ticket, accepted by the customer, and its pending payment. */
  quoteId?: string;
  paymentId?: string;
};

/** Strings only the first tenant's data holds: an answer to anyone else that contains one leaks it. */
export const PRIVATE_MARKERS = ['Private widget crash', 'Private claimed crash', 'Private Customer Inc', 'Private quote for the leak'];

export async function buildWorld(ctx: TestContext, options: { money?: boolean } = {}): Promise<World> {
  const maintainer = await createUser(ctx);
  const otherMaintainer = await createUser(ctx);
  const repo = await createRepo(ctx, { maintainer });
  const otherRepo = await createRepo(ctx, { maintainer: otherMaintainer });
  const helperHere = await createUser(ctx);
  const helperElsewhere = await createUser(ctx);
  for (const [helper, target] of [
    [helperHere, repo],
    [helperElsewhere, otherRepo],
  ] as const) {
    await helper.api.post(`/api/v1/repos/${target.fullName}/helpers/applications`, { pitch: 'I know this codebase well.' });
    await target.maintainer.api.post(`/api/v1/repos/${target.fullName}/helpers/${helper.id}/approve`);
  }
  const applicant = await createUser(ctx);
  await applicant.api.post(`/api/v1/repos/${repo.fullName}/helpers/applications`, { pitch: 'I would like to help here.' });
  const orgAdmin = await createUser(ctx);
  const customer = await createUser(ctx);
  const otherOrgAdmin = await createUser(ctx);
  const org = `org-${repo.id.slice(-8)}`;
  const otherOrg = `other-${repo.id.slice(-8)}`;
  await orgAdmin.api.post('/api/v1/orgs', { slug: org, name: 'Private Customer Inc' });
  await otherOrgAdmin.api.post('/api/v1/orgs', { slug: otherOrg, name: 'Other Inc' });
  const invitation = await orgAdmin.api.post(`/api/v1/orgs/${org}/invitations`, { email: customer.email, role: 'member' });
  assert.equal(invitation.status, 201);
  const orgId = (await ctx.db.selectFrom('orgs').select('id').where('slug', '=', org).executeTakeFirstOrThrow()).id;
  await ctx.db.insertInto('org_members').values({ org_id: orgId, user_id: customer.id, role: 'member', created_at: ctx.clock.now() }).execute();
  const operator = await createUser(ctx, { operator: true });

  const ticket = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Private widget crash', body: 'Details', track: 'expert', org });
  assert.equal(ticket.status, 201);
  const claimed = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Private claimed crash', body: 'Details', track: 'expert', org });
  assert.equal((await helperHere.api.post(`/api/v1/tickets/${claimed.body.id}/claim`)).status, 200);

  let money: { quoteId: string; paymentId: string } | undefined;
  if (options.money) {
    const quote = await helperHere.api.post(`/api/v1/tickets/${claimed.body.id}/quotes`, { amount: 9999, currency: 'EUR', description: 'Private quote for the leak', estimatedMinutes: 60 });
    assert.equal(quote.status, 201, JSON.stringify(quote.body));
    const accepted = await customer.api.post(`/api/v1/quotes/${quote.body.id}/accept`, {}, { 'idempotency-key': `world-${quote.body.id}` });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    money = { quoteId: quote.body.id, paymentId: accepted.body.payment.id };
  }

  const users = { customer, orgAdmin, otherOrgAdmin, helperElsewhere, helperHere, applicant, otherMaintainer, maintainer, operator };
  const as = { anonymous: client(ctx), ...Object.fromEntries(Object.entries(users).map(([role, user]) => [role, user.api])) } as Record<WorldRole, Client>;
  return { as, users, repo: repo.fullName, otherRepo: otherRepo.fullName, ticketId: ticket.body.id, claimedTicketId: claimed.body.id, applicantId: applicant.id, org, otherOrg, ...money };
}
