import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { DAY } from '../../lib/clock.ts';
import { MAX_PRICE } from '../offerings/offerings.pricing.ts';
import {
  approvedHelper,
  assertLedgerConsistent,
  claimedTicket,
  createOffering,
  ledgerRows,
  newKey,
  sendQuote,
  withKey,
} from './test-support.ts';

describe('quotes: sent by the assignee, accepted once by the customer with an Idempotency-Key', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  test('only the assignee quotes, while the ticket is being worked on; the customer is emailed; the quote expires in 7 days by default', async () => {
    const { repo, helper, customer, ticketId, url } = await claimedTicket(ctx);
    const other = await approvedHelper(ctx, repo);
    const stranger = await createUser(ctx);
    const body = { amount: 15_000, currency: 'eur', description: 'Profile the renderer and fix the leak', estimatedMinutes: 120 };
    const quotesUrl = `${url}/quotes`;

    assert.equal((await customer.api.post(quotesUrl, body)).status, 403);
    assert.equal((await other.api.post(quotesUrl, body)).status, 403, 'an approved helper who did not claim it');
    assert.equal((await stranger.api.post(quotesUrl, body)).status, 404);
    assert.equal((await repo.maintainer.api.post(quotesUrl, body)).status, 403);

    const sent = ctx.sent.length;
    const quote = await helper.api.post(quotesUrl, body);
    assert.equal(quote.status, 201, JSON.stringify(quote.body));
    assert.equal(quote.body.currency, 'EUR');
    assert.equal(quote.body.status, 'pending');
    assert.equal(quote.body.helperId, helper.id);
    assert.equal(quote.body.ticketId, ticketId);
    assert.equal(quote.body.expiresAt, new Date(ctx.clock.now().getTime() + 7 * DAY).toISOString());
    await ctx.jobs.drain();
    const email = ctx.sent.slice(sent).find((candidate) => candidate.to === customer.email && candidate.subject.includes('A quote'));
    assert.ok(email, 'the customer hears of the quote');
    assert.match(email.text, /€150\.00/);

    for (const who of [customer, helper, repo.maintainer]) {
      const listed = await who.api.get(quotesUrl);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.items.map((item: { id: string }) => item.id), [quote.body.id]);
    }
    assert.equal((await other.api.get(quotesUrl)).status, 403);
    assert.equal((await stranger.api.get(quotesUrl)).status, 404);

    assert.equal((await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' })).status, 200);
    const late = await helper.api.post(quotesUrl, body);
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'ticket_not_quotable');
  });

  test('bad quotes are 400s that name the field: zero, negative, fractional, absurd amounts, unknown currencies, bad expiries', async () => {
    const { helper, url } = await claimedTicket(ctx);
    const valid = { amount: 5000, currency: 'EUR', description: 'A fix', estimatedMinutes: 30 };
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: 0 }, 'body.amount'],
      [{ amount: -100 }, 'body.amount'],
      [{ amount: 12.5 }, 'body.amount'],
      [{ amount: MAX_PRICE + 1 }, 'body.amount'],
      [{ amount: '5000' }, 'body.amount'],
      [{ currency: 'EURO' }, 'body.currency'],
      [{ currency: 'XYZ' }, 'body.currency'],
      [{ estimatedMinutes: 0 }, 'body.estimatedMinutes'],
      [{ description: '   ' }, 'body.description'],
      [{ expiresAt: new Date(ctx.clock.now().getTime() - 1000).toISOString() }, 'body.expiresAt'],
      [{ expiresAt: new Date(ctx.clock.now().getTime() + 91 * DAY).toISOString() }, 'body.expiresAt'],
      [{ tip: 100 }, 'body'],
    ];
    for (const [change, path] of cases) {
      const refused = await helper.api.post(`${url}/quotes`, { ...valid, ...change });
      assert.equal(refused.status, 400, `${JSON.stringify(change)}: ${JSON.stringify(refused.body)}`);
      assert.ok(refused.body.error.details.some((detail: { path: string }) => detail.path.startsWith(path)), `${JSON.stringify(change)} names ${path}: ${JSON.stringify(refused.body.error.details)}`);
    }
    assert.deepEqual((await helper.api.get(`${url}/quotes`)).body.items, []);
  });

  test("on a ticket opened for an offering, the quote must be in one of the offering's currencies", async () => {
    const { repo } = await claimedTicket(ctx);
    const offering = await createOffering(repo, { kind: 'quote', name: 'Consulting', currency: 'USD' });
    const { helper, url } = await claimedTicket(ctx, { repo, ticket: { offeringId: offering.id } });
    assert.equal((await ctx.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${helper.token}` } })).json().offeringId, offering.id);

    const mismatch = await helper.api.post(`${url}/quotes`, { amount: 5000, currency: 'EUR', description: 'A fix', estimatedMinutes: 30 });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.error.message, /USD/);
    assert.equal(mismatch.body.error.details[0].path, 'body.currency');
    assert.equal((await helper.api.post(`${url}/quotes`, { amount: 5000, currency: 'usd', description: 'A fix', estimatedMinutes: 30 })).status, 201);

    const customer = await createUser(ctx);
    const foreign = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'T', body: 'B', track: 'expert', offeringId: crypto.randomUUID() });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.error.details[0].path, 'body.offeringId');
  });

  test('declining and withdrawing: by the right person, once; a decided or expired quote cannot be accepted', async () => {
    const { helper, customer, ticketId } = await claimedTicket(ctx);
    const ledgerBefore = await ledgerRows(ctx);

    const declined = await sendQuote(helper, ticketId);
    assert.equal((await helper.api.post(`/api/v1/quotes/${declined.id}/decline`)).status, 403);
    const decline = await customer.api.post(`/api/v1/quotes/${declined.id}/decline`);
    assert.equal(decline.status, 200);
    assert.equal(decline.body.status, 'declined');
    assert.equal((await customer.api.post(`/api/v1/quotes/${declined.id}/decline`)).body.error.code, 'quote_declined');
    const acceptDeclined = await customer.api.post(`/api/v1/quotes/${declined.id}/accept`, {}, withKey());
    assert.equal(acceptDeclined.status, 409);
    assert.equal(acceptDeclined.body.error.code, 'quote_declined');

    const withdrawn = await sendQuote(helper, ticketId);
    assert.equal((await customer.api.post(`/api/v1/quotes/${withdrawn.id}/withdraw`)).status, 403);
    assert.equal((await helper.api.post(`/api/v1/quotes/${withdrawn.id}/withdraw`)).body.status, 'withdrawn');
    const acceptWithdrawn = await customer.api.post(`/api/v1/quotes/${withdrawn.id}/accept`, {}, withKey());
    assert.equal(acceptWithdrawn.status, 409);
    assert.match(acceptWithdrawn.body.error.message, /withdrew/);

    const expiring = await sendQuote(helper, ticketId, { expiresAt: new Date(ctx.clock.now().getTime() + DAY).toISOString() });
    ctx.clock.advance(DAY);
    const listed = (await customer.api.get(`/api/v1/tickets/${ticketId}/quotes`)).body.items.find((item: { id: string }) => item.id === expiring.id);
    assert.equal(listed.status, 'expired');
    const acceptExpired = await customer.api.post(`/api/v1/quotes/${expiring.id}/accept`, {}, withKey());
    assert.equal(acceptExpired.status, 409);
    assert.equal(acceptExpired.body.error.code, 'quote_expired');
    assert.match(acceptExpired.body.error.message, /expired/);
    assert.equal((await helper.api.post(`/api/v1/quotes/${expiring.id}/withdraw`)).body.error.code, 'quote_expired');

    const onCancelled = await sendQuote(helper, ticketId);
    assert.equal((await customer.api.post(`/api/v1/tickets/${ticketId}/cancel`)).status, 200);
    const acceptCancelled = await customer.api.post(`/api/v1/quotes/${onCancelled.id}/accept`, {}, withKey());
    assert.equal(acceptCancelled.status, 409);
    assert.equal(acceptCancelled.body.error.code, 'ticket_not_payable');

    assert.deepEqual(await ledgerRows(ctx), ledgerBefore, 'no refused request touched the ledger');
    assert.equal(Number((await ctx.db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).where('ticket_id', '=', ticketId).executeTakeFirstOrThrow()).n), 0);
    await assertLedgerConsistent(ctx);
  });

  test('accepting: Idempotency-Key required, the same key replays the same answer, another key is a 409, someone else gets a 404', async () => {
    const { helper, customer, ticketId } = await claimedTicket(ctx);
    const quote = await sendQuote(helper, ticketId);
    const stranger = await createUser(ctx);
    const acceptUrl = `/api/v1/quotes/${quote.id}/accept`;
    const ledgerBefore = await ledgerRows(ctx);

    const missing = await customer.api.post(acceptUrl);
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'idempotency_key_required');
    assert.equal((await customer.api.post(acceptUrl, {}, { 'idempotency-key': 'has spaces in it' })).status, 400);
    assert.equal((await stranger.api.post(acceptUrl, {}, withKey())).status, 404);
    assert.equal((await helper.api.post(acceptUrl, {}, withKey())).status, 404, 'the helper cannot accept their own quote');
    assert.equal((await stranger.api.post(`/api/v1/quotes/${crypto.randomUUID()}/accept`, {}, withKey())).status, 404);

    const key = newKey();
    const first = await customer.api.post(acceptUrl, {}, withKey(key));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const payment = first.body.payment;
    assert.equal(payment.status, 'pending');
    assert.equal(payment.amount, 9999);
    assert.equal(payment.currency, 'EUR');
    assert.equal(payment.quoteId, quote.id);
    assert.equal(payment.provider, 'sandbox');
    assert.ok(payment.url.endsWith(`/pay/sandbox/${payment.id}`), payment.url);
    assert.equal(payment.commissionBps, 1000);
    assert.equal(payment.platformFeeBps, 500);

    const again = await customer.api.post(acceptUrl, {}, withKey(key));
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');

    const otherKey = await customer.api.post(acceptUrl, {}, withKey());
    assert.equal(otherKey.status, 409);
    assert.equal(otherKey.body.error.code, 'quote_already_accepted');

    const second = await sendQuote(helper, ticketId, { amount: 500 });
    const reused = await customer.api.post(`/api/v1/quotes/${second.id}/accept`, {}, withKey(key));
    assert.equal(reused.status, 422);
    assert.equal(reused.body.error.code, 'idempotency_key_reused');
    const elsewhere = await claimedTicket(ctx);
    const theirQuote = await sendQuote(elsewhere.helper, elsewhere.ticketId);
    const sameValue = await elsewhere.customer.api.post(`/api/v1/quotes/${theirQuote.id}/accept`, {}, withKey(key));
    assert.equal(sameValue.status, 201, 'keys belong to their caller: another customer may use the same value');
    assert.notEqual(sameValue.body.payment.id, payment.id);

    assert.equal((await customer.api.get(`/api/v1/quotes/${quote.id}`)).status, 404, 'no such route: quotes are listed per ticket');
    const listed = (await customer.api.get(`/api/v1/tickets/${ticketId}/quotes`)).body.items;
    assert.equal(listed.find((item: { id: string }) => item.id === quote.id).status, 'accepted');
    assert.deepEqual(await ledgerRows(ctx), ledgerBefore, 'accepting opens a checkout; no money moved yet');
    await assertLedgerConsistent(ctx);
  });

  test('an admin of the organization the ticket was opened for may accept; a plain member may not', async () => {
    const [customer, admin, member] = [await createUser(ctx), await createUser(ctx), await createUser(ctx)];
    const slug = `buyers-${Date.now().toString(36)}`;
    assert.equal((await admin.api.post('/api/v1/orgs', { slug, name: 'Buyers' })).status, 201);
    for (const user of [customer, member]) {
      assert.equal((await admin.api.post(`/api/v1/orgs/${slug}/invitations`, { email: user.email, role: 'member' })).status, 201);
      await ctx.jobs.drain();
      const token = /token=([\w-]+)/.exec(ctx.sent.findLast((email) => email.to === user.email)!.text)![1];
      assert.equal((await user.api.post('/api/v1/invitations/accept', { token })).status, 200);
    }
    const repo = await createRepo(ctx);
    const helper = await approvedHelper(ctx, repo);
    const opened = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Org ticket', body: 'B', track: 'expert', org: slug });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    assert.equal((await helper.api.post(`/api/v1/tickets/${opened.body.id}/claim`)).status, 200);
    const quote = await sendQuote(helper, opened.body.id);

    assert.equal((await member.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey())).status, 404);
    const accepted = await admin.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey());
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.equal((await customer.api.get(`/api/v1/payments/${accepted.body.payment.id}`)).status, 200, 'the requester sees what their admin paid');
    assert.equal((await member.api.get(`/api/v1/payments/${accepted.body.payment.id}`)).status, 404);
  });

  test('two accepts at once with different keys make exactly one payment; with the same key, both get that payment', async () => {
    const { helper, customer, ticketId } = await claimedTicket(ctx);
    const quote = await sendQuote(helper, ticketId);
    const racing = await Promise.all([1, 2, 3].map(() => customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey())));
    assert.deepEqual(racing.map((response) => response.status).sort(), [201, 409, 409]);

    const twin = await sendQuote(helper, ticketId, { amount: 700 });
    const key = newKey();
    const same = await Promise.all([1, 2].map(() => customer.api.post(`/api/v1/quotes/${twin.id}/accept`, {}, withKey(key))));
    assert.deepEqual(same.map((response) => response.status), [201, 201]);
    assert.equal(same[0].body.payment.id, same[1].body.payment.id);

    const payments = await ctx.db.selectFrom('payments').select(['quote_id']).where('ticket_id', '=', ticketId).execute();
    assert.deepEqual(payments.map((row) => row.quote_id).sort(), [quote.id, twin.id].sort());
  });
});
