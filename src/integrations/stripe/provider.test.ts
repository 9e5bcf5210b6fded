import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeStripe, type FakeStripe } from '../../../test/fakes/stripe.ts';
import type { CheckoutRequest } from '../../modules/payments/providers/types.ts';
import { createStripeClient, type StripeClientOptions } from './client.ts';
import { stripeProvider } from './provider.ts';

describe('Stripe provider (the Stripe SDK against a fake Stripe)', () => {
  let fake: FakeStripe;
  let sequence = 0;
  const key = (what: string) => `${what}-${++sequence}`;
  const providerWith = (options: Partial<StripeClientOptions> = {}) =>
    stripeProvider(createStripeClient({ secretKey: fake.secretKey, host: fake.host, port: fake.port, protocol: 'http', ...options }));
  const checkout = (overrides: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
    paymentId: key('payment'),
    amount: 10_000,
    currency: 'USD',
    description: 'Expert session on acme/widget',
    customerEmail: 'buyer@example.com',
    successUrl: 'https://backline.example/pay/done',
    cancelUrl: 'https://backline.example/pay/cancelled',
    captureMethod: 'automatic',
    transferGroup: key('group'),
    idempotencyKey: key('checkout'),
    ...overrides,
  });
  /** A paid, captured checkout: money on the platform balance to refund or transfer from. */
  async function paidCheckout(amount = 10_000) {
    const provider = providerWith();
    const { providerPaymentId } = await provider.createCheckout(checkout({ amount }));
    fake.completeCheckout(providerPaymentId);
    return providerPaymentId;
  }
  const lastRequest = (path: string) => fake.requests.findLast((request) => request.path === path)!;
  const movementsOf = (kind: string) => fake.movements.filter((movement) => movement.kind === kind);

  before(async () => {
    fake = await startFakeStripe();
  });
  after(() => fake.close());

  test('checkout is a Checkout Session in our currency and amount, tagged with our payment id and transfer group', async () => {
    const request = checkout({ captureMethod: 'manual' });
    const result = await providerWith().createCheckout(request);
    assert.match(result.providerPaymentId, /^cs_/);
    assert.equal(result.url, `${fake.url}/c/pay/${result.providerPaymentId}`);
    const sent = lastRequest('/v1/checkout/sessions');
    assert.equal(sent.idempotencyKey, request.idempotencyKey);
    assert.equal(sent.params.mode, 'payment');
    assert.deepEqual(sent.params.line_items, [
      { quantity: '1', price_data: { currency: 'usd', unit_amount: '10000', product_data: { name: request.description } } },
    ]);
    assert.equal(sent.params.customer_email, 'buyer@example.com');
    assert.equal(sent.params.client_reference_id, request.paymentId);
    assert.deepEqual(sent.params.metadata, { payment_id: request.paymentId });
    assert.deepEqual(sent.params.payment_intent_data, { transfer_group: request.transferGroup, capture_method: 'manual', metadata: { payment_id: request.paymentId } });
    assert.equal(sent.params.success_url, request.successUrl);
    assert.equal(sent.params.cancel_url, request.cancelUrl);
  });

  test('a manual-capture payment is captured for less than was authorized, and the fee is read from the balance transaction', async () => {
    const provider = providerWith();
    const { providerPaymentId } = await provider.createCheckout(checkout({ amount: 10_000, captureMethod: 'manual' }));
    fake.completeCheckout(providerPaymentId);
    assert.equal(movementsOf('charge').length, 0, 'authorized only: nothing captured yet');

    const captured = await provider.capture(providerPaymentId, 6_000, key('capture'));
    assert.equal(captured.capturedAmount, 6_000);
    assert.equal(captured.processorFee, fake.feeFor(6_000));
    assert.equal(captured.processorFee, 204, '2.9% + 30 of 60.00');
    assert.match(captured.providerChargeId, /^ch_/);
    assert.deepEqual(lastRequest(`/v1/payment_intents/${fake.object(providerPaymentId)!.payment_intent}/capture`).params, {
      amount_to_capture: '6000',
      expand: ['latest_charge.balance_transaction'],
    });
    const charge = fake.object(captured.providerChargeId)!;
    assert.equal(charge.amount_captured, 6_000);
    assert.deepEqual(fake.movements.filter((movement) => movement.id === captured.providerChargeId || movement.id === charge.balance_transaction), [
      { kind: 'charge', id: captured.providerChargeId, amount: 6_000, currency: 'USD' },
      { kind: 'fee', id: charge.balance_transaction, amount: -204, currency: 'USD' },
    ]);
    await assert.rejects(provider.capture(providerPaymentId, 1_000, key('capture')), { type: 'StripeInvalidRequestError', code: 'payment_intent_unexpected_state' });
  });

  test('cancel expires an unpaid session and releases an authorization', async () => {
    const provider = providerWith();
    const unpaid = await provider.createCheckout(checkout());
    await provider.cancel(unpaid.providerPaymentId, key('cancel'));
    assert.equal(fake.object(unpaid.providerPaymentId)!.status, 'expired');

    const authorized = await provider.createCheckout(checkout({ captureMethod: 'manual' }));
    fake.completeCheckout(authorized.providerPaymentId);
    await provider.cancel(authorized.providerPaymentId, key('cancel'));
    assert.equal(fake.object(fake.object(authorized.providerPaymentId)!.payment_intent)!.status, 'canceled');
  });

  test('a refund takes part of the payment back, and no more than is left', async () => {
    const provider = providerWith();
    const payment = await paidCheckout(10_000);
    const { providerRefundId } = await provider.refund(payment, 2_500, key('refund'));
    assert.match(providerRefundId, /^re_/);
    const refund = fake.object(providerRefundId)!;
    assert.equal(refund.amount, 2_500);
    assert.equal(refund.payment_intent, fake.object(payment)!.payment_intent);
    assert.deepEqual(movementsOf('refund').at(-1), { kind: 'refund', id: providerRefundId, amount: -2_500, currency: 'USD' });
    await assert.rejects(provider.refund(payment, 7_501, key('refund')), { code: 'amount_too_large', statusCode: 400 });
  });

  test('transfers pay a connected account within the transfer group, and reversals take part of it back', async () => {
    const provider = providerWith();
    await paidCheckout(20_000);
    const { providerAccountId } = await provider.createConnectedAccount('helper@example.com', 'DE');
    assert.match(providerAccountId, /^acct_/);
    assert.deepEqual(lastRequest('/v1/accounts').params, { type: 'express', email: 'helper@example.com', country: 'DE', capabilities: { transfers: { requested: 'true' } } });

    const before = fake.balance('USD');
    const { providerTransferId } = await provider.transfer({ destination: providerAccountId, amount: 7_000, currency: 'USD', transferGroup: 'payment-42', idempotencyKey: key('transfer') });
    assert.match(providerTransferId, /^tr_/);
    assert.deepEqual(
      (({ amount, currency, destination, transfer_group }) => ({ amount, currency, destination, transfer_group }))(fake.object(providerTransferId)!),
      { amount: 7_000, currency: 'usd', destination: providerAccountId, transfer_group: 'payment-42' },
    );

    const { providerReversalId } = await provider.reverseTransfer(providerTransferId, 3_000, key('reversal'));
    assert.match(providerReversalId, /^trr_/);
    assert.equal(fake.object(providerTransferId)!.amount_reversed, 3_000);
    assert.equal(fake.balance('USD'), before - 7_000 + 3_000);
    await assert.rejects(provider.reverseTransfer(providerTransferId, 4_001, key('reversal')), { code: 'amount_too_large' });
  });

  test('a transfer larger than the platform balance is refused by Stripe, not half-made', async () => {
    const provider = providerWith();
    const { providerAccountId } = await provider.createConnectedAccount('repo@example.com');
    const transfers = movementsOf('transfer').length;
    await assert.rejects(
      provider.transfer({ destination: providerAccountId, amount: fake.balance('USD') + 1, currency: 'USD', transferGroup: 'too-much', idempotencyKey: key('transfer') }),
      { code: 'balance_insufficient' },
    );
    assert.equal(movementsOf('transfer').length, transfers);
  });

  test('retrying a call with its idempotency key returns the first result instead of moving money again', async () => {
    const provider = providerWith();
    await paidCheckout(10_000);
    const { providerAccountId } = await provider.createConnectedAccount('helper2@example.com');
    const request = { destination: providerAccountId, amount: 1_000, currency: 'USD', transferGroup: 'payment-7', idempotencyKey: key('transfer') };
    const transfers = movementsOf('transfer').length;
    const first = await provider.transfer(request);
    const again = await provider.transfer(request);
    assert.equal(again.providerTransferId, first.providerTransferId);
    assert.equal(movementsOf('transfer').length, transfers + 1);
    // The same key for a different request is a mistake Stripe refuses rather than guessing.
    await assert.rejects(provider.transfer({ ...request, amount: 2_000 }), { type: 'StripeIdempotencyError' });

    const checkoutRequest = checkout();
    const session = await provider.createCheckout(checkoutRequest);
    assert.deepEqual(await provider.createCheckout(checkoutRequest), session);
  });

  test('a 500 from Stripe is retried by the SDK with the same idempotency key, and the transfer happens once', async () => {
    const provider = providerWith();
    await paidCheckout(10_000);
    const { providerAccountId } = await provider.createConnectedAccount('helper3@example.com');
    const transfers = movementsOf('transfer').length;
    const idempotencyKey = key('transfer');
    fake.failNext(1, 'error');
    const { providerTransferId } = await provider.transfer({ destination: providerAccountId, amount: 500, currency: 'USD', transferGroup: 'payment-8', idempotencyKey });
    const attempts = fake.requests.filter((request) => request.idempotencyKey === idempotencyKey);
    assert.deepEqual(attempts.map((attempt) => attempt.outcome), [500, 200]);
    assert.equal(movementsOf('transfer').length, transfers + 1);
    assert.equal(movementsOf('transfer').at(-1)!.id, providerTransferId);
  });

  test('an answer lost to a timeout is retried, and Stripe replays the transfer it already made', async () => {
    const provider = providerWith({ timeoutMs: 300 });
    await paidCheckout(10_000);
    const { providerAccountId } = await provider.createConnectedAccount('helper4@example.com');
    const transfers = movementsOf('transfer').length;
    const idempotencyKey = key('transfer');
    fake.failNext(1, 'hang');
    const { providerTransferId } = await provider.transfer({ destination: providerAccountId, amount: 700, currency: 'USD', transferGroup: 'payment-9', idempotencyKey });
    const attempts = fake.requests.filter((request) => request.idempotencyKey === idempotencyKey);
    assert.deepEqual(attempts.map((attempt) => attempt.outcome), ['hung', 200]);
    assert.equal(movementsOf('transfer').length, transfers + 1, 'the first attempt did the work; the retry only replayed it');
    assert.equal(movementsOf('transfer').at(-1)!.id, providerTransferId);
  });

  test('when Stripe keeps failing the error surfaces, and our later retry with the same key still transfers once', async () => {
    const provider = providerWith({ maxNetworkRetries: 1 });
    await paidCheckout(10_000);
    const { providerAccountId } = await provider.createConnectedAccount('helper5@example.com');
    const transfers = movementsOf('transfer').length;
    const request = { destination: providerAccountId, amount: 900, currency: 'USD', transferGroup: 'payment-10', idempotencyKey: key('transfer') };
    fake.failNext(2, 'error');
    await assert.rejects(provider.transfer(request), { type: 'StripeAPIError', statusCode: 500 });
    assert.equal(movementsOf('transfer').length, transfers);
    await provider.transfer(request);
    await provider.transfer(request);
    assert.equal(movementsOf('transfer').length, transfers + 1);
  });

  test('an onboarding link is for Connect Express account onboarding', async () => {
    const provider = providerWith();
    const { providerAccountId } = await provider.createConnectedAccount('maintainer@example.com', 'FR');
    const url = await provider.onboardingLink(providerAccountId, 'https://backline.example/payouts/refresh', 'https://backline.example/payouts/done');
    assert.ok(url.startsWith(`${fake.url}/setup/e/${providerAccountId}/`));
    assert.deepEqual(lastRequest('/v1/account_links').params, {
      account: providerAccountId,
      type: 'account_onboarding',
      refresh_url: 'https://backline.example/payouts/refresh',
      return_url: 'https://backline.example/payouts/done',
    });
  });
});
