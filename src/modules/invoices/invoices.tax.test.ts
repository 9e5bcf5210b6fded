import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../../test/helpers/factories.ts';
import { createBuyerOrg, issue, startInvoicingApp, type InvoicingContext } from '../../../test/helpers/invoices.ts';
import { includedTax, REVERSE_CHARGE_NOTE, taxOn, taxTreatment } from './invoices.tax.ts';

describe('tax rounding and treatment', () => {
  test('tax is rounded half up on the subtotal, in integers', () => {
    assert.equal(taxOn(10_000, 1900), 1900);
    assert.equal(taxOn(50, 1900), 10); // 9.5 rounds up
    assert.equal(taxOn(49, 1900), 9); // 9.31 rounds down
    assert.equal(taxOn(1, 5000), 1); // 0.5 rounds up
    assert.equal(taxOn(9_007_199_254_740, 1900), 1_711_367_858_401); // exact far beyond float precision of the product
    assert.equal(taxOn(12_345, 0), 0);
  });

  test('the VAT included in a card price: the total less its net, the net rounded half up, in integers', () => {
    assert.equal(includedTax(11_900, 1900), 1900); // 119.00 incl. 19%: 100.00 net
    assert.equal(includedTax(1, 1900), 0); // 0.01: its net 0.0084 rounds up to 0.01, so no VAT
    assert.equal(includedTax(1, 10_000), 0); // at 100% the net of 0.01 is 0.005: half up to 0.01
    assert.equal(includedTax(3, 10_000), 1); // 1.5 rounds up to 2 net, 1 VAT
    assert.equal(includedTax(9999, 2000), 1666); // 99.99 at 20%: net 83.325 -> 83.33
    assert.equal(includedTax(1000, 1000), 91); // JPY 1000 at 10%: net 909.09 -> 909
    assert.equal(includedTax(12_345, 0), 0);
    assert.equal(includedTax(9_007_199_254_740, 1900), 1_438_124_250_757); // exact far beyond float precision
    // Never more than the total, and one unit more of price is at most one unit more of VAT.
    for (const rate of [0, 700, 1900, 2000, 2500, 10_000]) {
      for (let total = 0; total < 500; total += 1) {
        const step = includedTax(total + 1, rate) - includedTax(total, rate);
        assert.ok(step === 0 || step === 1, `step at ${total} ${rate}`);
        assert.ok(includedTax(total + 1, rate) <= total + 1);
      }
    }
    // The net and the VAT on top of it give the price back wherever the net is exact.
    assert.equal(11_900 - includedTax(11_900, 1900) + taxOn(11_900 - includedTax(11_900, 1900), 1900), 11_900);
  });

  test('reverse charge needs a business, a VAT id and two different EU countries', () => {
    assert.deepEqual(taxTreatment('DE', { business: true, country: 'FR', vatId: 'FR12345678901' }), { country: 'FR', reverseCharge: true });
    assert.deepEqual(taxTreatment('DE', { business: true, country: 'DE', vatId: 'DE123456789' }), { country: 'DE', reverseCharge: false });
    assert.deepEqual(taxTreatment('DE', { business: true, country: 'FR', vatId: null }), { country: 'FR', reverseCharge: false });
    assert.deepEqual(taxTreatment('DE', { business: false, country: 'FR', vatId: null }), { country: 'FR', reverseCharge: false });
    assert.deepEqual(taxTreatment('DE', { business: true, country: 'US', vatId: 'US123' }), { country: 'US', reverseCharge: false });
    assert.deepEqual(taxTreatment('DE', { business: false, country: null, vatId: null }), { country: 'DE', reverseCharge: false });
  });
});

