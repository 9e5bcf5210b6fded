import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client, withKey } from '../../../test/helpers/http.ts';
import { assertLedgerConsistent, earn, owed, refund } from '../../../test/helpers/money.ts';
import { periodKey } from './payouts.schedule.ts';
import { PAYOUTS_RUN_JOB } from './payouts.service.ts';

type Repo = Awaited<ReturnType<typeof createRepo>>;

describe('payouts: balances, schedule, threshold, idempotency, negative balances', () => {
  let ctx: TestContext;
  let operator: TestUser;
  let customer: TestUser;
  before(async () => {
    ctx = await startTestApp();
    operator = await createUser(ctx, { operator: true });
    customer = await createUser(ctx);
  });
  after(() => ctx.close());

  const payoutCount = async (key: string) =>
    Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM ledger_transactions WHERE idempotency_key LIKE ${`${key}%`}`.execute(ctx.db)).rows[0].n);

  async function team(): Promise<{ repo: Repo; helper: TestUser }> {
    return { repo: await createRepo(ctx), helper: await createUser(ctx) };
  }

  test('balances come from the ledger, per currency, and only the payee or the maintainers see them', async () => {
    const { repo, helper } = await team();
    await earn(ctx, { repo, helper, customer, amount: 9999 });
    await earn(ctx, { repo, helper, customer, amount: 20_000, currency: 'USD', processorFee: 610 });

    const mine = await helper.api.get('/api/v1/helpers/me/balance');
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.items.map((item: { currency: string; balance: number }) => [item.currency, item.balance]),
      [['EUR', 8181], ['USD', 20_000 - 2000 - 1000 - 610]],
    );
    assert.equal(mine.body.items[0].minimum, 5000);
    assert.equal(mine.body.schedule, 'weekly');

    const repoUrl = `/api/v1/repos/${repo.fullName}/balance`;
    const repoBalance = await repo.maintainer.api.get(repoUrl);
    assert.equal(repoBalance.status, 200);
    assert.deepEqual(repoBalance.body.items.map((item: { currency: string; balance: number }) => [item.currency, item.balance]), [['EUR', 999], ['USD', 2000]]);
    assert.equal((await helper.api.get(repoUrl)).status, 403, 'a helper of the repository is not its maintainer');
    assert.equal((await client(ctx).get(repoUrl)).status, 401);
    assert.equal((await client(ctx).get('/api/v1/helpers/me/balance')).status, 401);
    const stranger = await createUser(ctx);
    assert.deepEqual((await stranger.api.get('/api/v1/helpers/me/balance')).body.items, [], "another helper's balance is never theirs to see");
    await assertLedgerConsistent(ctx);
  });

  test('the daily job pays each payee once per period, only from the minimum up, and schedules the next run', async () => {
    const { repo, helper } = await team();
    ctx.clock.set('2026-02-02T10:00:00Z'); // a Monday: ISO week 2026-W06
    await earn(ctx, { repo, helper, customer, amount: 9999 });

    await ctx.services.payouts.scheduleNextRun();
    ctx.clock.set('2026-02-03T00:00:01Z');
    await ctx.jobs.drain();
    const helperKey = `payout:helper:${helper.id}:EUR:2026-W06`;
    assert.equal(await payoutCount(helperKey), 1, 'the helper (8181 >= 5000) is paid');
    assert.equal(await payoutCount(`payout:repo:${repo.id}:`), 0, 'the repository (999 < 5000) waits');
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 0);
    assert.equal(await owed(ctx, { type: 'repo', id: repo.id }), 999);
    const next = await ctx.db.selectFrom('jobs').select('run_at').where('queue', '=', PAYOUTS_RUN_JOB).where('completed_at', 'is', null).execute();
    assert.deepEqual(next.map((job) => job.run_at.toISOString()), ['2026-02-04T00:00:00.000Z'], 'the run schedules the next one');

    const payouts = await helper.api.get('/api/v1/helpers/me/payouts');
    assert.equal(payouts.body.items.length, 1);
    assert.deepEqual({ ...payouts.body.items[0], id: undefined, ledgerTransactionId: undefined, createdAt: undefined, payee: undefined }, {
      id: undefined, ledgerTransactionId: undefined, createdAt: undefined, payee: undefined,
      currency: 'EUR', amount: 8181, period: '2026-W06', method: 'manual', status: 'pending_manual',
      reversalTransactionId: null, providerTransferId: null, failureReason: null, paidReference: null, paidAt: null,
    });

    // More earnings in the same week wait for the next week's run.
    await earn(ctx, { repo, helper, customer, amount: 9999 });
    ctx.clock.set('2026-02-04T00:00:01Z');
    await ctx.jobs.drain();
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 8181, 'one payout per week');
    ctx.clock.set('2026-02-09T00:00:01Z');
    await ctx.services.payouts.runDue();
    assert.equal(await payoutCount(`payout:helper:${helper.id}:EUR:2026-W07`), 1);
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 0);
    await assertLedgerConsistent(ctx);
  });

  test('a payee chooses monthly payouts and may raise the minimum, never lower it', async () => {
    const { repo, helper } = await team();
    const settings = '/api/v1/helpers/me/payout-settings';
    const lowered = await helper.api.put(settings, { schedule: 'monthly', minimums: { EUR: 4999 } });
    assert.equal(lowered.status, 400);
    assert.equal(lowered.body.error.details[0].path, 'body.minimums.EUR');
    assert.equal((await helper.api.put(settings, { schedule: 'daily' })).status, 400);
    assert.equal((await helper.api.put(settings, { schedule: 'monthly', minimums: { XYZ: 9000 } })).status, 400);
    const saved = await helper.api.put(settings, { schedule: 'monthly', minimums: { EUR: 10_000 } });
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.body, { schedule: 'monthly', minimums: { EUR: 10_000 }, platformMinimum: 5000 });
    assert.equal((await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/payout-settings`, { schedule: 'monthly' })).status, 200);
    assert.equal((await helper.api.put(`/api/v1/repos/${repo.fullName}/payout-settings`, { schedule: 'weekly' })).status, 403);

    ctx.clock.set('2026-03-02T10:00:00Z');
    await earn(ctx, { repo, helper, customer, amount: 9999 });
    await ctx.services.payouts.runDue();
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 8181, 'below the helper\'s own minimum of 10000');
    await earn(ctx, { repo, helper, customer, amount: 9999 });
    await ctx.services.payouts.runDue();
    assert.equal(await payoutCount(`payout:helper:${helper.id}:EUR:2026-03`), 1, 'a monthly period key');
    await earn(ctx, { repo, helper, customer, amount: 20_000 });
    ctx.clock.set('2026-03-30T10:00:00Z');
    await ctx.services.payouts.runDue();
    assert.ok((await owed(ctx, { type: 'helper', id: helper.id })) > 10_000, 'still March: one payout per month');
    ctx.clock.set('2026-04-01T00:00:01Z');
    await ctx.services.payouts.runDue();
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 0);
    await assertLedgerConsistent(ctx);
  });

  test('running the job twice, or several runs at once, pays once', async () => {
    const { repo, helper } = await team();
    ctx.clock.set('2026-05-04T10:00:00Z');
    await earn(ctx, { repo, helper, customer, amount: 60_000 });
    const runs = await Promise.all([ctx.services.payouts.runDue(), ctx.services.payouts.runDue(), ctx.services.payouts.runDue()]);
    const created = runs.reduce((sum, run) => sum + run.created, 0);
    assert.equal(created, 2, 'one payout for the helper and one for the repository (6000 >= 5000), across all runs');
    assert.equal((await ctx.services.payouts.runDue()).created, 0);
    assert.equal(await payoutCount(`payout:helper:${helper.id}:`), 1);
    assert.equal(await payoutCount(`payout:repo:${repo.id}:`), 1);
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 0);
    assert.equal(await owed(ctx, { type: 'repo', id: repo.id }), 0);
    await assertLedgerConsistent(ctx);
  });

  test('a refund after a payout leaves a negative balance that is never paid and that later earnings repay first', async () => {
    const { repo, helper } = await team();
    ctx.clock.set('2026-06-01T10:00:00Z');
    const first = await earn(ctx, { repo, helper, customer, amount: 9999 });
    await ctx.services.payouts.runDue();
    const [payout] = (await helper.api.get('/api/v1/helpers/me/payouts')).body.items;
    assert.equal(payout.amount, 8181);
    assert.equal((await operator.api.post(`/api/v1/admin/payouts/${payout.id}/mark-paid`, { reference: 'SEPA-2026-06-01' }, withKey())).body.status, 'paid');

    await refund(ctx, first, 2500);
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), -2045, 'the documented example: 2045 of the 2500 was the helper\'s');
    const balance = await helper.api.get('/api/v1/helpers/me/balance');
    assert.equal(balance.body.items[0].balance, -2045);

    ctx.clock.set('2026-06-08T10:00:00Z');
    assert.equal((await ctx.services.payouts.runDue()).created, 0, 'a negative balance is never paid out');
    await earn(ctx, { repo, helper, customer, amount: 9999 });
    ctx.clock.set('2026-06-15T10:00:00Z');
    await ctx.services.payouts.runDue();
    const latest = (await helper.api.get('/api/v1/helpers/me/payouts')).body.items[0];
    assert.equal(latest.amount, 8181 - 2045, 'the debt was repaid out of the new earnings before paying');
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 0);
    await assertLedgerConsistent(ctx);
  });

  test('operators settle manual payouts; nobody else can, and a failed one is reversed, never deleted', async () => {
    const { repo, helper } = await team();
    ctx.clock.set('2026-07-06T10:00:00Z');
    await earn(ctx, { repo, helper, customer, amount: 9999 });
    const run = await operator.api.post('/api/v1/admin/payouts/run');
    assert.equal(run.status, 202);
    await ctx.jobs.drain();
    const pending = await operator.api.get('/api/v1/admin/payouts?status=pending_manual');
    const payout = pending.body.items.find((item: { payee: { id: string } }) => item.payee.id === helper.id);
    assert.ok(payout, 'the run made a manual payout');
    assert.equal(payout.payeeName, (await helper.api.get('/api/v1/me')).body.displayName, 'the operator sees whom to pay');
    const url = `/api/v1/admin/payouts/${payout.id}`;
    assert.equal((await client(ctx).post(`${url}/mark-paid`, {}, withKey())).status, 401);
    assert.equal((await helper.api.post(`${url}/mark-paid`, {}, withKey())).status, 403);
    assert.equal((await helper.api.post('/api/v1/admin/payouts/run')).status, 403);
    assert.equal((await helper.api.get('/api/v1/admin/payouts')).status, 403);

    const failKey = withKey();
    const failed = await operator.api.post(`${url}/mark-failed`, { reason: 'The bank returned the transfer: account closed' }, failKey);
    assert.equal(failed.status, 200);
    const retried = await operator.api.post(`${url}/mark-failed`, { reason: 'The bank returned the transfer: account closed' }, failKey);
    assert.deepEqual([retried.headers['idempotent-replayed'], retried.body], ['true', failed.body], 'a retry replays the first answer');
    const misused = await operator.api.post(`${url}/mark-failed`, { reason: 'Something else' }, failKey);
    assert.deepEqual([misused.status, misused.body.error.code], [422, 'idempotency_key_reused']);
    assert.equal(failed.body.status, 'failed');
    assert.ok(failed.body.reversalTransactionId);
    assert.equal(await owed(ctx, { type: 'helper', id: helper.id }), 8181, 'the money is owed again');
    assert.equal((await operator.api.post(`${url}/mark-paid`, {}, withKey())).status, 409);
    assert.equal((await operator.api.post(`${url}/mark-failed`, { reason: 'again' }, withKey())).body.status, 'failed', 'settling twice changes nothing');
    const keyless = await operator.api.post(`${url}/mark-failed`, { reason: 'again' });
    assert.deepEqual([keyless.status, keyless.body.error.code], [400, 'idempotency_key_required']);
    const reversal = await ctx.services.ledger.transaction(failed.body.reversalTransactionId);
    assert.equal(reversal.reversesTransactionId, payout.ledgerTransactionId);
    assert.equal((await operator.api.post('/api/v1/admin/payouts/00000000-0000-7000-8000-000000000000/mark-paid', {}, withKey())).status, 404);
    await assertLedgerConsistent(ctx);
  });
});

describe('payout schedule', () => {
  test('ISO weeks belong to the year of their Thursday', () => {
    assert.equal(periodKey('weekly', new Date('2026-01-05T09:00:00Z')), '2026-W02');
    assert.equal(periodKey('weekly', new Date('2027-01-01T12:00:00Z')), '2026-W53');
    assert.equal(periodKey('weekly', new Date('2024-12-30T00:00:00Z')), '2025-W01');
    assert.equal(periodKey('monthly', new Date('2026-12-31T23:59:59Z')), '2026-12');
  });
});
