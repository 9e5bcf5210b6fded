import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from '../../../test/helpers/app.ts';
import { createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { startInvoicingApp } from '../../../test/helpers/invoices.ts';
import { addMember, advance, createPolicy, openTicket, paySandbox, planSetup, subscribed, type Org, type Repo } from '../../../test/helpers/plans.ts';
import { HOUR, MINUTE } from '../../lib/clock.ts';
import { accounts } from '../ledger/accounts.ts';
import { sandboxFee } from '../payments/providers/sandbox.ts';
import { approvedHelper, assertLedgerConsistent, balanceOf } from '../payments/test-support.ts';

describe('support plans: plan tickets, usage and revenue sharing', () => {
  let ctx: TestContext;
  let repo: Repo;
  let org: Org;
  let planPolicy: string;
  let defaultPolicy: string;
  let subscriptionId: string;
  let member: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  const linked = async (ticketId: string) => (await ctx.db.selectFrom('subscription_tickets').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst())?.subscription_id ?? null;

  before(async () => {
    ({ ctx } = await startInvoicingApp());
    const setup = await planSetup(ctx, { includedHours: 10, includedTickets: 5 });
    ({ repo, org } = setup);
    planPolicy = setup.policyId;
    // The repository's default for everyone else: plan tickets must get the plan's policy instead.
    defaultPolicy = await createPolicy(repo, { normal: { firstResponse: 600 } });
    assert.equal((await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/sla-policies/default`, { policyId: defaultPolicy })).status, 200);
    alice = await approvedHelper(ctx, repo);
    bob = await approvedHelper(ctx, repo);
    member = await addMember(ctx, org.id, await createUser(ctx));
    const { subscription, payment } = await subscribed(org.admin, org.slug, { planId: setup.plan.id, paymentMethod: 'card' });
    subscriptionId = subscription.id;
    await paySandbox(org.admin, payment.id);
  });
  after(() => ctx.close());

  test("members' tickets on the repository are linked to the subscription and get the plan's SLA; others keep the default", async () => {
    const byMember = await openTicket(member, repo);
    assert.equal(await linked(byMember.id), subscriptionId);
    assert.deepEqual({ policyId: byMember.sla?.policyId, source: byMember.sla?.source }, { policyId: planPolicy, source: 'plan' });

    const forOrg = await openTicket(org.admin, repo, { org: org.slug });
    assert.equal(await linked(forOrg.id), subscriptionId);

    const outsider = await openTicket(await createUser(ctx), repo);
    assert.equal(await linked(outsider.id), null);
    assert.deepEqual({ policyId: outsider.sla?.policyId, source: outsider.sla?.source }, { policyId: defaultPolicy, source: 'repo_default' });

    const community = await member.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'A question', body: 'How?', track: 'community' });
    if (community.status === 201) assert.equal(await linked(community.body.id), null, 'free tickets count against no plan');

    const elsewhere = await planSetup(ctx);
    assert.equal(await linked((await openTicket(member, elsewhere.repo)).id), null, 'another repository is not covered');
  });

  test('plan tickets come first in the helper queue, by their SLA clock', async () => {
    const queue = await alice.api.get('/api/v1/helpers/me/queue');
    assert.equal(queue.status, 200);
    const first = queue.body.items[0];
    assert.ok(first.sla, 'a ticket with a running clock leads the queue');
  });

  test('usage per period: logged hours and tickets against the plan, SLA targets met and breached', async () => {
    const answered = await openTicket(member, repo, { title: 'Answered in time' });
    const ignored = await openTicket(member, repo, { title: 'Left waiting' });
    for (const [helper, ticket, minutes] of [[alice, answered, 100], [bob, ignored, 50]] as const) {
      assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/claim`)).status, 200);
      const logged = await helper.api.post(`/api/v1/tickets/${ticket.id}/time-entries`, { minutes, note: 'Investigated' });
      assert.equal(logged.status, 201, JSON.stringify(logged.body));
    }
    ctx.clock.advance(10 * MINUTE);
    assert.equal((await alice.api.post(`/api/v1/tickets/${answered.id}/messages`, { body: 'Found it: the daemon shard count.' })).status, 201);
    // The plan's policy gives an hour for a first response: the other ticket breaches it.
    await advance(ctx, HOUR);

    const usage = await org.admin.api.get(`/api/v1/orgs/${org.slug}/usage`);
    assert.equal(usage.status, 200, JSON.stringify(usage.body));
    assert.equal(usage.body.items.length, 1);
    const [item] = usage.body.items;
    assert.equal(item.subscriptionId, subscriptionId);
    assert.deepEqual(item.included, { hours: 10, tickets: 5 });
    assert.deepEqual(item.used, { minutes: 150, hours: 2.5, tickets: 4 });
    assert.equal(item.sla.firstResponse.met, 1);
    assert.ok(item.sla.firstResponse.breached >= 3, JSON.stringify(item.sla));
    assert.equal(item.sla.met, item.sla.firstResponse.met + item.sla.resolution.met);

    const bad = await org.admin.api.get(`/api/v1/orgs/${org.slug}/usage?from=2026-02-01&to=2026-01-01`);
    assert.equal(bad.status, 400);
  });

  test('at the period close the revenue after commission and fees goes to the helpers by logged time, exactly, with statement lines', async () => {
    const sub = (await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscriptionId}`)).body;
    const before = {
      alice: await balanceOf(ctx, accounts.helperPayable(alice.id)),
      bob: await balanceOf(ctx, accounts.helperPayable(bob.id)),
      repo: await balanceOf(ctx, accounts.repoPayable(repo.id)),
      platform: await balanceOf(ctx, accounts.platformRevenue),
      escrow: await balanceOf(ctx, accounts.escrow),
      tax: await balanceOf(ctx, accounts.taxPayable),
    };
    await advance(ctx, Date.parse(sub.currentPeriod.endsAt) - ctx.clock.now().getTime());

    // 1000.00 paid by card includes 19% German VAT, 159.66 (net 840.34), owed to the tax authority; the rest,
    // 84034, is shared: commission 10% 8403, platform 5% 4201, fee 2930, helpers 68500.
    // By minutes 100:50, 45666.67 and 22833.33: the unit left over goes to the larger remainder, Alice's.
    assert.equal(sandboxFee(100_000), 2_930);
    const invoice = (await org.admin.api.get(`/api/v1/invoices/${sub.currentPeriod.invoiceId}`)).body;
    assert.deepEqual([invoice.total, invoice.tax.amount, invoice.subtotal, invoice.tax.inclusive], [100_000, 15_966, 84_034, true]);
    assert.equal(await balanceOf(ctx, accounts.taxPayable), before.tax + 15_966, "the invoice's VAT is owed, never shared");
    assert.equal(await balanceOf(ctx, accounts.helperPayable(alice.id)), before.alice + 45_667);
    assert.equal(await balanceOf(ctx, accounts.helperPayable(bob.id)), before.bob + 22_833);
    assert.equal(await balanceOf(ctx, accounts.repoPayable(repo.id)), before.repo + 8_403);
    assert.equal(await balanceOf(ctx, accounts.platformRevenue), before.platform + 4_201);
    assert.equal(await balanceOf(ctx, accounts.escrow), before.escrow - 100_000);

    const from = sub.currentPeriod.startsAt.slice(0, 10);
    const statement = await alice.api.get(`/api/v1/helpers/me/statements?from=${from}&to=2027-01-01`);
    assert.equal(statement.status, 200, JSON.stringify(statement.body));
    const line = statement.body.lines.find((candidate: { kind: string }) => candidate.kind === 'plan');
    assert.ok(line, JSON.stringify(statement.body.lines));
    assert.deepEqual({ gross: line.gross, commission: line.commission, platformFee: line.platformFee, processorFee: line.processorFee, net: line.net }, { gross: 84_034, commission: 8_403, platformFee: 4_201, processorFee: 2_930, net: 45_667 });
    assert.match(line.description, /^Support plan /);
    const repoStatement = await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/statements?from=${from}&to=2027-01-01&currency=EUR`);
    assert.equal(repoStatement.body.lines.find((candidate: { kind: string }) => candidate.kind === 'plan').net, 8_403);

    // Closing again (the job running twice) shares nothing twice.
    await ctx.jobs.drain();
    assert.equal(await balanceOf(ctx, accounts.helperPayable(alice.id)), before.alice + 45_667);
    await assertLedgerConsistent(ctx);
  });

  test('a period nobody logged time in: the helpers’ part goes to the repository', async () => {
    const quiet = await planSetup(ctx);
    const { subscription, payment } = await subscribed(quiet.org.admin, quiet.org.slug, { planId: quiet.plan.id, paymentMethod: 'card' });
    await paySandbox(quiet.org.admin, payment.id);
    const repoBefore = await balanceOf(ctx, accounts.repoPayable(quiet.repo.id));
    const period = (await quiet.org.admin.api.get(`/api/v1/orgs/${quiet.org.slug}/subscriptions/${subscription.id}`)).body.currentPeriod;
    await advance(ctx, Date.parse(period.endsAt) - ctx.clock.now().getTime());
    // Of the 84034 net of VAT: 8403 commission and the helpers' 68500.
    assert.equal(await balanceOf(ctx, accounts.repoPayable(quiet.repo.id)), repoBefore + 76_903);
    await assertLedgerConsistent(ctx);
  });
});