describe('taxes on issued invoices', () => {
  let it: InvoicingContext;
  before(async () => (it = await startInvoicingApp()));
  after(() => it.ctx.close());

  test('a German business buying from a German seller pays German VAT, even with a VAT id', async () => {
    const org = await createBuyerOrg(it.ctx, { country: 'DE', vatId: 'DE123456789' });
    const invoice = await issue(it.ctx, { buyer: { kind: 'org', orgId: org.id } });
    assert.equal(invoice.subtotal, 58_500);
    assert.deepEqual(invoice.tax, { country: 'DE', rateBps: 1900, amount: 11_115, reverseCharge: false, inclusive: false });
    assert.equal(invoice.total, 69_615);
    assert.deepEqual(invoice.notes, []);
    assert.equal(invoice.seller.vatId, 'DE811111111');
    assert.equal(invoice.buyer.vatId, 'DE123456789');
  });

  test('a French business with a VAT id is reverse charged: no VAT, and the invoice says why', async () => {
    const org = await createBuyerOrg(it.ctx, { legalName: 'Widgets SARL', country: 'FR', vatId: 'FR12345678901', city: 'Paris', postalCode: '75001' });
    const invoice = await issue(it.ctx, { buyer: { kind: 'org', orgId: org.id } });
    assert.deepEqual(invoice.tax, { country: 'FR', rateBps: 0, amount: 0, reverseCharge: true, inclusive: false });
    assert.equal(invoice.total, invoice.subtotal);
    assert.deepEqual(invoice.notes, [REVERSE_CHARGE_NOTE]);
  });

  test('an individual in France pays French VAT; their country comes with the request', async () => {
    const person = await createUser(it.ctx, { name: 'Camille Martin' });
    const invoice = await issue(it.ctx, { buyer: { kind: 'user', userId: person.id, country: 'fr' }, lines: [{ kind: 'offering', description: 'Fixed-price ticket', quantity: 1, unitPrice: 9_999 }] });
    assert.deepEqual(invoice.tax, { country: 'FR', rateBps: 2000, amount: 2000, reverseCharge: false, inclusive: false }); // 1999.8 rounds up
    assert.equal(invoice.total, 11_999);
    assert.deepEqual(
      { kind: invoice.buyer.kind, userId: invoice.buyer.userId, name: invoice.buyer.name, email: invoice.buyer.email, vatId: invoice.buyer.vatId },
      { kind: 'user', userId: person.id, name: 'Camille Martin', email: person.email, vatId: null },
    );
  });

  test('a French business without a VAT id is taxed like a consumer, at the French rate', async () => {
    const org = await createBuyerOrg(it.ctx, { country: 'FR', vatId: null });
    const invoice = await issue(it.ctx, { buyer: { kind: 'org', orgId: org.id } });
    assert.deepEqual(invoice.tax, { country: 'FR', rateBps: 2000, amount: 11_700, reverseCharge: false, inclusive: false });
  });

  test('a country without a configured rate is refused with a 409 that says how to fix it, and nothing is issued', async () => {
    const org = await createBuyerOrg(it.ctx, { country: 'IT', vatId: null });
    const before = await it.ctx.db.selectFrom('invoices').select('id').execute();
    await assert.rejects(issue(it.ctx, { buyer: { kind: 'org', orgId: org.id } }), (error: { status: number; code: string; message: string }) => {
      assert.equal(error.status, 409);
      assert.equal(error.code, 'tax_rate_missing');
      assert.match(error.message, /PUT \/api\/v1\/admin\/tax-rates\/IT/);
      return true;
    });
    assert.equal((await it.ctx.db.selectFrom('invoices').select('id').execute()).length, before.length);
  });

  test('the buyer is a snapshot: changing the organization or the rate later does not change an issued invoice', async () => {
    const org = await createBuyerOrg(it.ctx, { poNumberDefault: 'PO-DEFAULT' });
    const invoice = await issue(it.ctx, { buyer: { kind: 'org', orgId: org.id } });
    const withPo = await issue(it.ctx, { buyer: { kind: 'org', orgId: org.id }, poNumber: 'PO-2026-17' });
    assert.equal(invoice.poNumber, 'PO-DEFAULT');
    assert.equal(withPo.poNumber, 'PO-2026-17');
    assert.equal((await org.admin.api.patch(`/api/v1/orgs/${org.slug}`, { legalName: 'Renamed AG', vatId: 'DE999999999' })).status, 200);
    assert.equal((await it.operator.api.put('/api/v1/admin/tax-rates/DE', { rateBps: 700 })).status, 200);
    const again = await it.operator.api.get(`/api/v1/invoices/${invoice.id}`);
    assert.equal(again.body.buyer.name, 'Acme Widgets GmbH');
    assert.equal(again.body.buyer.vatId, 'DE123456789');
    assert.deepEqual(again.body.buyer.address, ['Torstraße 10', '10119 Berlin']);
    assert.equal(again.body.tax.rateBps, 1900);
    assert.equal((await it.operator.api.put('/api/v1/admin/tax-rates/DE', { rateBps: 1900 })).status, 200);
  });

  test('operators list and set rates; a bad rate or country is a 400, and only operators may', async () => {
    const list = await it.operator.api.get('/api/v1/admin/tax-rates');
    assert.deepEqual(list.body.items.map((rate: { country: string; rateBps: number }) => [rate.country, rate.rateBps]), [['DE', 1900], ['FR', 2000]]);
    assert.equal((await it.operator.api.put('/api/v1/admin/tax-rates/DE', { rateBps: 19.5 })).status, 400);
    assert.equal((await it.operator.api.put('/api/v1/admin/tax-rates/DE', { rateBps: 10_001 })).status, 400);
    assert.equal((await it.operator.api.put('/api/v1/admin/tax-rates/Germany', { rateBps: 1900 })).status, 400);
    const someone = await createUser(it.ctx);
    assert.equal((await someone.api.put('/api/v1/admin/tax-rates/DE', { rateBps: 0 })).status, 403);
    assert.equal((await someone.api.get('/api/v1/admin/tax-rates')).status, 403);
  });
});
