import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DAY, MINUTE } from '../src/lib/clock.ts';
import { accounts } from '../src/modules/ledger/accounts.ts';
import { checkInvariants } from '../src/modules/ledger/ledger.service.ts';
import { startTestApp, type TestContext } from './helpers/app.ts';
import { createUser, type TestUser } from './helpers/factories.ts';
import { withKey } from './helpers/http.ts';

let ctx: TestContext;
before(async () => (ctx = await startTestApp()));
after(() => ctx.close());

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
