import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { DAY } from '../../lib/clock.ts';
import { accounts } from '../ledger/accounts.ts';
import { sandboxFee } from './providers/sandbox.ts';
import {
  approvedHelper,
  assertLedgerConsistent,
  claimedTicket,
  createOffering,
  ledgerRows,
  newKey,
  pay,
  sendQuote,
  watchBalances,
  withKey,
} from './test-support.ts';

describe('checkout: the sandbox page, paying into escrow, buying offerings, who sees a payment', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  const money = { escrow: accounts.escrow, processor: accounts.processorBalance, fees: accounts.processorFees };

  test('the OpenAPI document describes the payment routes, with the Idempotency-Key on money routes', async () => {
    const spec = (await client(ctx).get('/openapi.json')).body;
    for (const path of ['/api/v1/quotes/{id}/accept', '/api/v1/tickets/{id}/purchase', '/api/v1/payments/{id}/refunds', '/api/v1/admin/payments/{id}/dispute-resolution']) {
      const parameters = spec.paths[path].post.parameters.map((parameter: { name: string; in: string }) => `${parameter.in}:${parameter.name}`);
      assert.ok(parameters.includes('header:idempotency-key'), path);
    }
    for (const path of ['/api/v1/tickets/{id}/quotes', '/api/v1/payments/{id}', '/api/v1/tickets/{id}/time-entries', '/api/v1/tickets/{id}/dispute']) assert.ok(spec.paths[path], path);
    assert.equal(spec.paths['/pay/sandbox/{id}'], undefined, 'the sandbox page is not part of the API');
  });

  test('the sandbox fee is 2.9% rounded down plus 30, never more than the amount', () => {
    assert.equal(sandboxFee(9999), 289 + 30);
    assert.equal(sandboxFee(10_000), 290 + 30);
    assert.equal(sandboxFee(20), 20);
  });

  test('the sandbox page says TEST MODE, shows the amount and a Pay button; paying holds the money in escrow once', async () => {
    const { helper, customer, ticketId, repo } = await claimedTicket(ctx);
    const quote = await sendQuote(helper, ticketId, { description: 'Fix <the> leak & ship it' });
    const accepted = await customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey());
    const paymentId = accepted.body.payment.id as string;
    const pageUrl = `/pay/sandbox/${paymentId}`;

    const page = await ctx.app.inject({ method: 'GET', url: pageUrl, headers: { authorization: `Bearer ${customer.token}` } });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /TEST MODE — no real money moves/);
    assert.match(page.body, /€99\.99/);
    assert.match(page.body, /Fix &lt;the&gt; leak &amp; ship it/, 'the description is escaped');
    assert.match(page.body, new RegExp(`<form method="post" action="/api/v1/payments/${paymentId}/sandbox/complete">`));
    assert.doesNotMatch(page.body, /<script/i);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);

    for (const [who, user] of [['the helper', helper], ['a maintainer', repo.maintainer], ['a stranger', await createUser(ctx)]] as const) {
      const refused = await ctx.app.inject({ method: 'GET', url: pageUrl, headers: { authorization: `Bearer ${user.token}` } });
      assert.equal(refused.statusCode, 404, `${who} has no checkout page`);
    }
    assert.equal((await helper.api.post(`/api/v1/payments/${paymentId}/sandbox/complete`)).status, 404, 'only the payer pays');

    const ledgerBefore = await ledgerRows(ctx);
    const balances = await watchBalances(ctx, money);
    const sent = ctx.sent.length;
    const paid = await pay(customer, paymentId);
    assert.equal(paid.status, 'held');
    assert.equal(paid.capturedAmount, 9999);
    assert.equal(paid.processorFee, 319);
    assert.ok(paid.heldAt);
    assert.deepEqual(await balances.changes(), { escrow: 9999, processor: 9999 - 319, fees: 319 });

    const again = await pay(customer, paymentId);
    assert.equal(again.status, 'held');
    const afterPaid = await ledgerRows(ctx);
    assert.equal(afterPaid.transactions, ledgerBefore.transactions + 1, 'paying twice captures once');
    assert.deepEqual(await balances.changes(), { escrow: 9999, processor: 9999 - 319, fees: 319 });

    await ctx.jobs.drain();
    const held = ctx.sent.slice(sent).filter((email) => email.to === helper.email && email.subject.includes('Paid and held'));
    assert.equal(held.length, 1, 'the helper learns once that the money is held');
    assert.match(held[0].text, /€99\.99/);

    const done = await ctx.app.inject({ method: 'GET', url: pageUrl, headers: { authorization: `Bearer ${customer.token}` } });
    assert.doesNotMatch(done.body, /<form/);
    assert.match(done.body, /<strong>held<\/strong>/);
    await assertLedgerConsistent(ctx);
  });

  test('paying twice at once, through the page and a provider event together, captures once', async () => {
    const { helper, customer, ticketId } = await claimedTicket(ctx);
    const quote = await sendQuote(helper, ticketId, { amount: 4200 });
    const payment = (await customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey())).body.payment;
    const before = await ledgerRows(ctx);
    const event = { type: 'payment.succeeded', paymentId: payment.id, providerPaymentId: `sandbox_${payment.id}`, providerChargeId: `sandbox_ch_${payment.id}`, amount: 4200, currency: 'EUR', processorFee: sandboxFee(4200), captured: true } as const;
    const [first, second] = await Promise.all([
      customer.api.post(`/api/v1/payments/${payment.id}/sandbox/complete`),
      customer.api.post(`/api/v1/payments/${payment.id}/sandbox/complete`),
      ctx.services.payments.eventSink(event),
      ctx.services.payments.eventSink(event),
    ]);
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.equal((await ledgerRows(ctx)).transactions, before.transactions + 1);
    assert.equal((await customer.api.get(`/api/v1/payments/${payment.id}`)).body.capturedAmount, 4200);
    await assertLedgerConsistent(ctx);
  });

  test("the page's form posts back to the page (303), and the payment is held", async () => {
    const { helper, customer, ticketId } = await claimedTicket(ctx);
    const quote = await sendQuote(helper, ticketId, { amount: 2500 });
    const paymentId = (await customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey())).body.payment.id;
    const posted = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/payments/${paymentId}/sandbox/complete`,
      headers: { authorization: `Bearer ${customer.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    assert.equal(posted.statusCode, 303);
    assert.equal(posted.headers.location, `/pay/sandbox/${paymentId}`);
    assert.equal((await customer.api.get(`/api/v1/payments/${paymentId}`)).body.status, 'held');
  });

  test('who sees a payment: payer, helper, maintainers, operators; not other helpers, strangers or anonymous callers', async () => {
    const { repo, helper, customer, ticketId } = await claimedTicket(ctx);
    const otherHelper = await approvedHelper(ctx, repo);
    const operator = await createUser(ctx, { operator: true });
    const quote = await sendQuote(helper, ticketId);
    const paymentId = (await customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey())).body.payment.id;
    const url = `/api/v1/payments/${paymentId}`;

    for (const user of [customer, helper, repo.maintainer, operator]) {
      const seen = await user.api.get(url);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.id, paymentId);
      assert.equal(seen.body.ticketId, ticketId);
      assert.equal(seen.body.split, null);
    }
    assert.equal((await otherHelper.api.get(url)).status, 404);
    assert.equal((await (await createUser(ctx)).api.get(url)).status, 404);
    assert.equal((await client(ctx).get(url)).status, 401);
    assert.equal((await customer.api.get('/api/v1/payments/not-a-uuid')).status, 400);

    const listed = await customer.api.get(`/api/v1/tickets/${ticketId}/payments`);
    assert.deepEqual(listed.body.items.map((item: { id: string }) => item.id), [paymentId]);
    assert.equal((await otherHelper.api.get(`/api/v1/tickets/${ticketId}/payments`)).status, 403);
  });

  test("buying a fixed offering charges the assignee's own rate, or the listed price while nobody is assigned; twice is a 409", async () => {
    const repo = await createRepo(ctx);
    const offering = await createOffering(repo, { kind: 'fixed', name: 'Bug investigation', currency: 'EUR', prices: [{ currency: 'EUR', price: 50_000, bounds: { min: 40_000, max: 80_000 } }] });
    const { helper, customer, ticketId, url } = await claimedTicket(ctx, { repo, ticket: { offeringId: offering.id } });
    assert.equal((await helper.api.put(`/api/v1/repos/${repo.fullName}/offerings/${offering.id}/my-rate`, { currency: 'EUR', price: 60_000 })).status, 200);

    const key = newKey();
    const bought = await customer.api.post(`${url}/purchase`, { offeringId: offering.id, currency: 'eur' }, withKey(key));
    assert.equal(bought.status, 201, JSON.stringify(bought.body));
    assert.equal(bought.body.payment.kind, 'fixed');
    assert.equal(bought.body.payment.amount, 60_000);
    assert.equal(bought.body.payment.description, 'Bug investigation');
    assert.equal(bought.body.payment.ticketId, ticketId);
    assert.equal(bought.body.payment.offeringId, offering.id);
    assert.deepEqual((await customer.api.post(`${url}/purchase`, { offeringId: offering.id, currency: 'EUR' }, withKey(key))).body, bought.body);
    const twice = await customer.api.post(`${url}/purchase`, { offeringId: offering.id, currency: 'EUR' }, withKey());
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'already_purchased');

    const open = await claimedTicket(ctx, { repo, claim: false });
    const listed = await open.customer.api.post(`${open.url}/purchase`, { offeringId: offering.id, currency: 'EUR' }, withKey());
    assert.equal(listed.status, 201);
    assert.equal(listed.body.payment.amount, 50_000, 'nobody assigned yet: the listed price');
    await pay(open.customer, listed.body.payment.id);
    assert.equal((await open.helper.api.post(`${open.url}/claim`)).status, 200);
    assert.equal((await open.helper.api.get(`/api/v1/payments/${listed.body.payment.id}`)).status, 200, 'whoever claims it sees what was paid');
    await open.helper.api.post(`${open.url}/resolve`, { summary: 'Answered.' });
    await open.customer.api.post(`${open.url}/confirm`);
    const released = await ctx.db.selectFrom('payments').select(['status', 'helper_id']).where('id', '=', listed.body.payment.id).executeTakeFirstOrThrow();
    assert.deepEqual(released, { status: 'released', helper_id: open.helper.id }, 'the helper who did the work is paid');

    const unassigned = await claimedTicket(ctx, { repo, claim: false });
    const orphan = await unassigned.customer.api.post(`${unassigned.url}/purchase`, { offeringId: offering.id, currency: 'EUR' }, withKey());
    await pay(unassigned.customer, orphan.body.payment.id);
    assert.equal((await repo.maintainer.api.post(`${unassigned.url}/resolve`, { summary: 'Answered in the docs.' })).status, 200);
    assert.equal((await unassigned.customer.api.post(`${unassigned.url}/confirm`)).status, 200, 'confirming works with nobody to pay');
    ctx.clock.advance(6 * DAY);
    await ctx.jobs.drain();
    assert.equal((await unassigned.customer.api.get(`/api/v1/payments/${orphan.body.payment.id}`)).body.status, 'held', 'the money waits, refundable');
    const failedJobs = await ctx.db.selectFrom('jobs').select('last_error').where('queue', '=', 'payments.auto-release').where('last_error', 'is not', null).execute();
    assert.deepEqual(failedJobs, [], 'and its auto-release job does not fail over and over');
  });

  test('a session authorizes the booked length and captures nothing until release', async () => {
    const repo = await createRepo(ctx);
    const session = await createOffering(repo, { kind: 'session', name: 'Live debugging', currency: 'EUR', prices: [{ currency: 'EUR', initialFee: 2000, perMinuteRate: 150, minimumMinutes: 15 }] });
    const { customer, url } = await claimedTicket(ctx, { repo });
    const ledgerBefore = await ledgerRows(ctx);
    const booked = await customer.api.post(`${url}/purchase`, { offeringId: session.id, currency: 'EUR', estimatedMinutes: 30 }, withKey());
    assert.equal(booked.status, 201, JSON.stringify(booked.body));
    assert.equal(booked.body.payment.kind, 'session');
    assert.equal(booked.body.payment.amount, 2000 + 150 * 30);
    const other = await claimedTicket(ctx, { repo });
    const unbooked = await other.customer.api.post(`${other.url}/purchase`, { offeringId: session.id, currency: 'EUR' }, withKey());
    assert.equal(unbooked.body.payment.amount, 2000 + 150 * 60, 'no length given: an hour');
    const authorized = await pay(customer, booked.body.payment.id);
    assert.equal(authorized.status, 'authorized');
    assert.equal(authorized.capturedAmount, 0);
    assert.equal(authorized.processorFee, 0);
    assert.deepEqual(await ledgerRows(ctx), ledgerBefore, 'an authorization moves no money');
  });

  test('bad purchases are clear 4xx and touch no money', async () => {
    const repo = await createRepo(ctx);
    const fixed = await createOffering(repo, { kind: 'fixed', name: 'Quick question', currency: 'EUR', prices: [{ currency: 'EUR', price: 9000 }] });
    const quoted = await createOffering(repo, { kind: 'quote', name: 'Consulting', currency: 'EUR' });
    const elsewhere = await createOffering(await createRepo(ctx), { kind: 'fixed', name: 'Elsewhere', currency: 'EUR', prices: [{ currency: 'EUR', price: 100 }] });
    const { helper, customer, url } = await claimedTicket(ctx, { repo });
    const ledgerBefore = await ledgerRows(ctx);
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['a currency it is not sold in', { offeringId: fixed.id, currency: 'USD' }, 400, 'currency_not_offered'],
      ['an unknown currency', { offeringId: fixed.id, currency: 'ABC' }, 400, 'validation_failed'],
      ['a quote offering', { offeringId: quoted.id, currency: 'EUR' }, 409, 'priced_by_quote'],
      ["another repository's offering", { offeringId: elsewhere.id, currency: 'EUR' }, 400, 'validation_failed'],
      ['no offering', { currency: 'EUR' }, 400, 'validation_failed'],
      ['a session length on top', { offeringId: fixed.id, currency: 'EUR', estimatedMinutes: -5 }, 400, 'validation_failed'],
    ];
    for (const [what, body, status, code] of cases) {
      const refused = await customer.api.post(`${url}/purchase`, body, withKey());
      assert.equal(refused.status, status, `${what}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.code, code, what);
    }
    assert.equal((await customer.api.post(`${url}/purchase`, { offeringId: fixed.id, currency: 'EUR' })).body.error.code, 'idempotency_key_required');
    assert.equal((await helper.api.post(`${url}/purchase`, { offeringId: fixed.id, currency: 'EUR' }, withKey())).status, 403);
    assert.equal((await (await createUser(ctx)).api.post(`${url}/purchase`, { offeringId: fixed.id, currency: 'EUR' }, withKey())).status, 404);
    assert.equal((await customer.api.post(`${url}/cancel`)).status, 200);
    const cancelled = await customer.api.post(`${url}/purchase`, { offeringId: fixed.id, currency: 'EUR' }, withKey());
    assert.equal(cancelled.status, 409);
    assert.equal(cancelled.body.error.code, 'ticket_not_payable');
    assert.deepEqual(await ledgerRows(ctx), ledgerBefore);
    assert.equal(Number((await ctx.db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).where('repo_id', '=', repo.id).executeTakeFirstOrThrow()).n), 0);
    await assertLedgerConsistent(ctx);
  });
});
