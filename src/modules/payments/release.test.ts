import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { DAY, MINUTE } from '../../lib/clock.ts';
import { accounts } from '../ledger/accounts.ts';
import { AUTO_RELEASE_JOB } from './payments.release.ts';
import { sandboxFee } from './providers/sandbox.ts';
import { acceptAndPay, assertLedgerConsistent, claimedTicket, createOffering, ledgerRows, paidTicket as paidQuote, pay, sendQuote, watchBalances, withKey } from './test-support.ts';

describe('escrow release: at confirmation, or by itself after the grace period unless disputed', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  /** A ticket with 99.99 EUR held (sandbox fee 319), and the balances of the parties to its split. */
  async function paidTicket() {
    const paid = await paidQuote(ctx);
    const parties = {
      escrow: accounts.escrow,
      helper: accounts.helperPayable(paid.helper.id),
      repo: accounts.repoPayable(paid.repo.id),
      platform: accounts.platformRevenue,
      fees: accounts.processorFees,
    };
    return { ...paid, balances: await watchBalances(ctx, parties) };
  }

  const releases = async (paymentId: string) =>
    (await ctx.db.selectFrom('ledger_transactions').select('id').where('kind', '=', 'release').where('reference_id', '=', paymentId).execute()).length;

  test("resolving schedules the release in the resolution's transaction; confirming releases the exact split at once", async () => {
    const { helper, customer, url, paymentId, balances } = await paidTicket();
    const resolved = await helper.api.post(`${url}/resolve`, { summary: 'Fixed the leak.' });
    const dueAt = new Date(new Date(resolved.body.resolvedAt).getTime() + 5 * DAY).toISOString();
    assert.equal((await customer.api.get(`/api/v1/payments/${paymentId}`)).body.releaseDueAt, dueAt);
    const job = await ctx.db.selectFrom('jobs').select(['run_at', 'payload']).where('queue', '=', AUTO_RELEASE_JOB).where('singleton_key', 'like', `%${paymentId}%`).executeTakeFirstOrThrow();
    assert.equal(job.run_at.toISOString(), dueAt);

    ctx.clock.advance(MINUTE);
    const confirmed = await customer.api.post(`${url}/confirm`);
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.body.status, 'closed');
    const payment = (await customer.api.get(`/api/v1/payments/${paymentId}`)).body;
    assert.equal(payment.status, 'released');
    assert.equal(payment.releasedAt, ctx.clock.now().toISOString());
    // 10% of 9999 is 999.9 -> 999; 5% is 499.95 -> 499; the helper gets the rest after the 319 fee.
    assert.deepEqual(payment.split, { helper: 8182, commission: 999, platformFee: 499, processorFee: 319 });
    assert.deepEqual(await balances.changes(), { escrow: -9999, helper: 8182, repo: 999, platform: 499, fees: -319 });

    assert.equal((await customer.api.post(`${url}/confirm`)).status, 409);
    ctx.clock.advance(6 * DAY);
    await ctx.jobs.drain();
    assert.equal(await releases(paymentId), 1, 'the due job finds it released and does nothing');
    assert.deepEqual(await balances.changes(), { escrow: -9999, helper: 8182, repo: 999, platform: 499, fees: -319 });
    await assertLedgerConsistent(ctx);
  });

  test('nobody confirms: after the grace period the ticket auto-confirms and the money is released, exactly at the due time', async () => {
    const { helper, customer, url, paymentId, balances } = await paidTicket();
    await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' });
    ctx.clock.advance(5 * DAY - MINUTE);
    await ctx.jobs.drain();
    assert.equal((await customer.api.get(`/api/v1/payments/${paymentId}`)).body.status, 'held', 'not before the grace period ends');

    ctx.clock.advance(MINUTE);
    await ctx.jobs.drain();
    const ticket = (await customer.api.get(url)).body;
    assert.equal(ticket.status, 'closed');
    const confirmedEvent = (await customer.api.get(`${url}/events?limit=100`)).body.items.find((event: { type: string }) => event.type === 'confirmed');
    assert.equal(confirmedEvent.actor, null, 'confirmed by the platform, not by a person');
    assert.equal(confirmedEvent.data.automatic, true);
    assert.equal((await customer.api.get(`/api/v1/payments/${paymentId}`)).body.status, 'released');
    assert.deepEqual(await balances.changes(), { escrow: -9999, helper: 8182, repo: 999, platform: 499, fees: -319 });
    await assertLedgerConsistent(ctx);
  });

  test('reopening cancels the schedule; the old job does nothing and the next resolution sets a new due time', async () => {
    const { helper, customer, url, paymentId } = await paidTicket();
    await helper.api.post(`${url}/resolve`, { summary: 'Fixed?' });
    ctx.clock.advance(DAY);
    assert.equal((await customer.api.post(`${url}/reopen`, { reason: 'Still leaking' })).status, 200);
    assert.equal((await customer.api.get(`/api/v1/payments/${paymentId}`)).body.releaseDueAt, null);

    ctx.clock.advance(2 * DAY);
    const resolved = await helper.api.post(`${url}/resolve`, { summary: 'Fixed for real.' });
    ctx.clock.advance(2 * DAY);
    await ctx.jobs.drain();
    assert.equal((await customer.api.get(`/api/v1/payments/${paymentId}`)).body.status, 'held', 'the first due time passed, but it was moved');
    const dueAt = new Date(new Date(resolved.body.resolvedAt).getTime() + 5 * DAY);
    assert.equal((await customer.api.get(`/api/v1/payments/${paymentId}`)).body.releaseDueAt, dueAt.toISOString());
    ctx.clock.set(dueAt);
    await ctx.jobs.drain();
    assert.equal((await customer.api.get(`/api/v1/payments/${paymentId}`)).body.status, 'released');
    assert.equal(await releases(paymentId), 1);
  });

  test('a customer dispute freezes the money past the grace period; an operator releases it, or refunds part and releases the rest', async () => {
    const first = await paidTicket();
    await first.helper.api.post(`${first.url}/resolve`, { summary: 'Fixed.' });
    const disputed = await first.customer.api.post(`${first.url}/dispute`, { reason: 'It still leaks on Windows.' });
    assert.equal(disputed.status, 201, JSON.stringify(disputed.body));
    assert.deepEqual(disputed.body.items.map((item: { status: string }) => item.status), ['disputed']);
    assert.equal(disputed.body.items[0].disputes[0].reason, 'It still leaks on Windows.');
    assert.equal((await first.customer.api.post(`${first.url}/dispute`, { reason: 'Again' })).body.error.code, 'already_disputed');
    assert.equal((await first.helper.api.post(`${first.url}/dispute`, { reason: 'Me too' })).status, 403);
    ctx.clock.advance(6 * DAY);
    await ctx.jobs.drain();
    assert.equal((await first.customer.api.get(`/api/v1/payments/${first.paymentId}`)).body.status, 'disputed');
    assert.equal((await first.customer.api.get(first.url)).body.status, 'resolved', 'a disputed ticket does not auto-confirm');

    const operator = await createUser(ctx, { operator: true });
    // The operator's list of disputes to decide: the payment, its ticket and the customer's reason.
    const disputes = async (query = '') => {
      const listed = await operator.api.get(`/api/v1/admin/disputes${query}`);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      return listed.body.items as Array<{ payment: { id: string; status: string; disputes: Array<{ reason: string; status: string }> }; ticket: { id: string; title: string; repo: string } }>;
    };
    const [open] = await disputes();
    assert.equal(open.payment.id, first.paymentId);
    assert.equal(open.payment.disputes[0].reason, 'It still leaks on Windows.');
    assert.deepEqual(open.ticket, { id: first.ticketId, title: (await first.customer.api.get(first.url)).body.title, repo: first.repo.fullName });
    assert.deepEqual(await disputes('?status=closed'), []);
    for (const someone of [first.customer, first.helper, first.repo.maintainer]) assert.equal((await someone.api.get('/api/v1/admin/disputes')).status, 403);
    assert.equal((await operator.api.get('/api/v1/admin/disputes?status=maybe')).status, 400);
    const resolution = `/api/v1/admin/payments/${first.paymentId}/dispute-resolution`;
    assert.equal((await first.repo.maintainer.api.post(resolution, { outcome: 'release' }, withKey())).status, 403);
    assert.equal((await operator.api.post(resolution, { outcome: 'release' })).body.error.code, 'idempotency_key_required');
    assert.equal((await operator.api.post(resolution, { outcome: 'keep' }, withKey())).status, 400);
    const released = await operator.api.post(resolution, { outcome: 'release' }, withKey());
    assert.equal(released.status, 200, JSON.stringify(released.body));
    assert.equal(released.body.payment.status, 'released');
    assert.equal(released.body.payment.disputes[0].status, 'released');
    assert.deepEqual(await first.balances.changes(), { escrow: -9999, helper: 8182, repo: 999, platform: 499, fees: -319 });
    assert.equal((await operator.api.post(resolution, { outcome: 'release' }, withKey())).body.error.code, 'no_open_dispute');
    assert.deepEqual(await disputes(), [], 'nothing left to decide');
    assert.deepEqual((await disputes('?status=closed')).map((item) => [item.payment.id, item.payment.disputes[0].status]), [[first.paymentId, 'released']]);

    const second = await paidTicket();
    assert.equal((await second.customer.api.post(`${second.url}/dispute`, { reason: 'Half done.' })).status, 201);
    const partial = await operator.api.post(`/api/v1/admin/payments/${second.paymentId}/dispute-resolution`, { outcome: 'refund', amount: 2500 }, withKey());
    assert.equal(partial.status, 200, JSON.stringify(partial.body));
    assert.equal(partial.body.payment.status, 'released');
    assert.equal(partial.body.payment.refundedAmount, 2500);
    // 7499 left: 10% -> 749, 5% -> 374, fee 319, the helper 6057.
    assert.deepEqual(partial.body.payment.split, { helper: 6057, commission: 749, platformFee: 374, processorFee: 319 });
    assert.deepEqual(await second.balances.changes(), { escrow: -9999, helper: 6057, repo: 749, platform: 374, fees: -319 });

    const third = await paidTicket();
    assert.equal((await third.customer.api.post(`${third.url}/dispute`, { reason: 'Nothing was done.' })).status, 201);
    const full = await operator.api.post(`/api/v1/admin/payments/${third.paymentId}/dispute-resolution`, { outcome: 'refund' }, withKey());
    assert.equal(full.body.payment.status, 'refunded');
    assert.equal(full.body.payment.refundedAmount, 9999);
    assert.equal(full.body.payment.split, null);
    assert.deepEqual(await third.balances.changes(), { escrow: -9999, helper: 0, repo: 0, platform: 0, fees: 0 }, 'the platform bears the fee of a refunded payment');
    await assertLedgerConsistent(ctx);
  });

  test("confirming someone else's ticket is refused and releases nothing", async () => {
    const { helper, customer, repo, url, paymentId } = await paidTicket();
    await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' });
    const before = await ledgerRows(ctx);
    assert.equal((await (await createUser(ctx)).api.post(`${url}/confirm`)).status, 404);
    assert.equal((await helper.api.post(`${url}/confirm`)).status, 403);
    assert.equal((await repo.maintainer.api.post(`${url}/confirm`)).status, 403);
    assert.deepEqual(await ledgerRows(ctx), before);
    assert.equal((await helper.api.get(`/api/v1/payments/${paymentId}`)).body.status, 'held');
    assert.equal((await customer.api.post(`${url}/confirm`)).status, 200, 'the customer can; later tests then find no job of ours due');
    await assertLedgerConsistent(ctx);
  });

  test('nothing to dispute: before paying, after release', async () => {
    const { helper, customer, url, ticketId } = await claimedTicket(ctx);
    assert.equal((await customer.api.post(`${url}/dispute`, { reason: 'x' })).body.error.code, 'nothing_to_dispute');
    const quote = await sendQuote(helper, ticketId);
    await acceptAndPay(customer, quote.id);
    await helper.api.post(`${url}/resolve`, { summary: 'Done.' });
    await customer.api.post(`${url}/confirm`);
    const late = await customer.api.post(`${url}/dispute`, { reason: 'Changed my mind' });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'already_released');
  });

  test('a session captures its metered time (at least the minimum, at most the authorization) when released', async () => {
    const repo = await createRepo(ctx);
    const session = await createOffering(repo, { kind: 'session', name: 'Live debugging', currency: 'EUR', prices: [{ currency: 'EUR', initialFee: 2000, perMinuteRate: 150, minimumMinutes: 15 }] });
    const cases = [
      { logged: [20, 5], charged: 2000 + 150 * 25 },
      { logged: [5], charged: 2000 + 150 * 15 },
      { logged: [60], charged: 2000 + 150 * 30 },
    ];
    for (const { logged, charged } of cases) {
      const { helper, customer, url } = await claimedTicket(ctx, { repo });
      const booked = await customer.api.post(`${url}/purchase`, { offeringId: session.id, currency: 'EUR', estimatedMinutes: 30 }, withKey());
      await pay(customer, booked.body.payment.id);
      for (const minutes of logged) assert.equal((await helper.api.post(`${url}/time-entries`, { minutes, note: 'Pairing' })).status, 201);
      await helper.api.post(`${url}/resolve`, { summary: 'Found it together.' });
      const balances = await watchBalances(ctx, { escrow: accounts.escrow, helper: accounts.helperPayable(helper.id), fees: accounts.processorFees });
      assert.equal((await customer.api.post(`${url}/confirm`)).status, 200);
      const payment = (await customer.api.get(`/api/v1/payments/${booked.body.payment.id}`)).body;
      const fee = sandboxFee(charged);
      const commission = Math.floor(charged / 10);
      const platform = Math.floor(charged / 20);
      assert.equal(payment.status, 'released');
      assert.equal(payment.capturedAmount, charged, `${logged.join('+')} minutes`);
      assert.equal(payment.processorFee, fee);
      assert.deepEqual(payment.split, { helper: charged - commission - platform - fee, commission, platformFee: platform, processorFee: fee });
      assert.deepEqual(await balances.changes(), { escrow: 0, helper: charged - commission - platform - fee, fees: 0 });
      const entries = (await customer.api.get(`${url}/time-entries`)).body.items;
      assert.ok(entries.every((entry: { paymentId: string }) => entry.paymentId === payment.id), 'the metered time is billed by the session');
      assert.deepEqual((await ctx.services.payments.billableTime(ctx.db, payment.id)).map((entry) => entry.minutes), logged);
    }
    await assertLedgerConsistent(ctx);
  });

  test('confirming while the auto-release job runs, or twice at once, releases once', async () => {
    const { helper, customer, url, paymentId, balances } = await paidTicket();
    await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' });
    ctx.clock.advance(5 * DAY);
    const [confirmed] = await Promise.all([customer.api.post(`${url}/confirm`), ctx.jobs.drain(), customer.api.post(`${url}/confirm`)]);
    assert.ok([200, 409].includes(confirmed.status));
    assert.equal((await customer.api.get(url)).body.status, 'closed');
    assert.equal(await releases(paymentId), 1);
    assert.deepEqual(await balances.changes(), { escrow: -9999, helper: 8182, repo: 999, platform: 499, fees: -319 });
    await assertLedgerConsistent(ctx);
  });

  test('money paid after the ticket was resolved is released on the same terms', async () => {
    const { helper, customer, url, ticketId } = await claimedTicket(ctx);
    const quote = await sendQuote(helper, ticketId);
    const accepted = await customer.api.post(`/api/v1/quotes/${quote.id}/accept`, {}, withKey());
    const resolved = await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' });
    ctx.clock.advance(DAY);
    const paid = await pay(customer, accepted.body.payment.id);
    assert.equal(paid.releaseDueAt, new Date(new Date(resolved.body.resolvedAt).getTime() + 5 * DAY).toISOString());
    ctx.clock.advance(4 * DAY);
    const before = await ledgerRows(ctx);
    await ctx.jobs.drain();
    assert.equal((await customer.api.get(`/api/v1/payments/${paid.id}`)).body.status, 'released');
    assert.equal((await ledgerRows(ctx)).transactions, before.transactions + 1);
  });
});
