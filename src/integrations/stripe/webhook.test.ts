import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import pino from 'pino';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { fakeStripeEnv, startFakeStripe, type FakeStripe } from '../../../test/fakes/stripe.ts';
import { retryDelayMs } from '../../jobs/queue.ts';
import type { PaymentEvent } from '../../modules/payments/providers/types.ts';
import { HANDLE_PROVIDER_EVENT_JOB } from '../../modules/provider-events/provider-events.service.ts';

const SIGNING_SECRET = 'whsec_test_backline';

/** The app configured for the fake Stripe, as an operator would configure it for the real one. */
const stripeEnv = (fake: FakeStripe, overrides: Record<string, string> = {}) => ({ ...fakeStripeEnv(fake, SIGNING_SECRET), ...overrides });

type Delivery = { body: string; headers: Record<string, string> };
const post = (ctx: TestContext, delivery: Delivery) => ctx.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: delivery.headers, payload: delivery.body });
const storedEvents = (ctx: TestContext) => ctx.db.selectFrom('provider_events').selectAll().orderBy('received_at').execute();
const sortedByType = (events: PaymentEvent[]) => [...events].sort((a, b) => a.type.localeCompare(b.type));
const handleJobs = (ctx: TestContext) => ctx.db.selectFrom('jobs').selectAll().where('queue', '=', HANDLE_PROVIDER_EVENT_JOB).execute();

