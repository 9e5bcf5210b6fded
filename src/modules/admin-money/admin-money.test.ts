import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { assertLedgerConsistent } from '../../../test/helpers/money.ts';
import { captureEntries } from '../ledger/postings.ts';
import { splitPayment } from '../ledger/split.ts';
import { sandboxChargeId, sandboxFee } from '../payments/providers/sandbox.ts';
import { acceptAndPay, approvedHelper, sendQuote, withKey, type Repo } from '../payments/test-support.ts';

const SPLIT = splitPayment({ amount: 9999, commissionBps: 1000, platformFeeBps: 500, processorFee: sandboxFee(9999) });

describe('operator money views: overview and reconciliation (sandbox)', () => {
  let ctx: TestContext;
  let operator: TestUser;
  let repo: Repo;
  let helper: TestUser;

  before(async () => {
    ctx = await startTestApp();
    operator = await createUser(ctx, { operator: true });
    repo = await createRepo(ctx);
    helper = await approvedHelper(ctx, repo);
  });
  after(() => ctx.close());

  /** A sandbox payment of 9999 for a claimed ticket; released when `release` (the customer confirms). */
  async function paidTicket(release: boolean) {
    const customer = await createUser(ctx);
    const opened = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Renderer leaks memory', body: 'It grows.', track: 'expert' });
    const url = `/api/v1/tickets/${opened.body.id}`;
    assert.equal((await helper.api.post(`${url}/claim`)).status, 200);
    const payment = await acceptAndPay(customer, (await sendQuote(helper, opened.body.id)).id);
    if (release) {
      assert.equal((await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' })).status, 200);
      assert.equal((await customer.api.post(`${url}/confirm`)).status, 200);
    }
    return payment;
  }

  test('the overview shows revenue by currency and month, escrow, money owed, pending payouts and negative balances', async () => {
    ctx.clock.set('2026-03-02T10:00:00Z');
    const released = await paidTicket(true);
    await paidTicket(false);
    await ctx.services.payouts.runDue();
    const refunded = await repo.maintainer.api.post(`/api/v1/payments/${released.id}/refunds`, { amount: 9999, reason: 'Not solved after all' }, withKey());
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));

    const response = await operator.api.get('/api/v1/admin/money/overview?from=2026-03-01&to=2026-04-01');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const overview = response.body;
    assert.deepEqual(overview.revenue, [{ currency: 'EUR', period: '2026-03', platformFees: 0, processorFees: SPLIT.processorFee * 2, net: -SPLIT.processorFee * 2 }],
      'the refund took the platform fee back; the fees of the refunded and of the held payment are the platform\'s for now');
    assert.deepEqual(overview.balances.map((row: { currency: string; escrowHeld: number; owedToHelpers: number; owedByPayees: number }) => [row.currency, row.escrowHeld, row.owedToHelpers, row.owedByPayees]), [['EUR', 9999, 0, SPLIT.helper]]);
    assert.deepEqual(overview.pendingPayouts, [{ currency: 'EUR', status: 'pending_manual', count: 1, amount: SPLIT.helper }]);
    assert.deepEqual(overview.negativeBalances.map((row: { payee: { id: string }; balance: number }) => [row.payee.id, row.balance]), [[helper.id, -SPLIT.helper]]);
    await assertLedgerConsistent(ctx);
  });

  test('reconciliation agrees with the sandbox, then finds an injected difference, and keeps the run', async () => {
    const clean = await operator.api.post('/api/v1/admin/reconciliation', { from: '2026-03-01', to: '2026-04-01' });
    assert.equal(clean.status, 201, JSON.stringify(clean.body));
    assert.equal(clean.body.provider, 'sandbox');
    assert.equal(clean.body.status, 'completed');
    assert.equal(clean.body.checked, 3, 'two charges and one refund');
    assert.deepEqual(clean.body.differences, []);

    // A capture posted twice for one payment: the ledger holds more than the sandbox took.
    const [payment] = await ctx.db.selectFrom('payments').select(['id', 'provider_charge_id']).where('status', '=', 'held').execute();
    await ctx.services.ledger.post(ctx.db, { idempotencyKey: `injected:${payment.id}`, kind: 'capture', currency: 'EUR', reference: { type: 'payment', id: payment.id }, entries: captureEntries(100, 0) });
    const found = await operator.api.post('/api/v1/admin/reconciliation', { from: '2026-03-01', to: '2026-04-01' });
    assert.deepEqual(found.body.differences, [
      { object: 'charge', externalId: sandboxChargeId(payment.id), issue: 'amount_mismatch', currency: 'EUR', ledgerAmount: 9999 + 100, providerAmount: 9999 },
    ]);
    assert.equal(payment.provider_charge_id, sandboxChargeId(payment.id));
    const stored = await operator.api.get(`/api/v1/admin/reconciliation/${found.body.id}`);
    assert.deepEqual(stored.body, found.body);
    const history = await operator.api.get('/api/v1/admin/reconciliation');
    assert.equal(history.status, 200);
    assert.deepEqual(history.body.items.slice(0, 2), [found.body, clean.body], 'newest first, each with its differences');
    const elsewhere = await operator.api.post('/api/v1/admin/reconciliation', { from: '2026-05-01', to: '2026-06-01' });
    assert.equal(elsewhere.body.checked, 0, 'nothing moved in May');
    assert.equal((await operator.api.post('/api/v1/admin/reconciliation', { provider: 'stripe' })).status, 400, 'Stripe is not configured here');
    await assertLedgerConsistent(ctx);
  });

  test('only operators reach the money views', async () => {
    const run = await operator.api.post('/api/v1/admin/reconciliation', {});
    for (const [method, url] of [['GET', '/api/v1/admin/money/overview'], ['POST', '/api/v1/admin/reconciliation'], ['GET', '/api/v1/admin/reconciliation'], ['GET', `/api/v1/admin/reconciliation/${run.body.id}`]] as const) {
      const send = (api: ReturnType<typeof client>) => (method === 'GET' ? api.get(url) : api.post(url, {}));
      assert.equal((await send(client(ctx))).status, 401, url);
      assert.equal((await send(helper.api)).status, 403, url);
      assert.equal((await send(repo.maintainer.api)).status, 403, url);
    }
    assert.equal((await operator.api.get('/api/v1/admin/reconciliation/00000000-0000-7000-8000-000000000000')).status, 404);
    assert.equal((await operator.api.get('/api/v1/admin/money/overview?from=2026-04-01&to=2026-03-01')).status, 400);
  });
});
