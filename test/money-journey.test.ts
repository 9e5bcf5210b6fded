import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { DAY, MINUTE } from '../src/lib/clock.ts';
import { accounts } from '../src/modules/ledger/accounts.ts';
import { checkInvariants } from '../src/modules/ledger/ledger.service.ts';
import { fakeStripeEnv, startFakeStripe, type FakeStripe } from './fakes/stripe.ts';
import { startTestApp, type TestContext } from './helpers/app.ts';
import { createUser, type TestUser } from './helpers/factories.ts';
import { withKey } from './helpers/http.ts';

let ctx: TestContext;

const balance = async (code: string) => (await ctx.services.ledger.balance(code, 'EUR')).balance;

/** Every account the journey touches, on its natural side; this file has its own database, so they start at 0. */
async function books(helper: TestUser, repoId: string) {
  return {
    escrow: await balance(accounts.escrow),
    processor: await balance(accounts.processorBalance),
    fees: await balance(accounts.processorFees),
    helper: await balance(accounts.helperPayable(helper.id)),
    repo: await balance(accounts.repoPayable(repoId)),
    platform: await balance(accounts.platformRevenue),
  };
}

async function browser(user: TestUser, method: 'GET' | 'POST', url: string) {
  return ctx.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${user.token}`, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    payload: method === 'POST' ? '' : undefined,
  });
}

describe('on the sandbox', () => {
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  test('the money journey: quote, accept, pay on the sandbox page, log time, resolve, confirm; the split is exact in the ledger and on the payment; then a purchase that releases by itself after the grace period', async () => {
    const maintainer = await createUser(ctx, { name: 'Maya Maintainer' });
    const operator = await createUser(ctx, { operator: true });
    const helper = await createUser(ctx, { name: 'Ada Helper' });
    const customer = await createUser(ctx, { name: 'Cy Customer' });
    const repoUrl = '/api/v1/repos/money/widgets';

    assert.equal((await maintainer.api.post('/api/v1/repos', { fullName: 'money/widgets', description: 'Widgets that pay' })).status, 201);
    assert.equal((await operator.api.post('/api/v1/admin/repos/money/widgets/verify', { decision: 'verified' })).body.status, 'verified');
    const repo = await maintainer.api.patch(repoUrl, { offerings: { expert: true } });
    assert.equal(repo.body.commissionBps, 1000, 'the default 10% commission');
    assert.equal((await helper.api.post(`${repoUrl}/helpers/applications`, { pitch: 'I wrote the renderer.' })).status, 201);
    assert.equal((await maintainer.api.post(`${repoUrl}/helpers/${helper.id}/approve`, {})).status, 200);

    const opened = await customer.api.post('/api/v1/tickets', { repo: 'money/widgets', title: 'Widgets leak memory', body: 'The heap grows by 1 MB a minute.', track: 'expert' });
    assert.equal(opened.status, 201);
    const ticketUrl = `/api/v1/tickets/${opened.body.id}`;
    assert.equal((await helper.api.post(`${ticketUrl}/claim`)).status, 200);

    ctx.clock.advance(MINUTE);
    const quote = await helper.api.post(`${ticketUrl}/quotes`, { amount: 9999, currency: 'EUR', description: 'Profile the renderer and fix the leak', estimatedMinutes: 60 });
    assert.equal(quote.status, 201);
    const accepted = await customer.api.post(`/api/v1/quotes/${quote.body.id}/accept`, {}, withKey());
    assert.equal(accepted.status, 201);
    const payment = accepted.body.payment;
    assert.equal(payment.status, 'pending');

    const checkoutPath = new URL(payment.url).pathname;
    assert.equal(checkoutPath, `/pay/sandbox/${payment.id}`);
    const page = await browser(customer, 'GET', checkoutPath);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /TEST MODE — no real money moves/);
    assert.match(page.body, /€99\.99/);
    const action = /<form method="post" action="([^"]+)">/.exec(page.body)![1];
    const paid = await browser(customer, 'POST', action);
    assert.equal(paid.statusCode, 303);
    assert.match((await browser(customer, 'GET', String(paid.headers.location))).body, /<strong>held<\/strong>/);
    // The sandbox processor kept 2.9% + 30 = 319 of 9999; the platform carries that fee until the release.
    assert.deepEqual(await books(helper, repo.body.id), { escrow: 9999, processor: 9680, fees: 319, helper: 0, repo: 0, platform: 0 });

    ctx.clock.advance(45 * MINUTE);
    const logged = await helper.api.post(`${ticketUrl}/time-entries`, { minutes: 45, note: 'Heap snapshots, found the listener leak' });
    assert.equal(logged.status, 201);
    assert.equal((await customer.api.get(`${ticketUrl}/time-entries`)).body.totalMinutes, 45);

    assert.equal((await helper.api.post(`${ticketUrl}/resolve`, { summary: 'Listeners are removed on unmount; fixed in 2.3.1.' })).status, 200);
    assert.ok((await customer.api.get(`/api/v1/payments/${payment.id}`)).body.releaseDueAt, 'resolving scheduled the release');
    ctx.clock.advance(MINUTE);
    assert.equal((await customer.api.post(`${ticketUrl}/confirm`)).body.status, 'closed');

    // 9999: commission 10% = 999 (999.9 rounded down), platform 5% = 499, fee 319, the helper the rest: 8182.
    assert.deepEqual(await books(helper, repo.body.id), { escrow: 0, processor: 9680, fees: 0, helper: 8182, repo: 999, platform: 499 });
    for (const viewer of [customer, helper, maintainer]) {
      const shown = (await viewer.api.get(`/api/v1/payments/${payment.id}`)).body;
      assert.equal(shown.status, 'released');
      assert.equal(shown.releasedAt, ctx.clock.now().toISOString());
      assert.deepEqual(shown.split, { helper: 8182, commission: 999, platformFee: 499, processorFee: 319 });
    }
    const lines = await ctx.services.payments.billableTime(ctx.db, payment.id);
    assert.deepEqual(lines.map((line) => line.minutes), [45], "the helper's time becomes the payment's invoice lines");

    // The buyer's invoice, issued with the release: the quote's price, the logged time at no extra charge, paid by card.
    const invoiceId = (await customer.api.get(`/api/v1/payments/${payment.id}`)).body.invoiceId;
    const invoice = (await customer.api.get(`/api/v1/invoices/${invoiceId}`)).body;
    assert.equal(invoice.seller.legalName, 'Backline (test mode)', 'a sandbox platform sells under its test-mode name');
    assert.deepEqual(invoice.lines.map((line: { kind: string; quantity: number; amount: number; description: string }) => [line.kind, line.quantity, line.amount, line.description]), [
      ['offering', 1, 9999, 'Profile the renderer and fix the leak'],
      ['time', 45, 0, 'Heap snapshots, found the listener leak'],
    ]);
    assert.deepEqual([invoice.status, invoice.total, invoice.amountDue], ['paid', 9999, 0]);
    const pdf = await ctx.app.inject({ method: 'GET', url: `/api/v1/invoices/${invoiceId}.pdf`, headers: { authorization: `Bearer ${customer.token}` } });
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal((await helper.api.get(`/api/v1/invoices/${invoiceId}`)).status, 404, "the helper is not the buyer: the invoice is the customer's");

    // A fixed-price purchase on a second ticket that nobody confirms: it releases itself after ESCROW_GRACE_DAYS.
    const offering = await maintainer.api.post(`${repoUrl}/offerings`, { kind: 'fixed', name: 'Quick question', description: '', currency: 'EUR', prices: [{ currency: 'EUR', price: 5000 }] });
    assert.equal(offering.status, 201);
    const second = await customer.api.post('/api/v1/tickets', { repo: 'money/widgets', title: 'How do I theme widgets?', body: 'Dark mode.', track: 'expert', offeringId: offering.body.id });
    const secondUrl = `/api/v1/tickets/${second.body.id}`;
    assert.equal((await helper.api.post(`${secondUrl}/claim`)).status, 200);
    const bought = await customer.api.post(`${secondUrl}/purchase`, { offeringId: offering.body.id, currency: 'EUR' }, withKey());
    assert.equal(bought.status, 201);
    assert.equal((await customer.api.post(`/api/v1/payments/${bought.body.payment.id}/sandbox/complete`)).body.status, 'held');
    assert.equal((await helper.api.post(`${secondUrl}/resolve`, { summary: 'Use the theme provider.' })).status, 200);

    ctx.clock.advance(5 * DAY - MINUTE);
    await ctx.jobs.drain();
    assert.equal((await customer.api.get(`/api/v1/payments/${bought.body.payment.id}`)).body.status, 'held', 'still within the grace period');
    ctx.clock.advance(MINUTE);
    await ctx.jobs.drain();
    assert.equal((await customer.api.get(secondUrl)).body.status, 'closed', 'auto-confirmed');
    const auto = (await customer.api.get(`/api/v1/payments/${bought.body.payment.id}`)).body;
    assert.equal(auto.status, 'released');
    // 5000: commission 500, platform 250, fee 145 + 30 = 175, the helper 4075.
    assert.deepEqual(auto.split, { helper: 4075, commission: 500, platformFee: 250, processorFee: 175 });
    assert.deepEqual(await books(helper, repo.body.id), { escrow: 0, processor: 9680 + 4825, fees: 0, helper: 8182 + 4075, repo: 999 + 500, platform: 499 + 250 });

    // A refund of an invoiced payment is documented by a credit note for the refunded amount, once per refund.
    const refundKey = withKey();
    const refunded = await maintainer.api.post(`/api/v1/payments/${bought.body.payment.id}/refunds`, { amount: 1000, reason: 'Answered late' }, refundKey);
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
    assert.equal((await maintainer.api.post(`/api/v1/payments/${bought.body.payment.id}/refunds`, { amount: 1000, reason: 'Answered late' }, refundKey)).status, 201);
    const credited = (await customer.api.get(`/api/v1/invoices/${auto.invoiceId}`)).body;
    assert.equal(credited.creditNotes.length, 1, 'the replayed refund issued no second credit note');
    assert.equal(credited.creditedTotal, 1000);

    assert.deepEqual(await checkInvariants(ctx.db), { ok: true, problems: [] });
  });
});

describe('on Stripe (the fake speaks its API and signs its webhooks)', () => {
  const SIGNING_SECRET = 'whsec_money_journey';
  let fake: FakeStripe;
  before(async () => {
    fake = await startFakeStripe({ now: () => ctx.clock.now() });
    ctx = await startTestApp({ env: fakeStripeEnv(fake, SIGNING_SECRET) });
  });
  after(async () => {
    await ctx.close();
    await fake.close();
  });

  /** A webhook as Stripe delivers it (signed raw body), then the inbox's job that hands it to the payments sink. */
  async function deliver(event: unknown) {
    const delivery = fake.deliver(event, SIGNING_SECRET);
    const response = await ctx.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: delivery.headers, payload: delivery.body });
    assert.equal(response.statusCode, 200, response.body);
    await ctx.jobs.drain();
  }
  const providerIds = (paymentId: string) =>
    ctx.db.selectFrom('payments').select(['provider_payment_id', 'provider_charge_id']).where('id', '=', paymentId).executeTakeFirstOrThrow();

  test('quote, accept, pay at Stripe, log time, release, split, invoice, refund after release in proportion, Connect payout, statements that match the ledger, a clean ledger check', async () => {
    ctx.clock.set('2026-03-02T09:00:00Z'); // a Monday: the whole journey is in one payout week and one statement month
    const maintainer = await createUser(ctx, { name: 'Maya Maintainer' });
    const operator = await createUser(ctx, { operator: true });
    const helper = await createUser(ctx, { name: 'Ada Helper' });
    const customer = await createUser(ctx, { name: 'Cy Customer' });
    const repoUrl = '/api/v1/repos/stripe/widgets';
    assert.equal((await maintainer.api.post('/api/v1/repos', { fullName: 'stripe/widgets', description: 'Widgets paid by card' })).status, 201);
    assert.equal((await operator.api.post('/api/v1/admin/repos/stripe/widgets/verify', { decision: 'verified' })).status, 200);
    const repo = (await maintainer.api.patch(repoUrl, { offerings: { expert: true } })).body;
    assert.equal((await helper.api.post(`${repoUrl}/helpers/applications`, { pitch: 'I wrote the renderer.' })).status, 201);
    assert.equal((await maintainer.api.post(`${repoUrl}/helpers/${helper.id}/approve`, {})).status, 200);
    // The buyer is an individual without a country: the seller's (DE). Card prices carry no VAT yet (docs/invoices.md).
    assert.equal((await operator.api.put('/api/v1/admin/tax-rates/DE', { rateBps: 0 })).status, 200);

    // Quote and accept: a Checkout Session at Stripe.
    const opened = await customer.api.post('/api/v1/tickets', { repo: 'stripe/widgets', title: 'Widgets leak memory', body: 'The heap grows.', track: 'expert' });
    const ticketUrl = `/api/v1/tickets/${opened.body.id}`;
    assert.equal((await helper.api.post(`${ticketUrl}/claim`)).status, 200);
    const quote = await helper.api.post(`${ticketUrl}/quotes`, { amount: 9999, currency: 'EUR', description: 'Profile the renderer and fix the leak', estimatedMinutes: 60 });
    assert.equal(quote.status, 201);
    const acceptKey = withKey();
    const accepted = await customer.api.post(`/api/v1/quotes/${quote.body.id}/accept`, {}, acceptKey);
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    const retried = await customer.api.post(`/api/v1/quotes/${quote.body.id}/accept`, {}, acceptKey);
    assert.deepEqual([retried.headers['idempotent-replayed'], retried.body.payment.id], ['true', accepted.body.payment.id]);
    const payment = accepted.body.payment;
    assert.equal(payment.provider, 'stripe');
    const { provider_payment_id: sessionId } = await providerIds(payment.id);
    assert.equal(payment.url, `${fake.url}/c/pay/${sessionId}`);
    assert.equal(fake.all('checkout.session').filter((session) => session.id === sessionId).length, 1, 'the retried accept opened no second checkout');

    // Paid at Stripe: the signed checkout.session.completed holds the money. Delivered twice, it counts once.
    const stripeBefore = fake.balance('EUR');
    const completed = fake.completeCheckout(sessionId!);
    await deliver(completed);
    await deliver(completed);
    const fee = fake.feeFor(9999);
    assert.equal(fee, 320, 'Stripe kept 2.9% + 30');
    assert.deepEqual(await books(helper, repo.id), { escrow: 9999, processor: 9679, fees: 320, helper: 0, repo: 0, platform: 0 });
    const stripeMoved = () => fake.balance('EUR') - stripeBefore;
    assert.equal(stripeMoved(), 9679, "our processor:balance is Stripe's balance");

    // Time logged, resolved, confirmed: released and split, the documented 9999 example to the unit.
    ctx.clock.advance(45 * MINUTE);
    assert.equal((await helper.api.post(`${ticketUrl}/time-entries`, { minutes: 45, note: 'Heap snapshots, found the listener leak' })).status, 201);
    assert.equal((await helper.api.post(`${ticketUrl}/resolve`, { summary: 'Listeners are removed on unmount.' })).status, 200);
    assert.equal((await customer.api.post(`${ticketUrl}/confirm`)).body.status, 'closed');
    const released = (await customer.api.get(`/api/v1/payments/${payment.id}`)).body;
    assert.equal(released.status, 'released');
    assert.deepEqual(released.split, { helper: 8181, commission: 999, platformFee: 499, processorFee: 320 });
    assert.deepEqual(await books(helper, repo.id), { escrow: 0, processor: 9679, fees: 0, helper: 8181, repo: 999, platform: 499 });

    // The invoice: issued by the configured seller with the release, paid by the card charge.
    const invoice = (await customer.api.get(`/api/v1/invoices/${released.invoiceId}`)).body;
    assert.equal(invoice.seller.legalName, 'Backline GmbH');
    assert.deepEqual([invoice.status, invoice.total, invoice.amountDue, invoice.paymentReference], ['paid', 9999, 0, (await providerIds(payment.id)).provider_charge_id]);
    assert.deepEqual(invoice.lines.map((line: { kind: string; amount: number }) => [line.kind, line.amount]), [['offering', 9999], ['time', 0]]);

    // A refund after release: Stripe refunds, the split is reversed in proportion (ledger.md's worked example),
    // a credit note documents it, and Stripe's charge.refunded about the same refund changes nothing more.
    ctx.clock.advance(DAY);
    const refunded = await maintainer.api.post(`/api/v1/payments/${payment.id}/refunds`, { amount: 2500, reason: 'One part was not needed' }, withKey());
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
    await deliver(fake.eventAbout('charge.refunded', (await providerIds(payment.id)).provider_charge_id!));
    assert.equal((await customer.api.get(`/api/v1/payments/${payment.id}`)).body.refunds.length, 1);
    // helper 2045, commission 250, platform 125, processor fee 80 taken back; the platform now bears 80 of Stripe's fee.
    assert.deepEqual(await books(helper, repo.id), { escrow: 0, processor: 9679 - 2500, fees: 80, helper: 8181 - 2045, repo: 999 - 250, platform: 499 - 125 });
    assert.equal(stripeMoved(), 9679 - 2500);
    const credited = (await customer.api.get(`/api/v1/invoices/${invoice.id}`)).body;
    assert.deepEqual([credited.creditNotes.length, credited.creditedTotal], [1, 2500]);

    // The helper onboards with Stripe Connect (account.updated arrives signed) and the weekly run transfers what is owed.
    const { account } = await ctx.services.stripe!.onboard({ owner: { type: 'helper', id: helper.id }, email: helper.email, refreshUrl: 'https://backline.example/r', returnUrl: 'https://backline.example/d' });
    await deliver(fake.completeOnboarding(account.provider_account_id));
    ctx.clock.advance(DAY);
    assert.equal((await operator.api.post('/api/v1/admin/payouts/run')).status, 202);
    await ctx.jobs.drain();
    const [payout] = (await helper.api.get('/api/v1/helpers/me/payouts')).body.items;
    assert.deepEqual([payout.method, payout.status, payout.amount], ['stripe', 'paid', 6136]);
    const transfers = fake.all('transfer').filter((transfer) => transfer.destination === account.provider_account_id);
    assert.deepEqual(transfers.map((transfer) => [transfer.id, transfer.amount]), [[payout.providerTransferId, 6136]]);
    assert.deepEqual(await books(helper, repo.id), { escrow: 0, processor: 9679 - 2500 - 6136, fees: 80, helper: 0, repo: 749, platform: 374 });
    assert.equal(stripeMoved(), 9679 - 2500 - 6136, 'charge, refund and transfer: Stripe and the ledger agree');
    assert.equal((await maintainer.api.get(`${repoUrl}/payouts`)).body.items.length, 0, "the repository's 7.49 is under the 50.00 minimum: it waits");

    // Statements: the helper's and the repository's, as JSON and CSV, carry the ledger's figures.
    const period = 'from=2026-03-01&to=2026-04-01';
    const helperStatement = (await helper.api.get(`/api/v1/helpers/me/statements?${period}`)).body;
    assert.deepEqual(helperStatement.lines.map((line: { kind: string; gross: number; commission: number; platformFee: number; processorFee: number; net: number }) =>
      [line.kind, line.gross, line.commission, line.platformFee, line.processorFee, line.net]), [
      ['release', 9999, 999, 499, 320, 8181],
      ['refund', -2500, -250, -125, -80, -2045],
      ['payout', 0, 0, 0, 0, -6136],
    ]);
    assert.deepEqual([helperStatement.openingBalance, helperStatement.totals.net, helperStatement.closingBalance], [0, 0, await balance(accounts.helperPayable(helper.id))]);
    const repoStatement = (await maintainer.api.get(`${repoUrl}/statements?${period}`)).body;
    assert.deepEqual(repoStatement.lines.map((line: { kind: string; net: number }) => [line.kind, line.net]), [['release', 999], ['refund', -250]]);
    assert.equal(repoStatement.closingBalance, await balance(accounts.repoPayable(repo.id)));

    for (const [viewer, url, statement] of [[helper, '/api/v1/helpers/me/statements', helperStatement], [maintainer, `${repoUrl}/statements`, repoStatement]] as const) {
      const csv = await viewer.api.get(`${url}?${period}&format=csv`);
      assert.equal(csv.status, 200);
      const rows: Record<string, string>[] = parse(csv.body, { columns: true });
      const cents = (decimal: string) => Math.round(Number(decimal) * 100);
      assert.deepEqual(rows.map((row) => [row.kind, cents(row.net)]), [
        ['opening_balance', statement.openingBalance],
        ...statement.lines.map((line: { kind: string; net: number }) => [line.kind, line.net]),
        ['total', statement.totals.net],
        ['closing_balance', statement.closingBalance],
      ]);
      assert.deepEqual(rows.filter((row) => row.kind === 'total').map((row) => [cents(row.gross), cents(row.commission), cents(row.platform_fee), cents(row.processor_fee)]),
        [[statement.totals.gross, statement.totals.commission, statement.totals.platformFee, statement.totals.processorFee]]);
    }

    // The operator's check over the whole ledger.
    const check = await operator.api.get('/api/v1/admin/ledger/check');
    assert.equal(check.status, 200);
    assert.deepEqual(check.body, { ok: true, problems: [] });
  });
});
