import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { accounts } from '../ledger/accounts.ts';
import { payoutEntries } from '../ledger/postings.ts';
import { sandboxChargeId } from './providers/sandbox.ts';
import { assertLedgerConsistent, ledgerRows, newKey, paidTicket as paidQuote, sendQuote, watchBalances, withKey } from './test-support.ts';

describe('refunds and disputes: full or partial, before or after release, in proportion, once', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  /** A ticket with 99.99 EUR held (sandbox fee 319), the balances of every party, and its release. */
  async function paidTicket() {
    const claimed = await paidQuote(ctx);
    const balances = await watchBalances(ctx, {
      escrow: accounts.escrow,
      processor: accounts.processorBalance,
      helper: accounts.helperPayable(claimed.helper.id),
      repo: accounts.repoPayable(claimed.repo.id),
      platform: accounts.platformRevenue,
      fees: accounts.processorFees,
    });
    const refundUrl = `/api/v1/payments/${claimed.paymentId}/refunds`;
    const release = async () => {
      assert.equal((await claimed.helper.api.post(`${claimed.url}/resolve`, { summary: 'Done.' })).status, 200);
      assert.equal((await claimed.customer.api.post(`${claimed.url}/confirm`)).status, 200);
    };
    return { ...claimed, balances, refundUrl, release };
  }

  test('a partial refund before release comes out of escrow; the rest is released; a refund after release reverses the split in proportion', async () => {
    const { repo, paymentId, balances, refundUrl, release } = await paidTicket();
    const key = newKey();
    const refunded = await repo.maintainer.api.post(refundUrl, { amount: 2500, reason: 'Only half of it was needed' }, withKey(key));
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
    assert.equal(refunded.body.refund.amount, 2500);
    assert.equal(refunded.body.refund.source, 'request');
    assert.equal(refunded.body.payment.status, 'held');
    assert.equal(refunded.body.payment.refundedAmount, 2500);
    assert.deepEqual(await balances.changes(), { escrow: -2500, processor: -2500, helper: 0, repo: 0, platform: 0, fees: 0 });

    const replayed = await repo.maintainer.api.post(refundUrl, { amount: 2500, reason: 'Only half of it was needed' }, withKey(key));
    assert.equal(replayed.status, 201);
    assert.deepEqual(replayed.body, refunded.body);
    const changed = await repo.maintainer.api.post(refundUrl, { amount: 2600, reason: 'Only half of it was needed' }, withKey(key));
    assert.equal(changed.status, 422);
    assert.match(changed.body.error.message, /different request/);
    assert.deepEqual(await balances.changes(), { escrow: -2500, processor: -2500, helper: 0, repo: 0, platform: 0, fees: 0 }, 'a replay refunds nothing more');

    await release();
    // 7499 released: 10% -> 749, 5% -> 374, fee 319, the helper 6057.
    assert.deepEqual(await balances.changes(), { escrow: -9999, processor: -2500, helper: 6057, repo: 749, platform: 374, fees: -319 });

    const after = await repo.maintainer.api.post(refundUrl, { amount: 2000, reason: 'A part did not work' }, withKey());
    assert.equal(after.status, 201, JSON.stringify(after.body));
    assert.equal(after.body.payment.status, 'released');
    assert.equal(after.body.payment.refundedAmount, 4500);
    // 2000 of 7499 in proportion (largest remainders): helper 1615, commission 200, platform 100, fee 85.
    assert.deepEqual(await balances.changes(), { escrow: -9999, processor: -4500, helper: 6057 - 1615, repo: 749 - 200, platform: 374 - 100, fees: -319 + 85 });

    const rest = await repo.maintainer.api.post(refundUrl, { amount: 5499, reason: 'Refund the rest' }, withKey());
    assert.equal(rest.body.payment.status, 'refunded');
    assert.deepEqual(await balances.changes(), { escrow: -9999, processor: -9999, helper: 0, repo: 0, platform: 0, fees: 0 }, 'refunded in pieces, everyone is back where they were');
    assert.deepEqual((await repo.maintainer.api.get(`/api/v1/payments/${paymentId}`)).body.refunds.map((refund: { amount: number }) => refund.amount), [2500, 2000, 5499]);
    await assertLedgerConsistent(ctx);
  });

  test('bad refunds are clear 4xx and touch no money', async () => {
    const { helper, customer, repo, refundUrl, ticketId } = await paidTicket();
    const operator = await createUser(ctx, { operator: true });
    const ledgerBefore = await ledgerRows(ctx);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ amount: 0, reason: 'x' }, 400, 'validation_failed'],
      [{ amount: -5, reason: 'x' }, 400, 'validation_failed'],
      [{ amount: 10.5, reason: 'x' }, 400, 'validation_failed'],
      [{ amount: 1e12, reason: 'x' }, 400, 'validation_failed'],
      [{ amount: 100 }, 400, 'validation_failed'],
      [{ amount: 10_000, reason: 'More than was paid' }, 409, 'refund_exceeds_remaining'],
    ];
    for (const [body, status, code] of cases) {
      const refused = await operator.api.post(refundUrl, body, withKey());
      assert.equal(refused.status, status, JSON.stringify(body));
      assert.equal(refused.body.error.code, code, JSON.stringify(body));
    }
    assert.equal((await operator.api.post(refundUrl, { amount: 100, reason: 'x' })).body.error.code, 'idempotency_key_required');
    assert.equal((await customer.api.post(refundUrl, { amount: 100, reason: 'x' }, withKey())).status, 403);
    assert.equal((await helper.api.post(refundUrl, { amount: 100, reason: 'x' }, withKey())).status, 403);
    assert.equal((await (await createUser(ctx)).api.post(refundUrl, { amount: 100, reason: 'x' }, withKey())).status, 404);

    const unpaid = await sendQuote(helper, ticketId, { amount: 700 });
    const pending = await customer.api.post(`/api/v1/quotes/${unpaid.id}/accept`, {}, withKey());
    const notPaid = await repo.maintainer.api.post(`/api/v1/payments/${pending.body.payment.id}/refunds`, { amount: 100, reason: 'x' }, withKey());
    assert.equal(notPaid.status, 409);
    assert.equal(notPaid.body.error.code, 'not_paid');
    assert.deepEqual(await ledgerRows(ctx), ledgerBefore);
    await assertLedgerConsistent(ctx);
  });

  test('a refund after the helper was paid out leaves the helper owing the platform', async () => {
    const { helper, repo, paymentId, balances, refundUrl, release } = await paidTicket();
    await release();
    await ctx.services.ledger.post(ctx.db, {
      idempotencyKey: `payout:test:${paymentId}`,
      kind: 'payout',
      currency: 'EUR',
      reference: { type: 'payout', id: paymentId },
      entries: payoutEntries(accounts.helperPayable(helper.id), 8182),
    });
    const refunded = await repo.maintainer.api.post(refundUrl, { amount: 2500, reason: 'Partly broken' }, withKey());
    assert.equal(refunded.status, 201);
    const changes = await balances.changes();
    assert.equal(changes.helper, -2045, 'paid 8182, then 2045 of it reversed: the helper owes 2045');
    assert.equal(changes.repo, 999 - 250);
    await assertLedgerConsistent(ctx);
  });

  test('a release racing a refund, and two refunds racing each other, each have exactly one effect', async () => {
    const first = await paidTicket();
    assert.equal((await first.helper.api.post(`${first.url}/resolve`, { summary: 'Done.' })).status, 200);
    const [confirmed, refunded] = await Promise.all([
      first.customer.api.post(`${first.url}/confirm`),
      first.repo.maintainer.api.post(first.refundUrl, { amount: 9999, reason: 'Refund everything' }, withKey()),
    ]);
    assert.equal(confirmed.status, 200);
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
    const payment = (await first.customer.api.get(`/api/v1/payments/${first.paymentId}`)).body;
    assert.equal(payment.status, 'refunded');
    assert.deepEqual(await first.balances.changes(), { escrow: -9999, processor: -9999, helper: 0, repo: 0, platform: 0, fees: 0 });

    const second = await paidTicket();
    const racing = await Promise.all([1, 2].map(() => second.repo.maintainer.api.post(second.refundUrl, { amount: 6000, reason: 'Too much' }, withKey())));
    assert.deepEqual(racing.map((response) => response.status).sort(), [201, 409]);
    assert.equal((await second.customer.api.get(`/api/v1/payments/${second.paymentId}`)).body.refundedAmount, 6000);
    await assertLedgerConsistent(ctx);
  });

  test('provider events: a refund made at the processor is recorded once; a chargeback reverses the split and a won dispute restores it', async () => {
    const { customer, paymentId, balances, release } = await paidTicket();
    await release();
    const sink = ctx.services.payments.eventSink;
    const charge = sandboxChargeId(paymentId);

    const refund = { type: 'refund.succeeded', providerChargeId: charge, providerRefundId: 're_dashboard_1', amount: 2500, currency: 'EUR' } as const;
    await sink(refund);
    await sink(refund);
    let payment = (await customer.api.get(`/api/v1/payments/${paymentId}`)).body;
    assert.equal(payment.refundedAmount, 2500);
    assert.deepEqual(payment.refunds.map((row: { source: string }) => row.source), ['provider']);
    assert.deepEqual(await balances.changes(), { escrow: -9999, processor: -2500, helper: 8182 - 2045, repo: 999 - 250, platform: 499 - 125, fees: -319 + 80 });
    await assert.rejects(sink({ ...refund, providerRefundId: 're_too_much', amount: 9000 }), /does not fit/);

    const opened = { type: 'dispute.created', providerChargeId: charge, providerDisputeId: 'dp_1', amount: 9999, currency: 'EUR' } as const;
    await sink(opened);
    await sink(opened);
    payment = (await customer.api.get(`/api/v1/payments/${paymentId}`)).body;
    assert.equal(payment.status, 'disputed');
    assert.equal(payment.disputes[0].amount, 7499, 'the parties give back what is left of the payment');
    // The bank took the whole charge, 2500 of it already refunded once: that excess is the platform's loss.
    assert.deepEqual(await balances.changes(), { escrow: -9999, processor: -12499, helper: 0, repo: 0, platform: 0, fees: 2500 });

    await sink({ type: 'dispute.closed', providerChargeId: charge, providerDisputeId: 'dp_1', status: 'won' });
    await sink({ type: 'dispute.closed', providerChargeId: charge, providerDisputeId: 'dp_1', status: 'won' });
    payment = (await customer.api.get(`/api/v1/payments/${paymentId}`)).body;
    assert.equal(payment.status, 'released');
    assert.equal(payment.disputes[0].status, 'won');
    assert.deepEqual(await balances.changes(), { escrow: -9999, processor: -2500, helper: 8182 - 2045, repo: 999 - 250, platform: 499 - 125, fees: -319 + 80 });
    await assertLedgerConsistent(ctx);
  });

  test('provider events: a lost chargeback of held money leaves it gone; failures, expiries and strangers', async () => {
    const { customer, helper, ticketId, paymentId, balances } = await paidTicket();
    const sink = ctx.services.payments.eventSink;
    const charge = sandboxChargeId(paymentId);
    await sink({ type: 'dispute.created', providerChargeId: charge, providerDisputeId: 'dp_lost', amount: 9999, currency: 'EUR' });
    await sink({ type: 'dispute.closed', providerChargeId: charge, providerDisputeId: 'dp_lost', status: 'lost' });
    const lost = (await customer.api.get(`/api/v1/payments/${paymentId}`)).body;
    assert.equal(lost.status, 'refunded');
    assert.equal(lost.chargedBackAmount, 9999);
    assert.deepEqual(await balances.changes(), { escrow: -9999, processor: -9999, helper: 0, repo: 0, platform: 0, fees: 0 });

    const quote = await sendQuote(helper, ticketId, { amount: 4000 });
    const first = (await customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey())).body.payment;
    await sink({ type: 'payment.failed', paymentId: first.id, providerPaymentId: 'x', reason: 'Your card was declined.' });
    assert.equal((await customer.api.get(`/api/v1/payments/${first.id}`)).body.failureReason, 'Your card was declined.');
    await sink({ type: 'payment.expired', paymentId: first.id, providerPaymentId: 'x' });
    assert.equal((await customer.api.get(`/api/v1/payments/${first.id}`)).body.status, 'expired');
    const again = await customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey());
    assert.equal(again.status, 201, 'an expired checkout lets the customer accept the quote again');
    assert.notEqual(again.body.payment.id, first.id);

    await assert.rejects(
      sink({ type: 'payment.succeeded', paymentId: again.body.payment.id, providerPaymentId: 'x', providerChargeId: 'ch_x', amount: 1, currency: 'EUR', processorFee: 0, captured: true }),
      /we asked for 4000 EUR/,
    );
    const ledgerBefore = await ledgerRows(ctx);
    await sink({ type: 'payment.succeeded', paymentId: crypto.randomUUID(), providerPaymentId: 'x', providerChargeId: 'ch_y', amount: 1, currency: 'EUR', processorFee: 0, captured: true });
    await sink({ type: 'refund.succeeded', providerChargeId: 'ch_unknown', providerRefundId: 're_x', amount: 1, currency: 'EUR' });
    assert.deepEqual(await ledgerRows(ctx), ledgerBefore, 'events about payments we do not have change nothing');
    await assertLedgerConsistent(ctx);
  });
});
