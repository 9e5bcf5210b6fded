import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBuyerOrg, issue, startInvoicingApp, type InvoicingContext } from '../../../test/helpers/invoices.ts';
import { formatNumber, seriesOf } from './invoices.numbering.ts';

describe('invoice numbers', () => {
  let it: InvoicingContext;
  let buyer: { kind: 'org'; orgId: string };
  before(async () => {
    it = await startInvoicingApp();
    buyer = { kind: 'org', orgId: (await createBuyerOrg(it.ctx)).id };
  });
  after(() => it.ctx.close());

  const sequences = async (series: string) =>
    (await it.ctx.db.selectFrom('invoices').select('sequence').where('series', '=', series).orderBy('sequence').execute()).map((row) => row.sequence);

  test('numbers read BL-<year>-<six digits>, credit notes BL-CN-<year>-<six digits>', () => {
    assert.equal(formatNumber(seriesOf('invoice', new Date('2026-03-01T00:00:00Z')), 123), 'BL-2026-000123');
    assert.equal(formatNumber(seriesOf('credit_note', new Date('2026-03-01T00:00:00Z')), 7), 'BL-CN-2026-000007');
    assert.equal(formatNumber('BL-2026', 1_234_567), 'BL-2026-1234567');
  });

  test('invoices issued in parallel get consecutive numbers, none twice, none skipped', async () => {
    const issued = await Promise.all(Array.from({ length: 12 }, () => issue(it.ctx, { buyer })));
    const numbers = issued.map((invoice) => invoice.number).sort();
    assert.deepEqual(numbers, Array.from({ length: 12 }, (_, index) => formatNumber('BL-2026', index + 1)));
    assert.deepEqual(await sequences('BL-2026'), Array.from({ length: 12 }, (_, index) => index + 1));
  });

  test('a transaction that rolls back gives its number back, even to an issuer waiting behind it', async () => {
    const [before] = (await sequences('BL-2026')).slice(-1);
    let issuedInside!: () => void;
    const insideIssued = new Promise<void>((resolve) => (issuedInside = resolve));
    let abort!: () => void;
    const aborted = new Promise<void>((resolve) => (abort = resolve));
    const failing = it.ctx.db.transaction().execute(async (trx) => {
      const invoice = await it.ctx.services.invoices.issueInvoice(trx, { buyer, currency: 'EUR', lines: [{ kind: 'fee', description: 'Setup', quantity: 1, unitPrice: 100 }] });
      assert.equal(invoice.number, formatNumber('BL-2026', before + 1));
      issuedInside();
      await aborted;
      throw new Error('the payment step after the invoice failed');
    });
    await insideIssued;
    // Waits on the counter lock (PostgreSQL) or the single connection (PGlite) until the first rolls back.
    const next = issue(it.ctx, { buyer });
    abort();
    await assert.rejects(failing, /payment step after the invoice failed/);
    assert.equal((await next).number, formatNumber('BL-2026', before + 1));
    assert.deepEqual(await sequences('BL-2026'), Array.from({ length: before + 1 }, (_, index) => index + 1));
  });

  test('a refused invoice takes no number', async () => {
    const [last] = (await sequences('BL-2026')).slice(-1);
    await assert.rejects(issue(it.ctx, { buyer: { kind: 'org', orgId: '00000000-0000-7000-8000-000000000000' } }), /buyer.orgId: is not an organization/);
    assert.equal((await issue(it.ctx, { buyer })).number, formatNumber('BL-2026', last + 1));
  });

  test('one invoice per payment: issuing again for the same payment returns the first, without a number', async () => {
    const [last] = (await sequences('BL-2026')).slice(-1);
    const [first, second] = await Promise.all([issue(it.ctx, { buyer, paymentId: 'pay-42' }), issue(it.ctx, { buyer, paymentId: 'pay-42' })]);
    assert.equal(first.id, second.id);
    assert.equal(first.paymentId, 'pay-42');
    assert.deepEqual((await sequences('BL-2026')).slice(-1), [last + 1]);
  });

  test('a new year starts a new series at 1; credit notes have their own series', async () => {
    const invoice = await issue(it.ctx, { buyer });
    const credit = await it.ctx.db.transaction().execute((trx) => it.ctx.services.invoices.issueCreditNote(trx, invoice.id, { full: true, reason: 'Cancelled' }));
    assert.equal(credit.number, 'BL-CN-2026-000001');
    it.ctx.clock.set('2027-01-01T00:00:01Z');
    assert.equal((await issue(it.ctx, { buyer })).number, 'BL-2027-000001');
    it.ctx.clock.set('2026-01-05T09:00:00Z');
  });
});
