import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { createBuyerOrg, startInvoicingApp } from '../../../test/helpers/invoices.ts';
import { paySandbox, withKey, type Org, type Repo } from '../../../test/helpers/plans.ts';
import { accounts } from '../ledger/accounts.ts';
import { sandboxFee } from '../payments/providers/sandbox.ts';
import { approvedHelper, assertLedgerConsistent, balanceOf } from '../payments/test-support.ts';

const WORKDAYS = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => [day, [{ start: '08:00', end: '18:00' }]]));
// The fake clock starts on Monday 5 January 2026; these are Wednesday and Thursday mornings.
const WEDNESDAY = '2026-01-07T09:00:00.000Z';
const THURSDAY = '2026-01-08T09:00:00.000Z';

describe('consulting: catalogue, request, quote, acceptance into payment and scheduling', () => {
  let ctx: TestContext;
  let operator: TestUser;
  let repo: Repo;
  let helper: TestUser;
  let org: Org;
  let serviceId: string;

  before(async () => {
    ({ ctx, operator } = await startInvoicingApp());
    repo = await createRepo(ctx);
    helper = await approvedHelper(ctx, repo);
    assert.equal((await helper.api.put('/api/v1/helpers/me/availability', { timeZone: 'UTC', weeklyHours: WORKDAYS })).status, 200);
    org = await createBuyerOrg(ctx);
    const created = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/consulting-services`, {
      name: 'Architecture review',
      description: 'A review of requirements, service levels and deployment before choosing a broker.',
      rates: [{ currency: 'EUR', hourlyRate: 15_000 }, { currency: 'usd', hourlyRate: 16_000 }],
      typicalHours: 8,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    serviceId = created.body.id;
  });
  after(() => ctx.close());

  test('signed out, a consulting request or quote is a 401 whether or not it exists', async () => {
    const anonymous = client(ctx);
    assert.equal((await anonymous.get(`/api/v1/consulting-requests/${randomUUID()}`)).status, 401);
    assert.equal((await anonymous.post(`/api/v1/consulting-quotes/${randomUUID()}/accept`, { paymentMethod: 'card', start: WEDNESDAY }, { 'idempotency-key': randomUUID() })).status, 401);
  });

  async function askAndQuote(fields: { org?: string; starts?: string[] } = {}) {
    const asked = await org.admin.api.post('/api/v1/consulting-requests', { repo: repo.fullName, serviceId, context: 'Three services on RabbitMQ; we plan to move to Kafka.', org: fields.org ?? org.slug });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const quoted = await helper.api.post(`/api/v1/consulting-requests/${asked.body.id}/quotes`, { hours: 4, currency: 'EUR', proposedStarts: fields.starts ?? [WEDNESDAY, THURSDAY], note: 'Two sessions.' });
    assert.equal(quoted.status, 201, JSON.stringify(quoted.body));
    return { request: asked.body, quote: quoted.body };
  }

  async function confirmWork(ticketId: string) {
    assert.equal((await helper.api.post(`/api/v1/tickets/${ticketId}/claim`)).status, 200);
    assert.equal((await helper.api.post(`/api/v1/tickets/${ticketId}/resolve`, { summary: 'Review delivered.' })).status, 200);
    assert.equal((await org.admin.api.post(`/api/v1/tickets/${ticketId}/confirm`)).status, 200);
  }

  test('the catalogue: maintainers add services, everyone reads them, others are refused', async () => {
    const list = await (await createUser(ctx)).api.get(`/api/v1/repos/${repo.fullName}/consulting-services`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items[0].rates, [{ currency: 'EUR', hourlyRate: 15_000 }, { currency: 'USD', hourlyRate: 16_000 }]);
    assert.equal(list.body.items[0].typicalHours, 8);
    const body = { name: 'Code review', rates: [{ currency: 'EUR', hourlyRate: 12_000 }], typicalHours: 4 };
    assert.equal((await helper.api.post(`/api/v1/repos/${repo.fullName}/consulting-services`, body)).status, 403);
    const bad = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/consulting-services`, { ...body, rates: [{ currency: 'EUR', hourlyRate: 120.5 }] });
    assert.equal(bad.status, 400);
    assert.equal((await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/consulting-services`, { ...body, name: 'architecture REVIEW' })).body.error.code, 'service_exists');
  });

  test('maintainers edit a service: rates replaced, withdrawn from customers; bad input and other people change nothing', async () => {
    const base = `/api/v1/repos/${repo.fullName}/consulting-services`;
    const created = await repo.maintainer.api.post(base, { name: 'Upgrade planning', rates: [{ currency: 'EUR', hourlyRate: 10_000 }], typicalHours: 2 });
    assert.equal(created.status, 201);
    const url = `${base}/${created.body.id}`;
    const edited = await repo.maintainer.api.patch(url, { description: 'From v7 to v8.', rates: [{ currency: 'USD', hourlyRate: 11_000 }], typicalHours: 3 });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual(edited.body.rates, [{ currency: 'USD', hourlyRate: 11_000 }]);
    assert.equal(edited.body.typicalHours, 3);
    assert.equal(edited.body.name, 'Upgrade planning');

    const unchanged = { ...edited.body };
    const negative = await repo.maintainer.api.patch(url, { rates: [{ currency: 'EUR', hourlyRate: -5 }] });
    assert.equal(negative.status, 400);
    assert.equal(negative.body.error.details[0].path, 'body.rates.0.hourlyRate');
    assert.equal((await repo.maintainer.api.patch(url, { name: 'Architecture review' })).body.error.code, 'service_exists');
    assert.equal((await helper.api.patch(url, { typicalHours: 9 })).status, 403);
    assert.equal((await client(ctx).patch(url, { typicalHours: 9 })).status, 401);
    const other = await createRepo(ctx);
    assert.equal((await other.maintainer.api.patch(`/api/v1/repos/${other.fullName}/consulting-services/${created.body.id}`, { typicalHours: 9 })).status, 404);
    const stored = await repo.maintainer.api.get(base);
    assert.deepEqual(stored.body.items.find((item: { id: string }) => item.id === created.body.id), unchanged);

    assert.equal((await repo.maintainer.api.patch(url, { active: false })).body.active, false);
    const publicList = await (await createUser(ctx)).api.get(base);
    assert.equal(publicList.body.items.some((item: { id: string }) => item.id === created.body.id), false);
  });

  test('request → quote (hours × rate) → accept by card: paid on the sandbox, session booked, released to the helper at confirmation', async () => {
    const { request, quote } = await askAndQuote();
    assert.equal(quote.amount, 60_000);
    assert.deepEqual(quote.proposedStarts, [WEDNESDAY, THURSDAY]);
    const ticket = await org.admin.api.get(`/api/v1/tickets/${request.ticketId}`);
    assert.equal(ticket.body.title, 'Consulting: Architecture review');

    const key = randomUUID();
    const accepted = await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'card', start: THURSDAY, tz: 'Europe/Berlin' }, withKey(key));
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.equal(accepted.body.quote.status, 'accepted');
    assert.deepEqual({ kind: accepted.body.payment.provider, amount: accepted.body.payment.amount }, { kind: 'sandbox', amount: 60_000 });
    assert.deepEqual(accepted.body.booking.minutes, 240);
    const booking = await org.admin.api.get(`/api/v1/bookings/${accepted.body.booking.id}`);
    assert.equal(booking.status, 200);
    assert.deepEqual(
      { helper: booking.body.helper.id, ticket: booking.body.ticketId, start: booking.body.start, minutes: booking.body.minutes, zone: booking.body.customerTimeZone },
      { helper: helper.id, ticket: request.ticketId, start: THURSDAY, minutes: 240, zone: 'Europe/Berlin' },
    );
    const replay = await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'card', start: THURSDAY, tz: 'Europe/Berlin' }, withKey(key));
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const again = await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'card', start: THURSDAY, tz: 'Europe/Berlin' }, withKey());
    assert.equal(again.status, 409);

    const before = await balanceOf(ctx, accounts.helperPayable(helper.id));
    const paid = await paySandbox(org.admin, accepted.body.payment.id);
    assert.equal(paid.status, 'held');
    assert.equal(paid.kind, 'consulting');
    await confirmWork(request.ticketId);
    // 60000, fee 1770: commission 6000, platform 3000, the helper 49230.
    assert.equal(sandboxFee(60_000), 1_770);
    assert.equal(await balanceOf(ctx, accounts.helperPayable(helper.id)), before + 49_230);
    await assertLedgerConsistent(ctx);
  });

  test('accept by invoice: net terms and the PO number; paying it holds the money until the work is confirmed', async () => {
    const { request, quote } = await askAndQuote({ starts: ['2026-01-09T09:00:00.000Z'] });
    const accepted = await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'invoice', poNumber: 'PO-77', start: '2026-01-09T09:00:00Z' }, withKey());
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.equal(accepted.body.payment.provider, 'invoice');
    assert.equal(accepted.body.invoice.total, 71_400);
    const invoice = await org.admin.api.get(`/api/v1/invoices/${accepted.body.invoice.id}`);
    assert.equal(invoice.body.poNumber, 'PO-77');
    assert.equal(invoice.body.lines[0].kind, 'consulting');

    const escrow = await balanceOf(ctx, accounts.escrow);
    const marked = await operator.api.post(`/api/v1/admin/invoices/${accepted.body.invoice.id}/mark-paid`, { paidAt: ctx.clock.now().toISOString(), reference: 'SEPA 77' }, withKey());
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.equal(await balanceOf(ctx, accounts.escrow), escrow + 60_000);
    const before = await balanceOf(ctx, accounts.helperPayable(helper.id));
    await confirmWork(request.ticketId);
    // No processor fee on a bank transfer: 60000 - 6000 - 3000.
    assert.equal(await balanceOf(ctx, accounts.helperPayable(helper.id)), before + 51_000);
    await assertLedgerConsistent(ctx);
  });

  test('a slot taken meanwhile refuses the acceptance whole: no payment, no booking', async () => {
    const start = '2026-01-12T09:00:00.000Z';
    const first = await askAndQuote({ starts: [start] });
    const second = await askAndQuote({ starts: [start] });
    assert.equal((await org.admin.api.post(`/api/v1/consulting-quotes/${first.quote.id}/accept`, { paymentMethod: 'card', start }, withKey())).status, 201);
    const payments = async () => (await ctx.db.selectFrom('payments').select('id').where('kind', '=', 'consulting').execute()).length;
    const count = await payments();
    const taken = await org.admin.api.post(`/api/v1/consulting-quotes/${second.quote.id}/accept`, { paymentMethod: 'card', start }, withKey());
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'slot_taken');
    assert.equal(await payments(), count);
    assert.equal((await org.admin.api.get(`/api/v1/consulting-requests/${second.request.id}`)).body.quotes[0].status, 'pending');
    await assertLedgerConsistent(ctx);
  });

  test('bad requests: a start not proposed, an invoice without an organization, a quote outside availability, a service of another repository', async () => {
    const { quote } = await askAndQuote({ starts: ['2026-01-13T09:00:00.000Z'] });
    const wrong = await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'card', start: '2026-01-13T10:00:00Z' }, withKey());
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.details[0].path, 'body.start');

    const alone = await createUser(ctx);
    const asked = await alone.api.post('/api/v1/consulting-requests', { repo: repo.fullName, serviceId, context: 'Just me.' });
    assert.equal(asked.status, 201);
    const quoted = await helper.api.post(`/api/v1/consulting-requests/${asked.body.id}/quotes`, { hours: 2, currency: 'USD', proposedStarts: ['2026-01-14T09:00:00Z'] });
    assert.equal(quoted.status, 201);
    assert.equal(quoted.body.amount, 32_000);
    const byInvoice = await alone.api.post(`/api/v1/consulting-quotes/${quoted.body.id}/accept`, { paymentMethod: 'invoice', start: '2026-01-14T09:00:00Z' }, withKey());
    assert.equal(byInvoice.status, 400);
    assert.equal(byInvoice.body.error.details[0].path, 'body.paymentMethod');

    const night = await helper.api.post(`/api/v1/consulting-requests/${asked.body.id}/quotes`, { hours: 2, currency: 'EUR', proposedStarts: ['2026-01-14T09:00:00Z', '2026-01-14T22:00:00Z'] });
    assert.equal(night.status, 400);
    assert.equal(night.body.error.details[0].path, 'body.proposedStarts.1');
    const past = await helper.api.post(`/api/v1/consulting-requests/${asked.body.id}/quotes`, { hours: 2, currency: 'EUR', proposedStarts: ['2026-01-02T09:00:00Z'] });
    assert.equal(past.status, 400);
    const noRate = await helper.api.post(`/api/v1/consulting-requests/${asked.body.id}/quotes`, { hours: 2, currency: 'JPY', proposedStarts: ['2026-01-14T09:00:00Z'] });
    assert.equal(noRate.body.error.details[0].path, 'body.amount');

    const other = await createRepo(ctx);
    const foreign = await alone.api.post('/api/v1/consulting-requests', { repo: other.fullName, serviceId, context: 'Wrong place.' });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.error.details[0].path, 'body.serviceId');
    await assertLedgerConsistent(ctx);
  });

  test('authorization: only the repository team quotes, only the customer accepts, others do not see the request', async () => {
    const { request, quote } = await askAndQuote({ starts: ['2026-01-15T09:00:00.000Z'] });
    const stranger = await createUser(ctx);
    const quoteBody = { hours: 1, currency: 'EUR', proposedStarts: ['2026-01-15T13:00:00Z'] };
    assert.equal((await stranger.api.get(`/api/v1/consulting-requests/${request.id}`)).status, 404);
    assert.equal((await stranger.api.post(`/api/v1/consulting-requests/${request.id}/quotes`, quoteBody)).status, 404);
    assert.equal((await org.admin.api.post(`/api/v1/consulting-requests/${request.id}/quotes`, quoteBody)).status, 403, 'the customer does not quote');
    assert.equal((await helper.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'card', start: '2026-01-15T09:00:00Z' }, withKey())).status, 403);
    const otherOrg = await createBuyerOrg(ctx);
    assert.equal((await otherOrg.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'card', start: '2026-01-15T09:00:00Z' }, withKey())).status, 404);
    assert.equal((await repo.maintainer.api.get(`/api/v1/consulting-requests/${request.id}`)).status, 200);
    const missingKey = await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'card', start: '2026-01-15T09:00:00Z' });
    assert.equal(missingKey.body.error.code, 'idempotency_key_required');
    await assertLedgerConsistent(ctx);
  });

  test('declining and withdrawing: the customer declines, the quoting helper withdraws; neither can then be accepted, and an accepted quote cannot be declined', async () => {
    const { request, quote } = await askAndQuote({ starts: ['2026-01-16T09:00:00.000Z'] });
    const stranger = await createUser(ctx);
    assert.equal((await stranger.api.post(`/api/v1/consulting-quotes/${quote.id}/decline`)).status, 404);
    assert.equal((await helper.api.post(`/api/v1/consulting-quotes/${quote.id}/decline`)).status, 403, 'the helper does not decline for the customer');
    assert.equal((await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/withdraw`)).status, 403, 'only the quoting helper withdraws');
    const declined = await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/decline`);
    assert.equal(declined.status, 200, JSON.stringify(declined.body));
    assert.equal(declined.body.status, 'declined');
    assert.equal((await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/decline`)).body.status, 'declined', 'declining twice changes nothing');
    const late = await org.admin.api.post(`/api/v1/consulting-quotes/${quote.id}/accept`, { paymentMethod: 'card', start: '2026-01-16T09:00:00Z' }, withKey());
    assert.deepEqual([late.status, late.body.error.code], [409, 'quote_declined']);
    assert.equal((await helper.api.post(`/api/v1/consulting-quotes/${quote.id}/withdraw`)).body.error.code, 'quote_declined');

    // The helper sends a new quote on the same request, then thinks better of it.
    const second = await helper.api.post(`/api/v1/consulting-requests/${request.id}/quotes`, { hours: 3, currency: 'EUR', proposedStarts: ['2026-01-16T09:00:00Z'] });
    assert.equal(second.status, 201);
    const withdrawn = await helper.api.post(`/api/v1/consulting-quotes/${second.body.id}/withdraw`);
    assert.deepEqual([withdrawn.status, withdrawn.body.status], [200, 'withdrawn']);
    const shown = (await org.admin.api.get(`/api/v1/consulting-requests/${request.id}`)).body;
    assert.deepEqual(shown.quotes.map((listed: { id: string; status: string }) => [listed.id, listed.status]).sort(), [[quote.id, 'declined'], [second.body.id, 'withdrawn']].sort());

    // A third is accepted: it is paid for, so it is no longer declined or withdrawn, it is refunded.
    const third = await helper.api.post(`/api/v1/consulting-requests/${request.id}/quotes`, { hours: 1, currency: 'EUR', proposedStarts: ['2026-01-16T09:00:00Z'] });
    assert.equal((await org.admin.api.post(`/api/v1/consulting-quotes/${third.body.id}/accept`, { paymentMethod: 'card', start: '2026-01-16T09:00:00Z' }, withKey())).status, 201);
    const refused = await org.admin.api.post(`/api/v1/consulting-quotes/${third.body.id}/decline`);
    assert.deepEqual([refused.status, refused.body.error.code], [409, 'quote_already_accepted']);
    assert.equal((await helper.api.post(`/api/v1/consulting-quotes/${third.body.id}/withdraw`)).status, 409);
  });
});