describe('Stripe webhooks: verified, stored once, handled once', () => {
  let ctx: TestContext;
  let fake: FakeStripe;
  let received: PaymentEvent[];
  /** Set by a test to make the payments sink fail. */
  let failNextSinkCalls = 0;
  let sinkCalls = 0;

  before(async () => {
    // Stripe's timestamps (objects, signatures) follow the app's fake clock, read once the app exists.
    fake = await startFakeStripe({ now: () => ctx.clock.now() });
    ctx = await startTestApp({ env: stripeEnv(fake) });
    ctx.services.providerEvents.setPaymentEventSink(async (event) => {
      sinkCalls += 1;
      if (failNextSinkCalls > 0) {
        failNextSinkCalls -= 1;
        throw new Error('the ledger is unavailable');
      }
      received.push(event);
    });
  });
  after(async () => {
    await ctx.close();
    await fake.close();
  });
  beforeEach(async () => {
    // Each test starts with no job of an earlier one waiting to reach the sink.
    await ctx.jobs.drain();
    received = [];
    sinkCalls = 0;
  });

  const deliver = (event: unknown, timestamp?: number) => fake.deliver(event, SIGNING_SECRET, timestamp);
  const nowSeconds = () => Math.floor(ctx.clock.now().getTime() / 1000);
  /** A Checkout Session made through our provider, which nobody has paid yet. */
  async function openSession(captureMethod: 'automatic' | 'manual' = 'automatic') {
    const { providerPaymentId } = await ctx.services.stripe!.provider.createCheckout({
      paymentId: crypto.randomUUID(), amount: 12_000, currency: 'EUR', description: 'Fixed-price ticket', customerEmail: 'buyer@example.com',
      successUrl: 'https://backline.example/ok', cancelUrl: 'https://backline.example/cancel', captureMethod, transferGroup: crypto.randomUUID(),
      idempotencyKey: crypto.randomUUID(),
    });
    return providerPaymentId;
  }
  async function paidSession(captureMethod: 'automatic' | 'manual') {
    const sessionId = await openSession(captureMethod);
    return { sessionId, completed: fake.completeCheckout(sessionId) };
  }

  test('a signed checkout.session.completed is stored, answered at once, and handled as payment.succeeded with the fee', async () => {
    const { sessionId, completed } = await paidSession('automatic');
    const response = await post(ctx, deliver(completed));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { received: true });
    const [stored] = (await storedEvents(ctx)).filter((row) => row.external_id === completed.id);
    assert.equal(stored.provider, 'stripe');
    assert.equal(stored.type, 'checkout.session.completed');
    assert.equal(stored.handled_at, null, 'the answer does not wait for processing');
    assert.deepEqual((stored.payload as { data: unknown }).data, completed.data);
    assert.equal(received.length, 0);

    await ctx.jobs.drain();
    const session = fake.object(sessionId)!;
    const charge = fake.object(fake.object(session.payment_intent)!.latest_charge)!;
    assert.deepEqual(received, [{
      type: 'payment.succeeded', paymentId: session.metadata.payment_id, providerPaymentId: sessionId, providerChargeId: charge.id,
      amount: 12_000, currency: 'EUR', processorFee: fake.feeFor(12_000), captured: true,
    }]);
    const handled = await ctx.db.selectFrom('provider_events').selectAll().where('id', '=', stored.id).executeTakeFirstOrThrow();
    assert.deepEqual(handled.handled_at, ctx.clock.now());
    assert.equal(handled.attempts, 1);
  });

  test('an authorization (manual capture) is reported as not captured, without a fee yet', async () => {
    const { completed } = await paidSession('manual');
    assert.equal((await post(ctx, deliver(completed))).statusCode, 200);
    await ctx.jobs.drain();
    assert.equal(received.length, 1);
    assert.equal(received[0].type, 'payment.succeeded');
    assert.deepEqual(received[0].type === 'payment.succeeded' && [received[0].captured, received[0].processorFee, received[0].amount], [false, 0, 12_000]);
  });

  test('the same event delivered twice, or several times at once, is stored once and reaches the sink once', async () => {
    const { completed } = await paidSession('automatic');
    const delivery = deliver(completed);
    const responses = await Promise.all([post(ctx, delivery), post(ctx, delivery), post(ctx, delivery)]);
    assert.deepEqual(responses.map((response) => response.statusCode), [200, 200, 200]);
    await ctx.jobs.drain();
    assert.equal((await post(ctx, delivery)).statusCode, 200, 'a replay after handling is still acknowledged');
    await ctx.jobs.drain();

    const rows = (await storedEvents(ctx)).filter((row) => row.external_id === completed.id);
    assert.equal(rows.length, 1);
    const jobs = (await handleJobs(ctx)).filter((job) => (job.payload as { eventId: string }).eventId === rows[0].id);
    assert.equal(jobs.length, 1);
    assert.equal(received.length, 1);
  });

  test('a forged signature, a tampered body or a missing header is a 400 and nothing is stored', async () => {
    const { completed } = await paidSession('automatic');
    const before = (await storedEvents(ctx)).length;
    const jobsBefore = (await handleJobs(ctx)).length;

    const forged = fake.deliver(completed, 'whsec_someone_else');
    const forgedResponse = await post(ctx, forged);
    assert.equal(forgedResponse.statusCode, 400);
    assert.equal(forgedResponse.json().error.code, 'invalid_signature');

    const genuine = deliver(completed);
    const tampered = { ...genuine, body: genuine.body.replace('"amount_total": 12000', '"amount_total": 1') };
    assert.notEqual(tampered.body, genuine.body);
    assert.equal((await post(ctx, tampered)).statusCode, 400);

    const { 'stripe-signature': _dropped, ...unsignedHeaders } = genuine.headers;
    const unsigned = await post(ctx, { body: genuine.body, headers: unsignedHeaders });
    assert.equal(unsigned.statusCode, 400);
    assert.match(unsigned.json().error.message, /Stripe-Signature header is missing/);

    assert.equal((await storedEvents(ctx)).length, before);
    assert.equal((await handleJobs(ctx)).length, jobsBefore);
  });

  test('a signature older than five minutes is refused; one within the tolerance is accepted', async () => {
    const { completed } = await paidSession('automatic');
    const stale = await post(ctx, deliver(completed, nowSeconds() - 301));
    assert.equal(stale.statusCode, 400);
    assert.match(stale.json().error.message, /tolerance/);
    assert.equal((await storedEvents(ctx)).filter((row) => row.external_id === completed.id).length, 0);
    assert.equal((await post(ctx, deliver(completed, nowSeconds() - 299))).statusCode, 200);
  });

  test('malformed JSON with a valid signature is a 400, not a 500; so is JSON that is not an event', async () => {
    const before = (await storedEvents(ctx)).length;
    const malformed = await post(ctx, deliver('{"id": "evt_broken", "type": '));
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'invalid_payload');
    const notAnEvent = await post(ctx, deliver('{"hello": "world"}'));
    assert.equal(notAnEvent.statusCode, 400);
    assert.equal(notAnEvent.json().error.code, 'invalid_payload');
    assert.equal((await storedEvents(ctx)).length, before);
  });

  test('an event type we do not act on is stored and marked handled without calling the sink', async () => {
    const event = { id: 'evt_customer_created_1', object: 'event', type: 'customer.created', created: nowSeconds(), data: { object: { id: 'cus_1', object: 'customer' } } };
    assert.equal((await post(ctx, deliver(event))).statusCode, 200);
    await ctx.jobs.drain();
    const [row] = (await storedEvents(ctx)).filter((stored) => stored.external_id === event.id);
    assert.equal(row.type, 'customer.created');
    assert.notEqual(row.handled_at, null);
    assert.equal(sinkCalls, 0);
  });

  test('when the sink fails the job retries later, and once handled no run or delivery has a second effect', async () => {
    const { completed } = await paidSession('automatic');
    failNextSinkCalls = 1;
    assert.equal((await post(ctx, deliver(completed))).statusCode, 200);
    await ctx.jobs.drain();
    const [failed] = (await storedEvents(ctx)).filter((row) => row.external_id === completed.id);
    assert.equal(sinkCalls, 1);
    assert.equal(received.length, 0);
    assert.equal(failed.handled_at, null);
    assert.equal(failed.attempts, 1);
    assert.equal(failed.last_error, 'the ledger is unavailable');

    ctx.clock.advance(retryDelayMs(1));
    await ctx.jobs.drain();
    assert.equal(received.length, 1);
    const handled = await ctx.db.selectFrom('provider_events').selectAll().where('id', '=', failed.id).executeTakeFirstOrThrow();
    assert.notEqual(handled.handled_at, null);
    assert.equal(handled.attempts, 2);
    assert.equal(handled.last_error, null);

    // A duplicate job (a worker's lock expiring) and a redelivery both find the event handled.
    assert.equal(await ctx.services.providerEvents.handle(failed.id), 'skipped');
    assert.equal((await post(ctx, deliver(completed))).statusCode, 200);
    await ctx.jobs.drain();
    assert.equal(sinkCalls, 2);
    assert.equal(received.length, 1);
  });

  test('refunds, declines, expiries and disputes become their normalized events', async () => {
    const provider = ctx.services.stripe!.provider;
    const { sessionId } = await paidSession('automatic');
    const chargeId = fake.object(fake.object(sessionId)!.payment_intent)!.latest_charge as string;
    const first = await provider.refund(sessionId, 2_000, crypto.randomUUID());
    ctx.clock.advance(1_000);
    const second = await provider.refund(sessionId, 3_000, crypto.randomUUID());
    await post(ctx, deliver(fake.eventAbout('charge.refunded', chargeId)));
    await ctx.jobs.drain();
    // Stripe lists the newest refund first; the ledger wants them in the order they happened.
    assert.deepEqual(received, [
      { type: 'refund.succeeded', providerChargeId: chargeId, providerRefundId: first.providerRefundId, amount: 2_000, currency: 'EUR' },
      { type: 'refund.succeeded', providerChargeId: chargeId, providerRefundId: second.providerRefundId, amount: 3_000, currency: 'EUR' },
    ]);

    received = [];
    const disputed = fake.dispute(chargeId);
    await post(ctx, deliver(disputed));
    await post(ctx, deliver(fake.closeDispute(disputed.data.object.id, 'lost')));
    const declinedSession = await openSession();
    const declined = fake.declineCheckout(declinedSession);
    await post(ctx, deliver(declined));
    const expiredSession = await openSession();
    await post(ctx, deliver(fake.expireCheckout(expiredSession)));
    await ctx.jobs.drain();
    const disputeId = disputed.data.object.id;
    // Stripe does not promise delivery order, nor do our jobs within a batch: compare regardless of order.
    assert.deepEqual(sortedByType(received), sortedByType([
      { type: 'dispute.created', providerChargeId: chargeId, providerDisputeId: disputeId, amount: 12_000, currency: 'EUR' },
      { type: 'dispute.closed', providerChargeId: chargeId, providerDisputeId: disputeId, status: 'lost' },
      { type: 'payment.failed', paymentId: fake.object(declinedSession)!.metadata.payment_id, providerPaymentId: declinedSession, reason: 'Your card was declined.' },
      { type: 'payment.expired', paymentId: fake.object(expiredSession)!.metadata.payment_id, providerPaymentId: expiredSession },
    ]));
  });
});

