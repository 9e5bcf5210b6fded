import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fakeStripeEnv, startFakeStripe, type FakeStripe } from '../../../test/fakes/stripe.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { assertLedgerConsistent, earn, owed } from '../../../test/helpers/money.ts';
import { setPayoutAccountStatus } from '../../integrations/stripe/payout-accounts.ts';

describe('payouts through Stripe transfers to connected accounts', () => {
  let ctx: TestContext;
  let fake: FakeStripe;
  let customer: TestUser;
  let repo: Awaited<ReturnType<typeof createRepo>>;

  before(async () => {
    fake = await startFakeStripe({ now: () => ctx.clock.now() });
    ctx = await startTestApp({ env: fakeStripeEnv(fake, 'whsec_test_payouts') });
    customer = await createUser(ctx);
    repo = await createRepo(ctx);
    // Money on the platform's Stripe balance for the transfers to come out of.
    const checkout = await ctx.services.stripe!.provider.createCheckout({
      paymentId: 'funding', amount: 500_000, currency: 'EUR', description: 'funding', customerEmail: customer.email,
      successUrl: 'https://backline.example/ok', cancelUrl: 'https://backline.example/no', captureMethod: 'automatic', transferGroup: 'funding', idempotencyKey: 'funding',
    });
    fake.completeCheckout(checkout.providerPaymentId);
  });
  after(async () => {
    await ctx.close();
    await fake.close();
  });

  /** A helper whose Connect account finished onboarding, with 8181 EUR earned. */
  async function onboardedHelper(): Promise<{ helper: TestUser; accountId: string }> {
    const helper = await createUser(ctx);
    const { account } = await ctx.services.stripe!.onboard({ owner: { type: 'helper', id: helper.id }, email: helper.email, refreshUrl: 'https://b.example/r', returnUrl: 'https://b.example/d' });
    fake.completeOnboarding(account.provider_account_id);
    await setPayoutAccountStatus(ctx.db, account.provider_account_id, 'active');
    await earn(ctx, { repo, helper, customer, amount: 9999 });
    return { helper, accountId: account.provider_account_id };
  }
  const transfersTo = (accountId: string) => fake.all('transfer').filter((transfer) => transfer.destination === accountId);
  const payoutsOf = async (helper: TestUser) => (await helper.api.get('/api/v1/helpers/me/payouts')).body.items;

  test('an onboarded helper is paid by one transfer, under the payout\'s idempotency key', async () => {
    ctx.clock.set('2026-01-12T10:00:00Z');
    const { helper, accountId } = await onboardedHelper();
    const summary = await ctx.services.payouts.runDue();
    assert.ok(summary.paid >= 1);
    const [payout] = await payoutsOf(helper);
    assert.equal(payout.method, 'stripe');
    assert.equal(payout.status, 'paid');
    const transfers = transfersTo(accountId);
    assert.equal(transfers.length, 1);
    assert.equal(transfers[0].amount, 8181);
    assert.equal(transfers[0].currency, 'eur');
    assert.equal(payout.providerTransferId, transfers[0].id);
    const sent = fake.requests.findLast((request) => request.path === '/v1/transfers' && request.params.destination === accountId)!;
    assert.equal(sent.idempotencyKey, `payout:helper:${helper.id}:EUR:2026-W03`);
    await ctx.services.payouts.runDue();
    assert.equal(transfersTo(accountId).length, 1, 'a second run transfers nothing');
    await assertLedgerConsistent(ctx);
  });

  test('an outage leaves the payout processing; the next run retries with the same key and pays once', async () => {
    ctx.clock.set('2026-01-19T10:00:00Z');
    const { helper, accountId } = await onboardedHelper();
    fake.failNext(3, 'error'); // the SDK's first try and both of its retries
    await ctx.services.payouts.runDue();
    const [waiting] = await payoutsOf(helper);
    assert.equal(waiting.status, 'processing');
    assert.equal(transfersTo(accountId).length, 0);
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 0, 'the ledger payout stands while the transfer is retried');
    await ctx.services.payouts.runDue();
    const [paid] = await payoutsOf(helper);
    assert.equal(paid.status, 'paid');
    assert.equal(transfersTo(accountId).length, 1);
    await assertLedgerConsistent(ctx);
  });

  test('a transfer Stripe refuses fails the payout: reversed in the ledger, owed again, shown on the statement', async () => {
    ctx.clock.set('2026-01-26T10:00:00Z');
    const { helper, accountId } = await onboardedHelper();
    // The connected account was deleted at Stripe after onboarding: Stripe answers "No such destination".
    await ctx.db.updateTable('payout_accounts').set({ provider_account_id: 'acct_deleted' }).where('provider_account_id', '=', accountId).execute();
    await ctx.services.payouts.runDue();
    const [failed] = await payoutsOf(helper);
    assert.equal(failed.status, 'failed');
    assert.match(failed.failureReason, /No such destination/);
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 8181);
    const statement = await helper.api.get('/api/v1/helpers/me/statements?from=2026-01-01&to=2026-02-01');
    assert.deepEqual(statement.body.lines.map((line: { kind: string; net: number }) => [line.kind, line.net]), [['release', 8181], ['payout', -8181], ['reversal', 8181]]);
    assert.equal(statement.body.closingBalance, 8181);
    await assertLedgerConsistent(ctx);
  });
  test('reconciliation against Stripe matches the payout transfers and finds money that moved outside the ledger', async () => {
    const operator = await createUser(ctx, { operator: true });
    const payoutTransfers = (await ctx.db.selectFrom('payouts').select('provider_transfer_id').where('status', '=', 'paid').execute()).map((row) => row.provider_transfer_id);
    assert.equal(payoutTransfers.length, 2);
    // Someone paid a connected account from the Stripe Dashboard: no payout, no ledger posting.
    const account = fake.all('account')[0];
    const outside = await ctx.services.stripe!.client.transfers.create({ amount: 1234, currency: 'eur', destination: account.id }, { idempotencyKey: 'dashboard-transfer' });

    const run = await operator.api.post('/api/v1/admin/reconciliation', { from: '2026-01-01', to: '2026-02-01' });
    assert.equal(run.status, 201, JSON.stringify(run.body));
    assert.equal(run.body.provider, 'stripe');
    const found = run.body.differences.map((difference: { object: string; externalId: string; issue: string; providerAmount: number | null }) =>
      [difference.object, difference.externalId, difference.issue, difference.providerAmount]);
    assert.deepEqual(found.filter(([object]: [string]) => object === 'transfer'), [['transfer', outside.id, 'missing_in_ledger', 1234]],
      'the payouts\' transfers agree with the ledger; only the outside one is reported');
    assert.deepEqual(found.filter(([object]: [string]) => object === 'charge').map(([, , issue, amount]: [string, string, string, number]) => [issue, amount]), [['missing_in_ledger', 500_000]],
      'the test\'s funding charge belongs to no payment');
    await assertLedgerConsistent(ctx);
  });
});
