import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { createBuyerOrg, startInvoicingApp } from '../../../test/helpers/invoices.ts';
import { advance, createPlan, createPolicy, paySandbox, planSetup, subscribe, subscribed, withKey } from '../../../test/helpers/plans.ts';
import { DAY } from '../../lib/clock.ts';
import { accounts } from '../ledger/accounts.ts';
import { sandboxFee } from '../payments/providers/sandbox.ts';
import { assertLedgerConsistent, balanceOf } from '../payments/test-support.ts';

describe('support plans: subscribing, renewing, changing and cancelling', () => {
  let ctx: TestContext;
  let operator: TestUser;

  before(async () => {
    ({ ctx, operator } = await startInvoicingApp());
  });
  after(() => ctx.close());

  test('by card: the period starts when the sandbox payment arrives, and the money is held in escrow', async () => {
    const { plan, org } = await planSetup(ctx);
    const escrowBefore = await balanceOf(ctx, accounts.escrow);
    const key = randomUUID();
    const first = await subscribe(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' }, key);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const { subscription, payment, invoice } = first.body;
    assert.equal(subscription.status, 'incomplete');
    assert.equal(subscription.currentPeriod, null);
    assert.equal(subscription.pendingPeriod.charge, 100_000);
    assert.equal(invoice, null);
    assert.deepEqual({ status: payment.status, provider: payment.provider, amount: payment.amount, currency: payment.currency }, { status: 'pending', provider: 'sandbox', amount: 100_000, currency: 'EUR' });
    assert.match(payment.url, /\/pay\/sandbox\//);

    // The same key again replays the answer; nothing is subscribed twice.
    const replay = await subscribe(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' }, key);
    assert.equal(replay.status, 201);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.body.subscription.id, subscription.id);

    ctx.clock.advance(60_000);
    const paid = await paySandbox(org.admin, payment.id);
    assert.equal(paid.status, 'held');
    assert.equal(paid.ticketId, null);
    assert.equal(paid.kind, 'plan');
    const active = await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`);
    assert.equal(active.body.status, 'active');
    assert.equal(active.body.currentPeriod.startsAt, ctx.clock.now().toISOString());
    assert.equal(active.body.currentPeriod.endsAt, '2026-02-05T09:01:00.000Z');
    assert.equal(active.body.currentPeriod.paidAt, ctx.clock.now().toISOString());
    assert.equal(await balanceOf(ctx, accounts.escrow), escrowBefore + 100_000);

    // Paid by card, the period is invoiced to the organization at once, marked paid by the charge.
    const invoiceId = active.body.currentPeriod.invoiceId;
    assert.ok(invoiceId, 'the card period has its invoice');
    const cardInvoice = (await org.admin.api.get(`/api/v1/invoices/${invoiceId}`)).body;
    assert.deepEqual([cardInvoice.status, cardInvoice.buyer.orgId, cardInvoice.paymentId, cardInvoice.amountDue], ['paid', org.id, payment.id, 0]);
    assert.deepEqual(cardInvoice.lines.map((line: { kind: string; quantity: number; unitPrice: number }) => [line.kind, line.quantity, line.unitPrice]), [['plan', 1, 100_000]]);
    assert.equal((await org.admin.api.get(`/api/v1/orgs/${org.slug}/invoices`)).body.items.filter((listed: { id: string }) => listed.id === invoiceId).length, 1);
    await paySandbox(org.admin, payment.id);
    assert.equal((await ctx.db.selectFrom('invoices').select('id').where('payment_id', '=', payment.id).execute()).length, 1, 'paying again issues no second invoice');
    await assertLedgerConsistent(ctx);
  });

  test('subscribing twice to plans of the same repository is a 409, even to another plan', async () => {
    const { repo, policyId, plan, org } = await planSetup(ctx);
    const other = await createPlan(repo, policyId, { name: 'Platinum' });
    await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'invoice' });
    for (const planId of [plan.id, other.id]) {
      const twice = await subscribe(org.admin, org.slug, { planId, paymentMethod: 'card' });
      assert.equal(twice.status, 409);
      assert.equal(twice.body.error.code, 'already_subscribed');
    }
    assert.equal((await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions`)).body.items.length, 1);
    await assertLedgerConsistent(ctx);
  });

  test('by invoice: net terms and the PO number, the period starts at once, paying it holds the subtotal and owes the VAT', async () => {
    const { plan, org } = await planSetup(ctx);
    const { subscription, invoice, payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'invoice', poNumber: 'PO-2026-17' });
    assert.equal(subscription.status, 'active');
    assert.equal(subscription.currentPeriod.startsAt, ctx.clock.now().toISOString());
    assert.equal(payment.provider, 'invoice');
    // A German buyer with a VAT id, from a German seller: 19% on 1,000.00.
    assert.equal(invoice.total, 119_000);
    const full = await org.admin.api.get(`/api/v1/invoices/${invoice.id}`);
    assert.equal(full.body.poNumber, 'PO-2026-17');
    assert.equal(full.body.lines[0].kind, 'plan');
    assert.equal(full.body.dueDate, new Date(ctx.clock.now().getTime() + 30 * DAY).toISOString().slice(0, 10));
    assert.equal(full.body.paymentId, payment.id);

    const before = { escrow: await balanceOf(ctx, accounts.escrow), bank: await balanceOf(ctx, accounts.bankBalance), tax: await balanceOf(ctx, accounts.taxPayable) };
    const marked = await operator.api.post(`/api/v1/admin/invoices/${invoice.id}/mark-paid`, { paidAt: ctx.clock.now().toISOString(), reference: 'SEPA 1' }, withKey());
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.equal(await balanceOf(ctx, accounts.escrow), before.escrow + 100_000);
    assert.equal(await balanceOf(ctx, accounts.bankBalance), before.bank + 119_000);
    assert.equal(await balanceOf(ctx, accounts.taxPayable), before.tax + 19_000);
    const period = (await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`)).body.currentPeriod;
    assert.equal(period.paidAt, ctx.clock.now().toISOString());
    await assertLedgerConsistent(ctx);
  });

  test('an invoice unpaid after its due date makes the subscription past due; the bank import makes it active again', async () => {
    const { plan, org } = await planSetup(ctx);
    const { subscription, invoice } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'invoice' });
    const read = async () => (await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`)).body;
    await advance(ctx, 30 * DAY);
    assert.equal((await read()).status, 'active', 'still within the due date');
    await advance(ctx, 1 * DAY);
    assert.equal((await read()).status, 'past_due');

    const today = ctx.clock.now().toISOString().slice(0, 10);
    const csv = `date,amount,currency,reference\n${today},1190.00,EUR,${invoice.number}\n`;
    const imported = await operator.api.post('/api/v1/admin/bank-imports', { csv });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.matched.length, 1);
    assert.equal((await read()).status, 'active');
    await assertLedgerConsistent(ctx);
  });

  test('renewal at the period end: the period closes, a new one starts with a new payment, past due until it is paid', async () => {
    const { plan, org } = await planSetup(ctx);
    const { subscription, payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    await paySandbox(org.admin, payment.id);
    const read = async () => (await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`)).body;
    const first = (await read()).currentPeriod;

    await advance(ctx, Date.parse(first.endsAt) - ctx.clock.now().getTime());
    const renewed = await read();
    assert.equal(renewed.status, 'past_due');
    assert.equal(renewed.currentPeriod.kind, 'renewal');
    assert.equal(renewed.currentPeriod.startsAt, first.endsAt);
    assert.equal(renewed.currentPeriod.charge, 100_000);
    const periods = await ctx.db.selectFrom('subscription_periods').selectAll().where('subscription_id', '=', subscription.id).orderBy('created_at').execute();
    assert.ok(periods[0].closed_at, 'the first period was closed');
    assert.equal(periods.length, 2);

    // Running the jobs again renews nothing twice.
    await ctx.jobs.drain();
    assert.equal((await ctx.db.selectFrom('subscription_periods').select('id').where('subscription_id', '=', subscription.id).execute()).length, 2);

    const emailed = ctx.sent.filter((email) => email.to === org.admin.email && email.text.includes(renewed.currentPeriod.paymentId));
    assert.equal(emailed.length, 1, 'the payer is sent the renewal checkout');
    await paySandbox(org.admin, renewed.currentPeriod.paymentId);
    assert.equal((await read()).status, 'active');
    await assertLedgerConsistent(ctx);
  });

  test('editing a plan: a new price is charged from the next renewal, the running period keeps its own; included amounts and the SLA policy change; the period and a currency in use do not', async () => {
    const { repo, plan, org } = await planSetup(ctx);
    const { subscription, payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    await paySandbox(org.admin, payment.id);
    const read = async () => (await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`)).body;
    const url = `/api/v1/repos/${repo.fullName}/plans/${plan.id}`;
    const otherPolicy = await createPolicy(repo, { normal: { firstResponse: 30, resolution: 480 } });

    const edited = await repo.maintainer.api.patch(url, { prices: [{ currency: 'EUR', amount: 120_000 }, { currency: 'USD', amount: 130_000 }], includedHours: 20, includedTickets: 5, slaPolicyId: otherPolicy, description: 'Now with more hours.' });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual([edited.body.prices, edited.body.includedHours, edited.body.includedTickets, edited.body.slaPolicyId, edited.body.period, edited.body.name],
      [[{ currency: 'EUR', amount: 120_000 }, { currency: 'USD', amount: 130_000 }], 20, 5, otherPolicy, 'month', plan.name]);
    const running = (await read()).currentPeriod;
    assert.equal(running.amount, 100_000, 'the period paid for keeps its price');

    await advance(ctx, Date.parse(running.endsAt) - ctx.clock.now().getTime());
    assert.equal((await read()).currentPeriod.charge, 120_000, 'the renewal charges the new price');

    const dropped = await repo.maintainer.api.patch(url, { prices: [{ currency: 'USD', amount: 130_000 }] });
    assert.deepEqual([dropped.status, dropped.body.error.code], [409, 'currency_in_use']);
    const period = await repo.maintainer.api.patch(url, { period: 'year' });
    assert.equal(period.status, 400, 'the period of a plan cannot change');
    const nothing = await repo.maintainer.api.patch(url, { includedHours: null, includedTickets: null });
    assert.deepEqual([nothing.status, nothing.body.error.details[0].path], [400, 'body.includedHours']);
    const foreignPolicy = await repo.maintainer.api.patch(url, { slaPolicyId: await createPolicy(await createRepo(ctx)) });
    assert.deepEqual([foreignPolicy.status, foreignPolicy.body.error.details[0].path], [400, 'body.slaPolicyId']);
    assert.equal((await org.admin.api.patch(url, { includedHours: 99 })).status, 403, 'customers do not edit plans');
    assert.equal((await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}/plans/00000000-0000-7000-8000-000000000000`, { includedHours: 1 })).status, 404);
    const unchanged = (await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/plans`)).body.items.find((listed: { id: string }) => listed.id === plan.id);
    assert.deepEqual([unchanged.includedHours, unchanged.prices.length, unchanged.slaPolicyId], [20, 2, otherPolicy], 'refused edits changed nothing');
    const retired = await repo.maintainer.api.patch(url, { active: false });
    assert.equal(retired.body.active, false);
    const newcomer = await createBuyerOrg(ctx);
    const late = await subscribe(newcomer.admin, newcomer.slug, { planId: plan.id, paymentMethod: 'card' });
    assert.deepEqual([late.status, late.body.error.code], [409, 'plan_inactive'], 'a retired plan takes no new subscribers');
    await assertLedgerConsistent(ctx);
  });

  test('refunding a plan payment: until its period closes the money comes out of escrow with a credit note, and the close shares out only the rest; after the close it is taken back from the close (plans.refunds.test.ts)', async () => {
    const { repo, plan, org } = await planSetup(ctx);
    const { subscription, payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    await paySandbox(org.admin, payment.id);
    const read = async () => (await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`)).body;
    const period = (await read()).currentPeriod;
    const escrow = await balanceOf(ctx, accounts.escrow);
    const repoOwed = await balanceOf(ctx, accounts.repoPayable(repo.id));

    const refundUrl = `/api/v1/payments/${payment.id}/refunds`;
    assert.equal((await org.admin.api.post(refundUrl, { amount: 30_000, reason: 'Outage week' }, withKey())).status, 403, 'the payer does not refund themselves');
    const key = withKey();
    const refunded = await repo.maintainer.api.post(refundUrl, { amount: 30_000, reason: 'Outage week' }, key);
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
    assert.equal((await repo.maintainer.api.post(refundUrl, { amount: 30_000, reason: 'Outage week' }, key)).headers['idempotent-replayed'], 'true');
    assert.deepEqual([refunded.body.payment.refundedAmount, refunded.body.payment.status], [30_000, 'held']);
    assert.equal(await balanceOf(ctx, accounts.escrow), escrow - 30_000);
    const invoice = (await org.admin.api.get(`/api/v1/invoices/${period.invoiceId}`)).body;
    assert.deepEqual([invoice.creditNotes.length, invoice.lines[0].credited], [1, 30_000], 'the period invoice is credited for the refund');
    const tooMuch = await repo.maintainer.api.post(refundUrl, { amount: 70_001, reason: 'More' }, withKey());
    assert.deepEqual([tooMuch.status, tooMuch.body.error.code], [409, 'refund_exceeds_remaining']);

    // The card price included 19% VAT: 159.66 on the invoice, 47.90 of it given back by the refund's credit note.
    const note = (await org.admin.api.get(`/api/v1/invoices/${invoice.creditNotes[0].id}`)).body;
    assert.deepEqual([invoice.tax.amount, note.total, note.tax.amount], [15_966, 30_000, 4_790]);
    const tax = await balanceOf(ctx, accounts.taxPayable);

    // The close owes the 111.76 of VAT still included and shares the other 58,824 (nobody logged time: the
    // helpers' part goes to the repository): 58824 − 2941 platform − 2930 fee.
    await advance(ctx, Date.parse(period.endsAt) - ctx.clock.now().getTime());
    assert.equal(await balanceOf(ctx, accounts.taxPayable), tax + 15_966 - 4_790);
    assert.equal(await balanceOf(ctx, accounts.repoPayable(repo.id)), repoOwed + 58_824 - 2_941 - sandboxFee(100_000));
    assert.equal(await balanceOf(ctx, accounts.escrow), escrow - 100_000, 'refunded and shared out: the period left nothing in escrow (the renewal is not paid yet)');
    const beyond = await repo.maintainer.api.post(refundUrl, { amount: 70_001, reason: 'Late' }, withKey());
    assert.deepEqual([beyond.status, beyond.body.error.code], [409, 'refund_exceeds_remaining'], 'after the close too, at most what was not refunded');
    const late = await repo.maintainer.api.post(refundUrl, { amount: 1000, reason: 'Late' }, withKey());
    assert.deepEqual([late.status, late.body.payment.refundedAmount, late.body.payment.status], [201, 31_000, 'released']);
    await assertLedgerConsistent(ctx);
  });

  test('a plan paid by invoice is refunded by credit note and bank transfer, by hand: the refunds route says so', async () => {
    const { repo, plan, org } = await planSetup(ctx);
    const { invoice, payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'invoice' });
    assert.equal((await operator.api.post(`/api/v1/admin/invoices/${invoice.id}/mark-paid`, { paidAt: ctx.clock.now().toISOString(), reference: 'SEPA 5' }, withKey())).status, 200);
    const refused = await repo.maintainer.api.post(`/api/v1/payments/${payment.id}/refunds`, { amount: 1000, reason: 'x' }, withKey());
    assert.deepEqual([refused.status, refused.body.error.code], [409, 'invoice_payment']);
    await assertLedgerConsistent(ctx);
  });

  test('cancelling runs to the end of the period paid for, then the subscription ends without renewing', async () => {
    const { plan, org } = await planSetup(ctx);
    const { subscription, payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    await paySandbox(org.admin, payment.id);
    const url = `/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`;
    const cancelled = await org.admin.api.post(`${url}/cancel`);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.cancelAtPeriodEnd, true);
    assert.equal(cancelled.body.status, 'active');

    await advance(ctx, Date.parse(cancelled.body.currentPeriod.endsAt) - ctx.clock.now().getTime());
    const ended = (await org.admin.api.get(url)).body;
    assert.equal(ended.status, 'ended');
    assert.equal(ended.endedAt, cancelled.body.currentPeriod.endsAt);
    assert.equal((await ctx.db.selectFrom('subscription_periods').select('id').where('subscription_id', '=', subscription.id).execute()).length, 1);
    assert.equal((await org.admin.api.post(`${url}/cancel`)).body.error.code, 'subscription_ended');

    // The organization may subscribe again once it ended.
    await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    await assertLedgerConsistent(ctx);
  });

  test('a subscription whose first card payment never came is cancelled at once', async () => {
    const { plan, org } = await planSetup(ctx);
    const { subscription } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    const cancelled = await org.admin.api.post(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}/cancel`);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(cancelled.body.pendingPeriod, null);
    await assertLedgerConsistent(ctx);
  });

  test('upgrade and downgrade: proration numbers in minor units, credit carried to the next charges', async () => {
    const { repo, policyId, plan, org } = await planSetup(ctx);
    const gold = await createPlan(repo, policyId, { name: 'Gold', prices: [{ currency: 'EUR', amount: 250_000 }] });
    const basic = await createPlan(repo, policyId, { name: 'Basic', prices: [{ currency: 'EUR', amount: 31_000 }] });
    // Later than anything the tests before moved to: a cycle from 5 January to 5 February has 31 days.
    ctx.clock.set('2027-01-05T09:00:00Z');
    const { subscription, payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    await paySandbox(org.admin, payment.id);
    const url = `/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`;
    const period = (await org.admin.api.get(url)).body.currentPeriod;
    // Ten days into the 31, 21 are left.
    assert.equal(Date.parse(period.endsAt) - Date.parse(period.startsAt), 31 * DAY);
    ctx.clock.advance(10 * DAY);

    const upgrade = await org.admin.api.post(`${url}/change`, { planId: gold.id }, withKey());
    assert.equal(upgrade.status, 200, JSON.stringify(upgrade.body));
    // credit: 100000 × 21/31 = 67741.93 → 67741; the new plan: 250000 × 21/31 = 169354.83 → 169354.
    assert.deepEqual(upgrade.body.proration, { credit: 67_741, newRest: 169_354, creditApplied: 67_741, charge: 101_613, creditLeft: 0 });
    assert.equal(upgrade.body.payment.amount, 101_613);
    assert.equal(upgrade.body.subscription.plan.id, gold.id);
    assert.equal(upgrade.body.subscription.status, 'past_due', 'by card: past due until the change is paid');
    assert.equal(upgrade.body.subscription.currentPeriod.endsAt, period.endsAt, 'the cycle keeps its end');
    await paySandbox(org.admin, upgrade.body.payment.id);
    assert.equal((await org.admin.api.get(url)).body.status, 'active');

    // The first period, cut short, closes (a job due now) with what was left of it: 100000 - 67741 = 32259.
    await ctx.jobs.drain();
    const cut = await ctx.db.selectFrom('subscription_periods').selectAll().where('id', '=', period.id).executeTakeFirstOrThrow();
    assert.equal(cut.credited_back, 67_741);
    assert.ok(cut.close_transaction_id);
    const release = await ctx.services.ledger.transaction(cut.close_transaction_id!);
    assert.equal(release.entries.find((entry) => entry.accountCode === accounts.escrow)!.amount, 32_259);

    ctx.clock.advance(10 * DAY);
    const downgrade = await org.admin.api.post(`${url}/change`, { planId: basic.id }, withKey());
    assert.equal(downgrade.status, 200, JSON.stringify(downgrade.body));
    // 11 of the cycle's 31 days are left: credit 169354 × 11/21 = 88709.33 → 88709; Basic 31000 × 11/31 = 11000.
    assert.deepEqual(downgrade.body.proration, { credit: 88_709, newRest: 11_000, creditApplied: 11_000, charge: 0, creditLeft: 77_709 });
    assert.equal(downgrade.body.payment, null);
    assert.equal(downgrade.body.subscription.credit, 77_709);
    assert.equal(downgrade.body.subscription.status, 'active');

    // The renewal (Basic, 31000) is paid entirely by the credit: nothing to pay, 46709 left.
    await advance(ctx, Date.parse(period.endsAt) - ctx.clock.now().getTime());
    const renewed = (await org.admin.api.get(url)).body;
    assert.equal(renewed.currentPeriod.kind, 'renewal');
    assert.equal(renewed.currentPeriod.creditApplied, 31_000);
    assert.equal(renewed.currentPeriod.charge, 0);
    assert.equal(renewed.currentPeriod.paymentId, null);
    assert.equal(renewed.credit, 46_709);
    assert.equal(renewed.status, 'active');

    // Cancelled, the subscription ends with credit nobody will use: it goes back to the payer's funds.
    await org.admin.api.post(`${url}/cancel`);
    const funding = await balanceOf(ctx, accounts.customerFunding(org.admin.id));
    await advance(ctx, Date.parse(renewed.currentPeriod.endsAt) - ctx.clock.now().getTime());
    assert.equal(await balanceOf(ctx, accounts.customerFunding(org.admin.id)), funding + 46_709);
    assert.equal((await org.admin.api.get(url)).body.credit, 0);
    await assertLedgerConsistent(ctx);
  });

  test('a change refused: same plan, another period, a plan of another repository, an unpaid invoice', async () => {
    const { repo, policyId, plan, org } = await planSetup(ctx);
    const yearly = await createPlan(repo, policyId, { name: 'Yearly', period: 'year' });
    const elsewhere = await planSetup(ctx);
    const { subscription } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'invoice' });
    const change = (planId: string) => org.admin.api.post(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}/change`, { planId }, withKey());
    assert.equal((await change(plan.id)).body.error.code, 'same_plan');
    assert.equal((await change(yearly.id)).status, 400);
    assert.equal((await change(elsewhere.plan.id)).status, 400);
    const gold = await createPlan(repo, policyId, { name: 'Gold' });
    const unpaid = await change(gold.id);
    assert.equal(unpaid.status, 409);
    assert.equal(unpaid.body.error.code, 'payment_outstanding');
    await assertLedgerConsistent(ctx);
  });

  test('a plan priced in several currencies needs one chosen; an inactive plan cannot be subscribed to', async () => {
    const { repo, policyId, org } = await planSetup(ctx);
    const both = await createPlan(repo, policyId, { name: 'Both', prices: [{ currency: 'EUR', amount: 1000 }, { currency: 'USD', amount: 1100 }] });
    const missing = await subscribe(org.admin, org.slug, { planId: both.id, paymentMethod: 'card' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.details[0].path, 'body.currency');
    assert.equal((await subscribe(org.admin, org.slug, { planId: both.id, paymentMethod: 'card', currency: 'JPY' })).status, 400);
    const retired = await createPlan(repo, policyId, { name: 'Retired', active: false });
    assert.equal((await subscribe(org.admin, org.slug, { planId: retired.id, paymentMethod: 'card' })).body.error.code, 'plan_inactive');
    assert.equal((await subscribe(org.admin, org.slug, { planId: randomUUID(), paymentMethod: 'card' })).status, 404);
    const usd = await subscribed(org.admin, org.slug, { planId: both.id, paymentMethod: 'card', currency: 'usd' });
    assert.equal(usd.payment.amount, 1100);
    assert.equal(usd.payment.currency, 'USD');
    await assertLedgerConsistent(ctx);
  });

  test('money routes need an Idempotency-Key', async () => {
    const { plan, org } = await planSetup(ctx);
    const response = await org.admin.api.post(`/api/v1/orgs/${org.slug}/subscriptions`, { planId: plan.id, paymentMethod: 'card' });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'idempotency_key_required');
    await assertLedgerConsistent(ctx);
  });

  test('only admins of the organization: a member is told 403, another organization and strangers 404', async () => {
    const { plan, org } = await planSetup(ctx);
    const { subscription } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'invoice' });
    const member = await createUser(ctx);
    await ctx.db.insertInto('org_members').values({ org_id: org.id, user_id: member.id, role: 'member', created_at: ctx.clock.now() }).execute();
    const other = await createBuyerOrg(ctx);
    const stranger = await createUser(ctx);
    const url = `/api/v1/orgs/${org.slug}/subscriptions`;
    assert.equal((await member.api.post(url, { planId: plan.id, paymentMethod: 'card' }, withKey())).status, 403);
    assert.equal((await member.api.get(url)).status, 403);
    assert.equal((await member.api.post(`${url}/${subscription.id}/cancel`)).status, 403);
    assert.equal((await member.api.get(`/api/v1/orgs/${org.slug}/usage`)).status, 403);
    assert.equal((await stranger.api.get(url)).status, 404);
    assert.equal((await stranger.api.post(url, { planId: plan.id, paymentMethod: 'card' }, withKey())).status, 404);
    // Another organization's admin cannot reach this subscription through their own organization either.
    assert.equal((await other.admin.api.get(`/api/v1/orgs/${other.slug}/subscriptions/${subscription.id}`)).status, 404);
    assert.equal((await other.admin.api.post(`/api/v1/orgs/${other.slug}/subscriptions/${subscription.id}/cancel`)).status, 404);
    await assertLedgerConsistent(ctx);
  });
});
