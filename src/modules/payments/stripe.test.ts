import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fakeStripeEnv, startFakeStripe, type FakeStripe } from '../../../test/fakes/stripe.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo } from '../../../test/helpers/factories.ts';
import { accounts } from '../ledger/accounts.ts';
import { assertLedgerConsistent, claimedTicket, createOffering, sendQuote, watchBalances, withKey } from './test-support.ts';

const SIGNING_SECRET = 'whsec_payments_test';

describe('payments through Stripe: checkout, the webhook inbox into the sink, refunds and chargebacks match the processor', () => {
  let ctx: TestContext;
  let fake: FakeStripe;
  before(async () => {
    fake = await startFakeStripe({ now: () => ctx.clock.now() });
    ctx = await startTestApp({ env: fakeStripeEnv(fake, SIGNING_SECRET) });
  });
  after(async () => {
    await ctx.close();
    await fake.close();
  });

  /** Delivers a Stripe event to our webhook and lets the inbox hand it to the payments sink. */
  async function deliver(event: unknown) {
    const delivery = fake.deliver(event, SIGNING_SECRET);
    const response = await ctx.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: delivery.headers, payload: delivery.body });
    assert.equal(response.statusCode, 200, response.body);
    await ctx.jobs.drain();
  }

  const sessionOf = async (paymentId: string) =>
    (await ctx.db.selectFrom('payments').select('provider_payment_id').where('id', '=', paymentId).executeTakeFirstOrThrow()).provider_payment_id!;

  test('a quote paid at Stripe is held, refunded in part, released, charged back and won back; our processor balance follows Stripe\'s to the unit', async () => {
    const { helper, customer, url, ticketId, repo } = await claimedTicket(ctx);
    const quote = await sendQuote(helper, ticketId);
    const accepted = await customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey());
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    const payment = accepted.body.payment;
    assert.equal(payment.provider, 'stripe');
    const sessionId = await sessionOf(payment.id);
    assert.equal(payment.url, `${fake.url}/c/pay/${sessionId}`);
    assert.equal((await customer.api.get(`/pay/sandbox/${payment.id}`)).status, 404, 'no sandbox page while Stripe takes the payments');
    assert.equal((await customer.api.post(`/api/v1/payments/${payment.id}/sandbox/complete`)).status, 404);

    const processorBefore = fake.balance('EUR');
    const balances = await watchBalances(ctx, {
      processor: accounts.processorBalance,
      escrow: accounts.escrow,
      helper: accounts.helperPayable(helper.id),
      repo: accounts.repoPayable(repo.id),
    });
    const matchesStripe = async () => assert.equal((await balances.changes()).processor, fake.balance('EUR') - processorBefore, 'our processor:balance moved as Stripe\'s balance did');

    const completed = fake.completeCheckout(sessionId);
    await deliver(completed);
    await deliver(completed);
    let seen = (await customer.api.get(`/api/v1/payments/${payment.id}`)).body;
    assert.equal(seen.status, 'held');
    assert.equal(seen.processorFee, fake.feeFor(9999));
    await matchesStripe();

    const refunded = await repo.maintainer.api.post(`/api/v1/payments/${payment.id}/refunds`, { amount: 2500, reason: 'Part of it was not needed' }, withKey());
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
    const chargeId = (await ctx.db.selectFrom('payments').select('provider_charge_id').where('id', '=', payment.id).executeTakeFirstOrThrow()).provider_charge_id!;
    await deliver(fake.eventAbout('charge.refunded', chargeId));
    seen = (await customer.api.get(`/api/v1/payments/${payment.id}`)).body;
    assert.equal(seen.refunds.length, 1, 'our refund and Stripe\'s event about it are one refund');
    assert.equal(seen.refundedAmount, 2500);
    await matchesStripe();

    await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' });
    await customer.api.post(`${url}/confirm`);
    const released = await balances.changes();
    assert.equal((await customer.api.get(`/api/v1/payments/${payment.id}`)).body.status, 'released');
    assert.equal(released.escrow, 0);

    const disputed = fake.dispute(chargeId);
    await deliver(disputed);
    seen = (await customer.api.get(`/api/v1/payments/${payment.id}`)).body;
    assert.equal(seen.status, 'disputed');
    assert.equal((await balances.changes()).helper, 0, 'the chargeback took the helper\'s share back in proportion');
    await matchesStripe();

    await deliver(fake.closeDispute(disputed.data.object.id, 'won'));
    seen = (await customer.api.get(`/api/v1/payments/${payment.id}`)).body;
    assert.equal(seen.status, 'released');
    assert.deepEqual(await balances.changes(), released, 'a won dispute gives everyone back their share');
    await matchesStripe();
    await assertLedgerConsistent(ctx);
  });

  test('a session is authorized at checkout and only its metered time is captured at release', async () => {
    const repo = await createRepo(ctx);
    const session = await createOffering(repo, { kind: 'session', name: 'Pairing', currency: 'EUR', prices: [{ currency: 'EUR', initialFee: 1000, perMinuteRate: 100, minimumMinutes: 10 }] });
    const { helper, customer, url } = await claimedTicket(ctx, { repo });
    const booked = await customer.api.post(`${url}/purchase`, { offeringId: session.id, currency: 'EUR', estimatedMinutes: 60 }, withKey());
    assert.equal(booked.body.payment.amount, 7000);
    const processorBefore = fake.balance('EUR');
    const processor = await watchBalances(ctx, { processor: accounts.processorBalance });

    await deliver(fake.completeCheckout(await sessionOf(booked.body.payment.id)));
    assert.equal((await customer.api.get(`/api/v1/payments/${booked.body.payment.id}`)).body.status, 'authorized');
    await helper.api.post(`${url}/time-entries`, { minutes: 25, note: 'Pairing' });
    await helper.api.post(`${url}/resolve`, { summary: 'Found it.' });
    assert.equal((await customer.api.post(`${url}/confirm`)).status, 200);

    const paid = (await customer.api.get(`/api/v1/payments/${booked.body.payment.id}`)).body;
    assert.equal(paid.status, 'released');
    assert.equal(paid.capturedAmount, 1000 + 100 * 25);
    assert.equal(paid.processorFee, fake.feeFor(3500));
    assert.equal((await processor.changes()).processor, fake.balance('EUR') - processorBefore);
    await assertLedgerConsistent(ctx);
  });
});
