import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../../test/helpers/factories.ts';
import { createBuyerOrg, issue, startInvoicingApp, type InvoicingContext } from '../../../test/helpers/invoices.ts';
import { withKey } from '../../../test/helpers/http.ts';
import { invoiceNumbersIn } from './invoices.bank-import.ts';
import type { Invoice } from './invoices.presenter.ts';

type Row = { row: number; reason: string; invoiceNumber: string | null; amount: number; message: string };
type ImportBody = { matched: Row[]; unmatched: Row[]; ambiguous: Row[] };

describe('bank imports', () => {
  let it: InvoicingContext;
  let buyer: { kind: 'org'; orgId: string };
  before(async () => {
    it = await startInvoicingApp();
    buyer = { kind: 'org', orgId: (await createBuyerOrg(it.ctx)).id };
  });
  after(() => it.ctx.close());

  const importCsv = (csv: string) => it.operator.api.post<ImportBody>('/api/v1/admin/bank-imports', csv, { 'content-type': 'text/csv' });
  const statusOf = async (invoice: Invoice) => (await it.operator.api.get(`/api/v1/invoices/${invoice.id}`)).body.status;
  const summary = (body: ImportBody) => ({
    matched: body.matched.map((row) => [row.row, row.reason, row.invoiceNumber]),
    unmatched: body.unmatched.map((row) => [row.row, row.reason, row.invoiceNumber]),
    ambiguous: body.ambiguous.map((row) => [row.row, row.reason, row.invoiceNumber]),
  });

  test('invoice numbers are found however the payer typed them', () => {
    assert.deepEqual(invoiceNumbersIn('Invoice BL-2026-000012 thanks'), ['BL-2026-000012']);
    assert.deepEqual(invoiceNumbersIn('bl 2026 000012 / BL2026000013'), ['BL-2026-000012', 'BL-2026-000013']);
    assert.deepEqual(invoiceNumbersIn('BL-CN-2026-000001 BL-2026-12'), []);
  });

  test('matches exact payments, and reports wrong amounts, unknown references, repeated rows, paid invoices and outgoing money', async () => {
    const exact = await issue(it.ctx, { buyer }); // 696.15 EUR
    const partial = await issue(it.ctx, { buyer });
    const over = await issue(it.ctx, { buyer });
    const dollars = await issue(it.ctx, { buyer, currency: 'USD' });
    const csv = [
      'Date,Amount,Currency,Reference,Counterparty',
      `2026-01-03,696.15,EUR,"Payment ${exact.number}, thank you",Acme`,
      `2026-01-03,500.00,EUR,${partial.number},Acme`,
      `2026-01-03,700,EUR,${over.number},Acme`,
      '2026-01-04,696.15,EUR,Invoice BL-2026-999999,Acme',
      '2026-01-04,20.00,EUR,Coffee,Acme',
      `2026-01-04,696.15,EUR,"Payment ${exact.number}, thank you",Acme`,
      `2026-01-04,-696.15,EUR,Refund ${partial.number},Acme`,
      `2026-01-04,696.15,EUR,${dollars.number},Acme`,
      `2026-01-04,1392.30,EUR,${partial.number} ${over.number},Acme`,
      `2026-01-03,696.15,EUR,"Payment ${exact.number}, thank you",Acme`,
    ].join('\n');
    const response = await importCsv(csv);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(summary(response.body), {
      matched: [[2, 'paid', exact.number]],
      unmatched: [
        [3, 'partial_payment', partial.number],
        [4, 'over_payment', over.number],
        [5, 'unknown_invoice', null],
        [6, 'no_invoice_number', null],
        [7, 'already_paid', exact.number],
        [8, 'not_incoming', null],
        [9, 'currency_mismatch', dollars.number],
      ],
      ambiguous: [
        [10, 'several_invoices', null],
        [11, 'duplicate_row', null],
      ],
    });
    assert.match(response.body.unmatched[0].message, /69615 due, the transfer is 50000/);
    assert.match(response.body.ambiguous[1].message, /as row 2/);
    assert.deepEqual(await Promise.all([exact, partial, over, dollars].map(statusOf)), ['paid', 'issued', 'issued', 'issued']);
    const paid = (await it.operator.api.get(`/api/v1/invoices/${exact.id}`)).body;
    assert.deepEqual([paid.paidAt, paid.paymentReference], ['2026-01-03T00:00:00.000Z', `Payment ${exact.number}, thank you`]);

    // The same statement again pays nothing twice.
    const again = await importCsv(csv);
    assert.deepEqual(again.body.matched, []);
    assert.deepEqual([again.body.unmatched[0].row, again.body.unmatched[0].reason], [2, 'already_paid']);
  });

  test('a partly credited invoice is paid by what is still due; a void one by nothing', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const voided = await issue(it.ctx, { buyer });
    await it.operator.api.post(`/api/v1/invoices/${invoice.id}/credit-notes`, { reason: 'Discount', lines: [{ lineId: invoice.lines[0].id, amount: 15_000 }] }, withKey());
    await it.operator.api.post(`/api/v1/invoices/${voided.id}/credit-notes`, { reason: 'Cancelled', full: true }, withKey());
    const response = await it.operator.api.post<ImportBody>('/api/v1/admin/bank-imports', {
      csv: `date,amount,currency,reference\n2026-01-05,517.65,eur,${invoice.number}\n2026-01-05,696.15,EUR,${voided.number}\n`,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(summary(response.body), { matched: [[2, 'paid', invoice.number]], unmatched: [[3, 'invoice_void', voided.number]], ambiguous: [] });
    assert.equal(await statusOf(invoice), 'paid');
  });

  test('a malformed statement is a 400 naming each bad row, and marks nothing paid', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const cases: [string, string[]][] = [
      [`date,amount,currency,reference\n2026-01-05,696.15,EUR,${invoice.number}\n2026-01-32,1.00,EUR,x\n2026-01-05,1.005,EUR,x\n2026-01-05,"1,00",EUR,x\n2026-01-05,1.00,EURO,x\n2026-01-09,1.00,EUR,x`, [
        'row 3.date',
        'row 4.amount',
        'row 5.amount',
        'row 6.currency',
        'row 7.date',
      ]],
      [`date,amount,currency,reference\n2026-01-05,696.15,EUR,${invoice.number}\n2026-01-05,1.00,EUR\n`, ['row 3']],
      [`date,amount,currency,reference\n2026-01-05,696.15,EUR,"${invoice.number}\n`, ['row 2']],
      [`day,sum,reference\n2026-01-05,696.15,${invoice.number}\n`, ['row 1']],
      ['date,amount,currency,reference\n', ['row 2']],
      ['', ['row 1']],
    ];
    for (const [csv, paths] of cases) {
      const response = await importCsv(csv);
      assert.equal(response.status, 400, csv);
      assert.deepEqual((response.body as unknown as { error: { details: { path: string }[] } }).error.details.map((detail) => detail.path), paths, csv);
    }
    assert.equal(await statusOf(invoice), 'issued');
  });

  test('operators only', async () => {
    const someone = await createUser(it.ctx);
    const response = await someone.api.post('/api/v1/admin/bank-imports', 'date,amount,currency,reference\n', { 'content-type': 'text/csv' });
    assert.equal(response.status, 403);
  });
});
