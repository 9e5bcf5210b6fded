import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBuyerOrg, issue, startInvoicingApp, type InvoicingContext } from '../../../test/helpers/invoices.ts';
import { withKey } from '../../../test/helpers/http.ts';
import type { Invoice } from './invoices.presenter.ts';

describe('credit notes and payment', () => {
  let it: InvoicingContext;
  let buyer: { kind: 'org'; orgId: string };
  before(async () => {
    it = await startInvoicingApp();
    buyer = { kind: 'org', orgId: (await createBuyerOrg(it.ctx)).id };
  });
  after(() => it.ctx.close());

  const credit = (invoice: Invoice, body: unknown) => it.operator.api.post(`/api/v1/invoices/${invoice.id}/credit-notes`, body, withKey());
  const reload = async (invoice: Invoice) => (await it.operator.api.get(`/api/v1/invoices/${invoice.id}`)).body as Invoice;

  test('a partial credit note credits part of a line, with the tax on it; the invoice stays due for the rest', async () => {
    const invoice = await issue(it.ctx, { buyer }); // 58 500 + 19% = 69 615
    const [review] = invoice.lines;
    const response = await credit(invoice, { reason: 'One hour less than quoted', lines: [{ lineId: review.id, amount: 15_000 }] });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const note = response.body as Invoice;
    assert.equal(note.kind, 'credit_note');
    assert.match(note.number, /^BL-CN-2026-\d{6}$/);
    assert.deepEqual(note.creditsInvoice, { id: invoice.id, number: invoice.number });
    assert.deepEqual(note.lines.map((line) => [line.description, line.quantity, line.unitPrice, line.amount, line.creditsLineId]), [['Architecture review', 1, 15_000, 15_000, review.id]]);
    assert.deepEqual([note.subtotal, note.tax.amount, note.total], [15_000, 2850, 17_850]);
    assert.deepEqual(note.notes, ['One hour less than quoted']);
    assert.equal(note.buyer.vatId, invoice.buyer.vatId);

    const after = await reload(invoice);
    assert.equal(after.status, 'issued');
    assert.equal(after.lines[0].credited, 15_000);
    assert.equal(after.creditedTotal, 17_850);
    assert.equal(after.amountDue, 69_615 - 17_850);
    assert.deepEqual(after.creditNotes.map((listed) => listed.number), [note.number]);
  });

  test('crediting more than is left of a line is a 409 naming the line, and writes nothing', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const [review, session] = invoice.lines;
    assert.equal((await credit(invoice, { reason: 'Part', lines: [{ lineId: review.id, amount: 40_000 }] })).status, 201);
    const documents = await it.ctx.db.selectFrom('invoices').select('id').execute();
    const over = await credit(invoice, { reason: 'Too much', lines: [{ lineId: session.id, amount: 100 }, { lineId: review.id, amount: 5001 }] });
    assert.equal(over.status, 409);
    assert.equal(over.body.error.code, 'over_credit');
    assert.deepEqual(over.body.error.details, [{ path: 'lines.1.amount', message: 'at most 5000' }]);
    assert.equal((await it.ctx.db.selectFrom('invoices').select('id').execute()).length, documents.length);
    assert.equal((await credit(invoice, { reason: 'Exactly the rest', lines: [{ lineId: review.id, amount: 5000 }] })).status, 201);
  });

  test('crediting in full voids an open invoice; the credit notes add up to exactly its total, tax included', async () => {
    // 3 × 1 at 19%: each third alone would round its tax to 0; cumulative rounding still returns the whole tax.
    const invoice = await issue(it.ctx, { buyer, lines: [{ kind: 'fee', description: 'Small fee', quantity: 3, unitPrice: 1 }] });
    assert.deepEqual([invoice.subtotal, invoice.tax.amount, invoice.total], [3, 1, 4]);
    const [line] = invoice.lines;
    const first = await credit(invoice, { reason: 'a', lines: [{ lineId: line.id, amount: 1 }] });
    const second = await credit(invoice, { reason: 'b', lines: [{ lineId: line.id, amount: 1 }] });
    assert.deepEqual([first.body.tax.amount, second.body.tax.amount], [0, 0]);
    assert.equal((await reload(invoice)).status, 'issued');
    const rest = await credit(invoice, { reason: 'cancelled', full: true });
    assert.equal(rest.status, 201);
    assert.deepEqual([rest.body.subtotal, rest.body.tax.amount, rest.body.total], [1, 1, 2]);
    const voided = await reload(invoice);
    assert.equal(voided.status, 'void');
    assert.equal(voided.creditedTotal, invoice.total);
    assert.equal(voided.amountDue, 0);
    assert.equal(voided.paymentInstructions, null);

    const again = await credit(invoice, { reason: 'again', full: true });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'nothing_to_credit');
    const pay = await it.operator.api.post(`/api/v1/admin/invoices/${invoice.id}/mark-paid`, { paidAt: '2026-01-05T08:00:00Z', reference: 'x' }, withKey());
    assert.equal(pay.status, 409);
    assert.equal(pay.body.error.code, 'invoice_void');
  });

  test('a paid invoice credited in full stays paid: the money goes back through a refund', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const paid = await it.operator.api.post(`/api/v1/admin/invoices/${invoice.id}/mark-paid`, { paidAt: '2026-01-05T08:00:00Z', reference: 'SEPA 1' }, withKey());
    assert.equal(paid.status, 200);
    assert.equal((await credit(invoice, { reason: 'Refunded', full: true })).status, 201);
    const after = await reload(invoice);
    assert.equal(after.status, 'paid');
    assert.equal(after.creditedTotal, invoice.total);
  });

  test('credit notes themselves cannot be credited; bad requests are 400s', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const note = (await credit(invoice, { reason: 'Half', lines: [{ lineId: invoice.lines[1].id, amount: 100 }] })).body as Invoice;
    assert.equal((await credit(note, { reason: 'x', full: true })).body.error.code, 'not_an_invoice');
    const cases: [unknown, string][] = [
      [{ reason: 'x' }, 'body.lines'],
      [{ reason: 'x', full: true, lines: [{ lineId: invoice.lines[0].id, amount: 1 }] }, 'body.lines'],
      [{ reason: 'x', lines: [{ lineId: invoice.lines[0].id, amount: -5 }] }, 'body.lines.0.amount'],
      [{ reason: 'x', lines: [{ lineId: invoice.lines[0].id, amount: 1.5 }] }, 'body.lines.0.amount'],
      [{ reason: '', full: true }, 'body.reason'],
    ];
    for (const [body, path] of cases) {
      const response = await credit(invoice, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.ok(response.body.error.details.some((detail: { path: string }) => detail.path === path), `${JSON.stringify(response.body)} names ${path}`);
    }
    const foreign = await credit(invoice, { reason: 'x', lines: [{ lineId: note.lines[0].id, amount: 1 }] });
    assert.equal(foreign.status, 400);
    assert.deepEqual(foreign.body.error.details, [{ path: 'lines.0.lineId', message: `is not a line of invoice ${invoice.number}` }]);
    const twice = await credit(invoice, { reason: 'x', lines: [{ lineId: invoice.lines[0].id, amount: 1 }, { lineId: invoice.lines[0].id, amount: 1 }] });
    assert.equal(twice.status, 400);
    assert.equal((await it.operator.api.post(`/api/v1/invoices/00000000-0000-7000-8000-000000000000/credit-notes`, { reason: 'x', full: true }, withKey())).status, 404);
  });

  test('a credit note is issued once per Idempotency-Key: a retry gets the same note, another body with the key a 422, no key a 400', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const url = `/api/v1/invoices/${invoice.id}/credit-notes`;
    const body = { reason: 'Refunded an hour', lines: [{ lineId: invoice.lines[0].id, amount: 15_000 }] };
    const key = withKey();
    const first = await it.operator.api.post(url, body, key);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const retried = await it.operator.api.post(url, body, key);
    assert.equal(retried.status, 201);
    assert.equal(retried.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retried.body, first.body, 'the same credit note, number and all');

    const different = await it.operator.api.post(url, { ...body, reason: 'Another reason' }, key);
    assert.deepEqual([different.status, different.body.error.code], [422, 'idempotency_key_reused']);
    const keyless = await it.operator.api.post(url, body);
    assert.deepEqual([keyless.status, keyless.body.error.code], [400, 'idempotency_key_required']);
    const after = await reload(invoice);
    assert.deepEqual(after.creditNotes.map((note) => note.number), [first.body.number], 'one credit note in all');
    assert.equal(after.lines[0].credited, 15_000);

    // A refused credit stores nothing: the same key runs again once the request is right.
    const retryKey = withKey();
    assert.equal((await it.operator.api.post(url, { reason: 'Too much', lines: [{ lineId: invoice.lines[0].id, amount: 10_000_000 }] }, retryKey)).status, 409);
    assert.equal((await it.operator.api.post(url, { reason: 'Too much', lines: [{ lineId: invoice.lines[0].id, amount: 1000 }] }, retryKey)).status, 201);
  });

  test('an operator-issued invoice is issued once per Idempotency-Key: a retry returns the same number', async () => {
    const body = { buyer, currency: 'EUR', lines: [{ kind: 'fee', description: 'Onboarding', quantity: 1, unitPrice: 50_000 }] };
    const key = withKey();
    const first = await it.operator.api.post('/api/v1/admin/invoices', body, key);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const retried = await it.operator.api.post('/api/v1/admin/invoices', body, key);
    assert.deepEqual([retried.status, retried.headers['idempotent-replayed'], retried.body.number], [201, 'true', first.body.number]);
    const other = await it.operator.api.post('/api/v1/admin/invoices', { ...body, poNumber: 'PO-2' }, key);
    assert.deepEqual([other.status, other.body.error.code], [422, 'idempotency_key_reused']);
    assert.equal((await it.operator.api.post('/api/v1/admin/invoices', body)).status, 400);
    const numbers = await it.ctx.db.selectFrom('invoices').select('number').where('number', '=', first.body.number).execute();
    assert.equal(numbers.length, 1);
  });

  test('issued documents are final: the database itself refuses to edit or delete them', async () => {
    const invoice = await issue(it.ctx, { buyer });
    await assert.rejects(it.ctx.db.updateTable('invoices').set({ total: 1, subtotal: 1, tax: 0 }).where('id', '=', invoice.id).execute(), /is final/);
    await assert.rejects(it.ctx.db.updateTable('invoice_lines').set({ description: 'Something else' }).where('invoice_id', '=', invoice.id).execute(), /lines are final/);
    await assert.rejects(it.ctx.db.deleteFrom('invoices').where('id', '=', invoice.id).execute(), /issue a credit note/);
    assert.equal((await reload(invoice)).total, invoice.total);
  });

  test('marking paid runs the onInvoicePaid handlers in the same transaction; a failing handler leaves the invoice open', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const seen: string[] = [];
    const remove = it.ctx.services.invoices.onInvoicePaid(async (trx, paid) => {
      const row = await trx.selectFrom('invoices').select('status').where('id', '=', paid.id).executeTakeFirstOrThrow();
      seen.push(`${paid.number} ${row.status} ${paid.paymentReference}`);
      if (paid.paymentReference === 'bounce') throw new Error('ledger posting failed');
    });
    try {
      const markPaid = (reference: string) =>
        it.ctx.db.transaction().execute((trx) => it.ctx.services.invoices.markPaid(trx, invoice.id, { paidAt: new Date('2026-01-04T12:00:00Z'), reference }));
      await assert.rejects(markPaid('bounce'), /ledger posting failed/);
      assert.equal((await reload(invoice)).status, 'issued');
      const paid = await markPaid('SEPA 77');
      assert.equal(paid.status, 'paid');
      assert.equal(paid.paidAt, '2026-01-04T12:00:00.000Z');
      assert.equal(paid.amountDue, 0);
      assert.equal((await markPaid('SEPA 77')).status, 'paid'); // the same payment again: unchanged, handlers not rerun
      assert.deepEqual(seen, [`${invoice.number} paid bounce`, `${invoice.number} paid SEPA 77`]);
      await assert.rejects(markPaid('another'), (error: { code: string }) => error.code === 'already_paid');
    } finally {
      remove();
    }
  });

  test('mark-paid over HTTP: operators only, no date in the future, once per Idempotency-Key', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const url = `/api/v1/admin/invoices/${invoice.id}/mark-paid`;
    const future = await it.operator.api.post(url, { paidAt: '2026-01-06T00:00:00Z', reference: 'x' }, withKey());
    assert.equal(future.status, 400);
    assert.deepEqual(future.body.error.details, [{ path: 'paidAt', message: 'is in the future' }]);
    assert.equal((await it.operator.api.post(url, { paidAt: 'yesterday', reference: 'x' }, withKey())).status, 400);
    const buyerAdmin = (await createBuyerOrg(it.ctx)).admin;
    assert.equal((await buyerAdmin.api.post(url, { paidAt: '2026-01-05T00:00:00Z', reference: 'x' }, withKey())).status, 403);
    const keyless = await it.operator.api.post(url, { paidAt: '2026-01-05T00:00:00Z', reference: 'SEPA 9' });
    assert.deepEqual([keyless.status, keyless.body.error.code], [400, 'idempotency_key_required']);
    const key = withKey();
    const paid = await it.operator.api.post(url, { paidAt: '2026-01-05T00:00:00Z', reference: 'SEPA 9' }, key);
    assert.equal(paid.status, 200);
    assert.deepEqual([paid.body.status, paid.body.paymentReference], ['paid', 'SEPA 9']);
    const retried = await it.operator.api.post(url, { paidAt: '2026-01-05T00:00:00Z', reference: 'SEPA 9' }, key);
    assert.deepEqual([retried.status, retried.headers['idempotent-replayed'], retried.body], [200, 'true', paid.body]);
    const misused = await it.operator.api.post(url, { paidAt: '2026-01-05T00:00:00Z', reference: 'SEPA 10' }, key);
    assert.deepEqual([misused.status, misused.body.error.code], [422, 'idempotency_key_reused']);
  });
});
