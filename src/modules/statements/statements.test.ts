import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { extractText, getDocumentProxy } from 'unpdf';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { assertLedgerConsistent, earn, owed } from '../../../test/helpers/money.ts';
import { formatMoney, parseDecimal } from '../invoices/invoices.money.ts';
import { reverseSplit, splitPayment } from '../ledger/split.ts';
import { sandboxChargeId, sandboxFee } from '../payments/providers/sandbox.ts';
import { acceptAndPay, approvedHelper, sendQuote, withKey, type Repo } from '../payments/test-support.ts';

/** The split the payments module makes of 9999 on the sandbox (fee 2.9% + 30), and of a 2500 refund of it. */
const SPLIT = splitPayment({ amount: 9999, commissionBps: 1000, platformFeeBps: 500, processorFee: sandboxFee(9999) });
const REFUND = reverseSplit(SPLIT, 2500);

/**
 * Money made by the payments module itself (quote, sandbox payment, confirmation, refund, chargeback), so
 * that statements are checked against the postings the platform really writes.
 */
describe('statements', () => {
  let ctx: TestContext;
  let repo: Repo;
  let helper: TestUser;
  let operator: TestUser;
  const ticketTitles: string[] = [];

  before(async () => {
    ctx = await startTestApp();
    operator = await createUser(ctx, { operator: true });
    repo = await createRepo(ctx);
    helper = await approvedHelper(ctx, repo);
  });
  after(() => ctx.close());

  /** A paid ticket whose payment is released (the customer confirms) at `at`; returns the payment. */
  async function releasedAt(at: string, amount = 9999) {
    const customer = await createUser(ctx);
    const title = `Renderer leaks memory #${ticketTitles.length + 1}`;
    ticketTitles.push(title);
    const opened = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title, body: 'It grows.', track: 'expert' });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    const url = `/api/v1/tickets/${opened.body.id}`;
    assert.equal((await helper.api.post(`${url}/claim`)).status, 200);
    const payment = await acceptAndPay(customer, (await sendQuote(helper, opened.body.id, { amount })).id);
    assert.equal((await helper.api.post(`${url}/resolve`, { summary: 'Fixed the leak.' })).status, 200);
    ctx.clock.set(at);
    assert.equal((await customer.api.post(`${url}/confirm`)).status, 200);
    return { ...payment, ticketId: opened.body.id as string, title };
  }

  const helperStatement = (query: string) => helper.api.get(`/api/v1/helpers/me/statements?${query}`);
  const netOf = (lines: { net: number }[]) => lines.reduce((sum, line) => sum + line.net, 0);

  test('a statement reconciles with the ledger across the period boundaries, and CSV and PDF show the same numbers', async () => {
    ctx.clock.set('2026-02-27T10:00:00Z');
    await releasedAt('2026-02-28T23:59:59.999Z'); // just before `from`: opening balance
    const atFrom = await releasedAt('2026-03-01T00:00:00.000Z'); // exactly `from`: included
    ctx.clock.set('2026-03-10T12:00:00Z');
    const refunded = await repo.maintainer.api.post(`/api/v1/payments/${atFrom.id}/refunds`, { amount: 2500, reason: 'Partly unsolved' }, withKey());
    assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
    ctx.clock.set('2026-03-16T00:00:01Z'); // a Monday: the weekly payout of everything owed so far
    await ctx.services.payouts.runDue();
    const chargedBack = await releasedAt('2026-03-20T09:00:00Z');
    ctx.clock.set('2026-03-21T09:00:00Z');
    await ctx.services.payments.eventSink({ type: 'dispute.created', providerChargeId: sandboxChargeId(chargedBack.id), providerDisputeId: 'dp_statement_test', amount: 9999, currency: 'EUR' });
    await releasedAt('2026-03-31T23:59:59.999Z'); // just before `to`: included
    const ledgerAtTo = await owed(ctx, { type: 'helper', id: helper.id });
    await releasedAt('2026-04-01T00:00:00.000Z'); // exactly `to`: the next period's

    const response = await helperStatement('from=2026-03-01&to=2026-04-01');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const statement = response.body;
    assert.equal(statement.currency, 'EUR');
    assert.equal(statement.openingBalance, SPLIT.helper, 'the release just before `from` is in the opening balance');
    assert.deepEqual(
      statement.lines.map((line: { date: string; kind: string; net: number }) => [line.date, line.kind, line.net]),
      [
        ['2026-03-01T00:00:00.000Z', 'release', SPLIT.helper],
        ['2026-03-10T12:00:00.000Z', 'refund', -REFUND.helper],
        ['2026-03-16T00:00:01.000Z', 'payout', -(2 * SPLIT.helper - REFUND.helper)],
        ['2026-03-20T09:00:00.000Z', 'release', SPLIT.helper],
        ['2026-03-21T09:00:00.000Z', 'dispute', -SPLIT.helper],
        ['2026-03-31T23:59:59.999Z', 'release', SPLIT.helper],
      ],
    );
    assert.deepEqual(statement.lines[0].ticket, { id: atFrom.ticketId, title: atFrom.title });
    const refundLine = statement.lines[1];
    assert.deepEqual([refundLine.gross, refundLine.commission, refundLine.platformFee, refundLine.processorFee], [-2500, -REFUND.commission, -REFUND.platformFee, -REFUND.processorFee]);
    assert.equal(statement.lines[2].ticket, null);
    assert.equal(statement.closingBalance, statement.openingBalance + netOf(statement.lines), 'opening + lines = closing');
    assert.equal(statement.closingBalance, ledgerAtTo, 'closing = the ledger balance at `to`');
    assert.equal(statement.totals.net, netOf(statement.lines));
    for (const line of statement.lines.filter((candidate: { kind: string }) => candidate.kind !== 'payout')) {
      assert.equal(line.gross - line.commission - line.platformFee - line.processorFee, line.net, `the split of the ${line.kind} line adds up`);
    }
    const next = (await helperStatement('from=2026-04-01&to=2026-05-01')).body;
    assert.equal(next.openingBalance, statement.closingBalance, 'consecutive periods neither share nor miss a posting');
    assert.deepEqual(next.lines.map((line: { kind: string }) => line.kind), ['release']);

    const csv = await ctx.app.inject({ method: 'GET', url: '/api/v1/helpers/me/statements?from=2026-03-01&to=2026-04-01&format=csv', headers: { authorization: `Bearer ${helper.token}` } });
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const rows: Record<string, string>[] = parse(csv.body, { columns: true });
    const units = (text: string) => parseDecimal(text, 'EUR');
    assert.deepEqual(rows.map((row) => row.kind), ['opening_balance', ...statement.lines.map((line: { kind: string }) => line.kind), 'total', 'closing_balance']);
    const total = rows.find((row) => row.kind === 'total')!;
    assert.deepEqual(
      { gross: units(total.gross), commission: units(total.commission), platformFee: units(total.platform_fee), processorFee: units(total.processor_fee), net: units(total.net) },
      statement.totals,
    );
    assert.equal(units(rows[0].net), statement.openingBalance);
    assert.equal(units(rows.at(-1)!.net), statement.closingBalance);
    assert.equal(rows[1].ticket_title, atFrom.title);

    const pdf = await ctx.app.inject({ method: 'GET', url: '/api/v1/helpers/me/statements?from=2026-03-01&to=2026-04-01&format=pdf', headers: { authorization: `Bearer ${helper.token}` } });
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), { mergePages: true });
    for (const amount of [statement.openingBalance, statement.closingBalance, ...Object.values(statement.totals) as number[]]) {
      assert.ok(text.includes(formatMoney(amount, 'EUR')), `the PDF shows ${formatMoney(amount, 'EUR')}`);
    }
    assert.ok(text.includes('2026-03-01 – 2026-03-31'));
    assert.ok(text.includes(atFrom.title));
    await assertLedgerConsistent(ctx);
  });

  test("the repository's statement shows its commission as net, and its maintainers alone may read it", async () => {
    const url = `/api/v1/repos/${repo.fullName}/statements?from=2026-03-01&to=2026-04-01`;
    const response = await repo.maintainer.api.get(url);
    assert.equal(response.status, 200);
    const statement = response.body;
    assert.equal(statement.payee.name, repo.fullName);
    // 999 a ticket stays below the payout minimum: no payout line.
    assert.deepEqual(statement.lines.map((line: { kind: string; net: number }) => [line.kind, line.net]), [
      ['release', 999], ['refund', -REFUND.commission], ['release', 999], ['dispute', -999], ['release', 999],
    ]);
    for (const line of statement.lines.filter((candidate: { kind: string }) => candidate.kind !== 'payout')) assert.equal(line.net, line.commission);
    assert.equal(statement.closingBalance, statement.openingBalance + statement.totals.net);

    assert.equal((await helper.api.get(url)).status, 403, 'a helper of the repository is not a maintainer');
    assert.equal((await client(ctx).get(url)).status, 401);
    assert.equal((await operator.api.get(url)).status, 200);
    const unlisted = await createRepo(ctx);
    await ctx.db.updateTable('repos').set({ status: 'pending' }).where('id', '=', unlisted.id).execute();
    assert.equal((await helper.api.get(`/api/v1/repos/${unlisted.fullName}/statements`)).status, 404);
  });

  test("another helper cannot reach this helper's statements or payout statements", async () => {
    const other = await createUser(ctx);
    const theirs = await other.api.get('/api/v1/helpers/me/statements?from=2026-03-01&to=2026-04-01');
    assert.equal(theirs.status, 200);
    assert.equal(theirs.body.payee.id, other.id);
    assert.deepEqual(theirs.body.lines, []);
    const [payout] = (await helper.api.get('/api/v1/helpers/me/payouts')).body.items;
    assert.equal((await other.api.get(`/api/v1/payouts/${payout.id}/statement`)).status, 404);
    assert.equal((await client(ctx).get(`/api/v1/payouts/${payout.id}/statement`)).status, 401);
    assert.equal((await client(ctx).get(`/api/v1/payouts/${crypto.randomUUID()}/statement`)).status, 401, 'signed out is a 401 for a payout that does not exist too');

    const own = await helper.api.get(`/api/v1/payouts/${payout.id}/statement`);
    assert.equal(own.status, 200);
    assert.equal(own.body.payoutId, payout.id);
    assert.deepEqual(own.body.lines.map((line: { kind: string }) => line.kind), ['release', 'release', 'refund', 'payout'], 'everything since the first posting, up to and including the payout');
    assert.equal(own.body.closingBalance, 0);
    assert.equal((await operator.api.get(`/api/v1/payouts/${payout.id}/statement?format=csv`)).status, 200);
  });

  test('bad periods and currencies are 400s that say what to send', async () => {
    const cases: [string, RegExp][] = [
      ['from=2026-02-30&to=2026-03-01', /not a day of the calendar/],
      ['from=March&to=2026-03-01', /ISO date/],
      ['from=2026-03-01T00:00:00&to=2026-04-01', /offset/],
      ['from=2026-04-01&to=2026-03-01', /must be before to/],
      ['from=2026-03-01&to=2026-03-01', /must be before to/],
      ['from=2020-01-01&to=2026-01-01', /at most 400 days/],
      ['currency=eur', /uppercase ISO 4217/],
      ['format=xlsx', /format/],
    ];
    for (const [query, message] of cases) {
      const response = await helperStatement(query);
      assert.equal(response.status, 400, query);
      assert.match(JSON.stringify(response.body.error), message, query);
    }
  });

  test('a payee with several currencies gets the main one by default, is told so, and can ask for another', async () => {
    const dual = await createUser(ctx);
    const customer = await createUser(ctx);
    ctx.clock.set('2026-06-10T10:00:00Z');
    await earn(ctx, { repo, helper: dual, customer, amount: 9999 });
    await earn(ctx, { repo, helper: dual, customer, amount: 9999 });
    await earn(ctx, { repo, helper: dual, customer, amount: 5000, currency: 'USD' });
    const main = (await dual.api.get('/api/v1/helpers/me/statements?from=2026-06-01&to=2026-07-01')).body;
    assert.equal(main.currency, 'EUR');
    assert.deepEqual(main.currencies, ['EUR', 'USD']);
    assert.match(main.note, /main currency.*USD.*currency=USD/);
    const usd = (await dual.api.get('/api/v1/helpers/me/statements?from=2026-06-01&to=2026-07-01&currency=USD')).body;
    assert.equal(usd.currency, 'USD');
    assert.equal(usd.closingBalance, 5000 - 500 - 250 - 320);
    assert.deepEqual(usd.lines.map((line: { kind: string }) => line.kind), ['release']);
    await assertLedgerConsistent(ctx);
  });
});