describe('Stripe webhooks without their configuration', () => {
  let fake: FakeStripe;
  before(async () => {
    fake = await startFakeStripe();
  });
  after(() => fake.close());

  async function refusesEverything(env: Record<string, string>, reason: RegExp): Promise<TestContext['services']> {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const ctx = await startTestApp({ env, logger });
    try {
      const event = { id: 'evt_unsigned_1', object: 'event', type: 'checkout.session.completed', data: { object: {} } };
      for (const delivery of [fake.deliver(event, SIGNING_SECRET), fake.deliver(event, ''), { body: JSON.stringify(event), headers: { 'content-type': 'application/json' } }]) {
        const response = await post(ctx, delivery);
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().error.code, 'webhook_unavailable');
        assert.match(response.json().error.message, reason);
      }
      assert.equal((await storedEvents(ctx)).length, 0);
      assert.equal(lines.filter((line) => /stripe webhooks are off/.test(line)).length, 1, 'one line at start says why');
      return ctx.services;
    } finally {
      await ctx.close();
    }
  }

  test('an empty signing secret refuses every delivery, signed or not', async () => {
    await refusesEverything(stripeEnv(fake, { STRIPE_WEBHOOK_SECRET: '' }), /STRIPE_WEBHOOK_SECRET is unset/);
  });

  test('without a secret key the integration is off: no provider, and the route refuses events', async () => {
    const services = await refusesEverything({ STRIPE_WEBHOOK_SECRET: SIGNING_SECRET }, /STRIPE_SECRET_KEY is unset/);
    assert.equal(services.stripe, null);
  });
});
