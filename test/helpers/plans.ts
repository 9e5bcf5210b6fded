import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from './app.ts';
import { openTicket as openExpertTicket } from './support.ts';
import { createRepo, type TestUser } from './factories.ts';
import { createBuyerOrg } from './invoices.ts';
import { withKey } from './http.ts';

export type Repo = Awaited<ReturnType<typeof createRepo>>;
export type Org = Awaited<ReturnType<typeof createBuyerOrg>>;

/** An SLA policy around the clock: a first response within an hour and a resolution within a day, for normal tickets. */
export async function createPolicy(repo: Repo, targets: Record<string, unknown> = { normal: { firstResponse: 60, resolution: 1440 } }): Promise<string> {
  const created = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/sla-policies`, { name: `Policy ${randomUUID().slice(0, 8)}`, calendarId: null, targets });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

export async function createPlan(repo: Repo, slaPolicyId: string, fields: Record<string, unknown> = {}) {
  const created = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/plans`, {
    name: `Plan ${randomUUID().slice(0, 8)}`,
    period: 'month',
    prices: [{ currency: 'EUR', amount: 100_000 }],
    includedHours: 10,
    slaPolicyId,
    ...fields,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; name: string; prices: { currency: string; amount: number }[] };
}

/** A verified repository with an SLA policy and a plan of 1,000.00 EUR a month, and an organization (German, with a VAT id) to buy it. */
export async function planSetup(ctx: TestContext, plan: Record<string, unknown> = {}) {
  const repo = await createRepo(ctx);
  const policyId = await createPolicy(repo);
  const created = await createPlan(repo, policyId, plan);
  const org = await createBuyerOrg(ctx);
  return { repo, policyId, plan: created, org };
}

export { withKey };

export async function subscribe(admin: TestUser, slug: string, body: Record<string, unknown>, key = randomUUID()) {
  return admin.api.post(`/api/v1/orgs/${slug}/subscriptions`, body, withKey(key));
}

/** Subscribes and asserts it worked; returns the answer's body. */
export async function subscribed(admin: TestUser, slug: string, body: Record<string, unknown>) {
  const response = await subscribe(admin, slug, body);
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body as { subscription: any; payment: any; invoice: any };
}

export async function paySandbox(payer: TestUser, paymentId: string) {
  const paid = await payer.api.post(`/api/v1/payments/${paymentId}/sandbox/complete`);
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  return paid.body;
}

/** Adds a user to an organization directly (the invitation flow is tested in orgs). */
export async function addMember(ctx: TestContext, orgId: string, user: TestUser, role: 'admin' | 'member' = 'member') {
  await ctx.db.insertInto('org_members').values({ org_id: orgId, user_id: user.id, role, created_at: ctx.clock.now() }).execute();
  return user;
}

/** Moves the fake clock and runs every job due by then (renewals, period closes, due dates). */
export async function advance(ctx: TestContext, ms: number) {
  ctx.clock.advance(ms);
  await ctx.jobs.drain();
}

/** Opens an expert ticket on the repository (a plan ticket when the user belongs to a subscribing organization). */
export const openTicket = (user: TestUser, repo: Repo, fields: Record<string, unknown> = {}) => openExpertTicket(user, repo, { priority: 'normal', ...fields });
