import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from '../../../test/helpers/app.ts';
import { startInvoicingApp } from '../../../test/helpers/invoices.ts';
import { advance, openTicket, paySandbox, planSetup, subscribed, withKey, type Repo } from '../../../test/helpers/plans.ts';
import type { TestUser } from '../../../test/helpers/factories.ts';
import { accounts } from '../ledger/accounts.ts';
import { payoutEntries } from '../ledger/postings.ts';
import { sandboxChargeId } from '../payments/providers/sandbox.ts';
import { approvedHelper, assertLedgerConsistent, watchBalances } from '../payments/test-support.ts';

/**
 * Refunds of a plan's card payment after its period closed: the close's posting (its revenue shared among
 * the helpers, the repository, the platform, the processor fee and the VAT) is reversed in proportion, the
 * VAT pinned to the credit note's. The numbers follow the worked example of docs/plans.md: 1,000.00 EUR
 * including 159.66 VAT; of the 840.34 shared, commission 84.03, platform 42.01, fee 29.30, helpers 685.00,
 * Alice (100 minutes) 456.67 and Bob (50 minutes) 228.33.
 */
describe('support plans: refunds after the period closed', () => {
  let ctx: TestContext;

  before(async () => {
    ({ ctx } = await startInvoicingApp());
  });
  after(() => ctx.close());

  /** A subscription paid by card whose first period closed with Alice's 100 and Bob's 50 minutes logged. */
  async function closedPeriod() {
    const { repo, plan, org } = await planSetup(ctx);
    const alice = await approvedHelper(ctx, repo);
    const bob = await approvedHelper(ctx, repo);
    const { subscription, payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    await paySandbox(org.admin, payment.id);
    const tickets = new Map<TestUser, string>();
    for (const [helper, minutes] of [[alice, 100], [bob, 50]] as const) {
      const ticket = await openTicket(org.admin, repo, { org: org.slug });
      assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/claim`)).status, 200);
      assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/time-entries`, { minutes, note: 'Investigated' })).status, 201);
      tickets.set(helper, ticket.id);
    }
    const balances = await watchBalances(ctx, {
      alice: accounts.helperPayable(alice.id),
      bob: accounts.helperPayable(bob.id),
      repo: accounts.repoPayable(repo.id),
      platform: accounts.platformRevenue,
      fees: accounts.processorFees,
      tax: accounts.taxPayable,
      escrow: accounts.escrow,
    });
    const read = async () => (await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`)).body;
    const period = (await read()).currentPeriod;
    await advance(ctx, Date.parse(period.endsAt) - ctx.clock.now().getTime());
    assert.deepEqual(await balances.changes(), { alice: 45_667, bob: 22_833, repo: 8_403, platform: 4_201, fees: -2_930, tax: 15_966, escrow: -100_000 }, 'the close shared the period out');
    const closeTx = (await ctx.db.selectFrom('subscription_periods').select('close_transaction_id').where('id', '=', period.id).executeTakeFirstOrThrow()).close_transaction_id!;
    return { repo, org, alice, bob, tickets, payment, period, balances, read, closeTx, refundUrl: `/api/v1/payments/${payment.id}/refunds` };
  }

  /** What the close's reversals took back in total (the sum of their debits), straight from the ledger. */
  async function reversedOf(closeTx: string): Promise<number> {
    const rows = await ctx.db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
      .select('e.amount')
      .where('t.reverses_transaction_id', '=', closeTx)
      .execute();
    return rows.reduce((sum, row) => sum + Math.max(Number(row.amount), 0), 0);
  }

  const refund = (repo: Repo, url: string, amount: number, key = withKey()) => repo.maintainer.api.post(url, { amount, reason: 'Outage week' }, key);

  test('a partial then a full refund after the close reverse each share in proportion, VAT as the credit notes say, and the statements show it', async () => {
    const { repo, org, alice, period, balances, closeTx, refundUrl } = await closedPeriod();
    const key = withKey();
    const partial = await refund(repo, refundUrl, 30_000, key);
    assert.equal(partial.status, 201, JSON.stringify(partial.body));
    assert.deepEqual([partial.body.payment.refundedAmount, partial.body.payment.status], [30_000, 'released']);
    // The credit note gives back 47.90 of VAT; the other 252.10 is taken back by largest remainder over what
    // the close shared (84034): Alice 13699.99…→13700, Bob 6849.85…→6850, repo 2520.88…→2521, platform
    // 1260.29…→1260, fee 878.99…→879. The parties' reversals add up to the refund's net, 25210.
    const invoice = (await org.admin.api.get(`/api/v1/invoices/${period.invoiceId}`)).body;
    const note = (await org.admin.api.get(`/api/v1/invoices/${invoice.creditNotes[0].id}`)).body;
    assert.deepEqual([note.total, note.tax.amount], [30_000, 4_790]);
    const afterPartial = { alice: 45_667 - 13_700, bob: 22_833 - 6_850, repo: 8_403 - 2_521, platform: 4_201 - 1_260, fees: -(2_930 - 879), tax: 15_966 - 4_790, escrow: -100_000 };
    assert.deepEqual(await balances.changes(), afterPartial, 'the money went back to the payer through escrow, which holds nothing for the period');
    assert.equal(13_700 + 6_850 + 2_521 + 1_260 + 879, 30_000 - 4_790);
    assert.equal(await reversedOf(closeTx), 30_000);

    const replay = await refund(repo, refundUrl, 30_000, key);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.deepEqual(await balances.changes(), afterPartial, 'a replay reverses nothing more');

    const beyond = await refund(repo, refundUrl, 70_001);
    assert.deepEqual([beyond.status, beyond.body.error.code], [409, 'refund_exceeds_remaining']);
    assert.deepEqual(await balances.changes(), afterPartial, 'a refused refund moves nothing');

    const rest = await refund(repo, refundUrl, 70_000);
    assert.equal(rest.status, 201, JSON.stringify(rest.body));
    assert.deepEqual([rest.body.payment.refundedAmount, rest.body.payment.status], [100_000, 'refunded']);
    assert.deepEqual(await balances.changes(), { alice: 0, bob: 0, repo: 0, platform: 0, fees: 0, tax: 0, escrow: -100_000 }, 'refunded in full, every share and the VAT are back where they were');
    const credited = (await org.admin.api.get(`/api/v1/invoices/${period.invoiceId}`)).body;
    assert.deepEqual([credited.creditNotes.length, credited.lines[0].credited], [2, 100_000]);
    assert.equal(await reversedOf(closeTx), 100_000);

    // Alice's statement: the close, then the two refunds with the split columns they took back; it reconciles.
    const from = period.startsAt.slice(0, 10);
    const statement = (await alice.api.get(`/api/v1/helpers/me/statements?from=${from}&to=2027-01-01`)).body;
    const lines = statement.lines.map((line: Record<string, number | string>) => [line.kind, line.gross, line.commission, line.platformFee, line.processorFee, line.net]);
    assert.deepEqual(lines, [
      ['plan', 84_034, 8_403, 4_201, 2_930, 45_667],
      ['refund', -25_210, -2_521, -1_260, -879, -13_700],
      ['refund', -58_824, -5_882, -2_941, -2_051, -31_967],
    ]);
    assert.equal(statement.closingBalance, statement.openingBalance + statement.totals.net);
    assert.equal(statement.closingBalance, 0);
    const repoStatement = (await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/statements?from=${from}&to=2027-01-01&currency=EUR`)).body;
    assert.deepEqual(repoStatement.lines.map((line: { kind: string; net: number }) => [line.kind, line.net]), [['plan', 8_403], ['refund', -2_521], ['refund', -5_882]]);
    assert.equal(repoStatement.closingBalance, repoStatement.openingBalance + repoStatement.totals.net);
    await assertLedgerConsistent(ctx);
  });

  test('after a payout the refund leaves the helper owing, and the next period’s earnings repay it', async () => {
    const { repo, org, alice, tickets, balances, read, refundUrl } = await closedPeriod();
    await ctx.services.ledger.post(ctx.db, {
      idempotencyKey: `payout:test:${alice.id}`,
      kind: 'payout',
      currency: 'EUR',
      reference: { type: 'payout', id: alice.id },
      entries: payoutEntries(accounts.helperPayable(alice.id), 45_667),
    });
    assert.equal((await refund(repo, refundUrl, 100_000)).status, 201);
    assert.equal((await balances.changes()).alice, -45_667, 'paid out, then all of it reversed: Alice owes 456.67');

    // The renewal is paid; only Alice works in it (60 minutes), so the helpers' 685.00 are all hers.
    const renewal = (await read()).currentPeriod;
    await paySandbox(org.admin, renewal.paymentId);
    assert.equal((await alice.api.post(`/api/v1/tickets/${tickets.get(alice)}/time-entries`, { minutes: 60, note: 'Follow-up' })).status, 201);
    await advance(ctx, Date.parse(renewal.endsAt) - ctx.clock.now().getTime());
    assert.equal((await balances.changes()).alice, 68_500 - 45_667, 'the new earnings first repay what she owed');
    await assertLedgerConsistent(ctx);
  });

  test('two refunds racing after the close: one is made, the other finds too little left; nothing is reversed twice', async () => {
    const { repo, balances, closeTx, refundUrl } = await closedPeriod();
    const racing = await Promise.all([1, 2].map(() => refund(repo, refundUrl, 60_000)));
    assert.deepEqual(racing.map((response) => response.status).sort(), [201, 409], JSON.stringify(racing.map((response) => response.body)));
    assert.equal(racing.find((response) => response.status === 409)!.body.error.code, 'refund_exceeds_remaining');
    assert.equal(await reversedOf(closeTx), 60_000);
    assert.equal((await balances.changes()).escrow, -100_000, 'escrow gave back exactly what the one reversal brought in');
    await assertLedgerConsistent(ctx);
  });

  test('a refund racing a chargeback after the close: the close is taken back once, by whichever came first', async () => {
    const { repo, payment, balances, closeTx, refundUrl } = await closedPeriod();
    const sink = ctx.services.payments.eventSink;
    const chargeback = { type: 'dispute.created', providerChargeId: sandboxChargeId(payment.id), providerDisputeId: 'dp_plan', amount: 100_000, currency: 'EUR' } as const;
    const [refunded] = await Promise.all([refund(repo, refundUrl, 100_000), sink(chargeback)]);
    if (refunded.status === 201) {
      assert.equal(refunded.body.payment.refundedAmount, 100_000);
    } else {
      assert.deepEqual([refunded.status, refunded.body.error.code], [409, 'payment_disputed'], JSON.stringify(refunded.body));
    }
    assert.equal(await reversedOf(closeTx), 100_000, 'reversed in full, once');
    const changes = await balances.changes();
    assert.deepEqual([changes.alice, changes.bob, changes.repo, changes.platform, changes.tax], [0, 0, 0, 0, 0]);
    assert.equal(changes.escrow, -100_000, 'escrow holds nothing for the period: what came back left again');
    await assertLedgerConsistent(ctx);
  });

  test('a chargeback after the close, won: the shares are released again', async () => {
    const { payment, balances, closeTx } = await closedPeriod();
    const sink = ctx.services.payments.eventSink;
    const charge = sandboxChargeId(payment.id);
    await sink({ type: 'dispute.created', providerChargeId: charge, providerDisputeId: 'dp_won', amount: 100_000, currency: 'EUR' });
    assert.equal(await reversedOf(closeTx), 100_000);
    assert.deepEqual([(await balances.changes()).alice, (await balances.changes()).bob], [0, 0], 'the bank took the money: the shares are taken back');
    await sink({ type: 'dispute.closed', providerChargeId: charge, providerDisputeId: 'dp_won', status: 'won' });
    assert.deepEqual(await balances.changes(), { alice: 45_667, bob: 22_833, repo: 8_403, platform: 4_201, fees: -2_930, tax: 15_966, escrow: -100_000 });
    await assertLedgerConsistent(ctx);
  });
});

