import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBuyerOrg, issue, pdfText, startInvoicingApp, type InvoicingContext } from '../../../test/helpers/invoices.ts';
import { accounts } from '../ledger/accounts.ts';
import { sandboxFee } from './providers/sandbox.ts';
import { acceptAndPay, assertLedgerConsistent, claimedTicket, sendQuote, watchBalances, withKey } from './test-support.ts';

/**
 * Card prices include VAT (docs/payments.md): a German seller, a German rate of 19%, and a ticket paid
 * 119.00 EUR by card. The invoice says 100.00 + 19.00 VAT = 119.00, paid; the ledger owes 19.00 to the tax
 * authority and splits the 100.00; refunds give back VAT exactly as their credit notes say.
 */
describe('VAT included in card prices', () => {
  let it: InvoicingContext;
  before(async () => (it = await startInvoicingApp()));
  after(() => it.ctx.close());

  const PRICE = 11_900;
  const NET = 10_000;
  const FEE = sandboxFee(PRICE); // 375: the processor kept it of what was charged

  async function releasedTicket() {
    const claimed = await claimedTicket(it.ctx);
    const balances = await watchBalances(it.ctx, {
      escrow: accounts.escrow,
      tax: accounts.taxPayable,
      helper: accounts.helperPayable(claimed.helper.id),
      repo: accounts.repoPayable(claimed.repo.id),
      platform: accounts.platformRevenue,
      fees: accounts.processorFees,
    });
    const quote = await sendQuote(claimed.helper, claimed.ticketId, { amount: PRICE });
    const paid = await acceptAndPay(claimed.customer, quote.id);
    assert.equal(paid.processorFee, FEE);
    assert.equal((await claimed.helper.api.post(`${claimed.url}/resolve`, { summary: 'Done.' })).status, 200);
    assert.equal((await claimed.customer.api.post(`${claimed.url}/confirm`)).status, 200);
    const payment = (await claimed.customer.api.get(`/api/v1/payments/${paid.id}`)).body;
    assert.equal(payment.status, 'released');
    const invoice = (await claimed.customer.api.get(`/api/v1/invoices/${payment.invoiceId}`)).body;
    return { ...claimed, balances, payment, invoice };
  }

  test('the invoice of a card payment is what was charged, VAT included, and the release owes that VAT and splits the rest', async () => {
    const { customer, payment, invoice, balances } = await releasedTicket();
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.total, PRICE);
    assert.deepEqual(invoice.tax, { country: 'DE', rateBps: 1900, amount: 1900, reverseCharge: false, inclusive: true });
    assert.equal(invoice.subtotal, NET);
    assert.equal(invoice.lines.reduce((sum: number, line: { amount: number }) => sum + line.amount, 0), PRICE, 'the lines are the prices charged');
    assert.equal(invoice.amountDue, 0);

    // 10% commission and the 5% platform fee of the 100.00 net, the processor's fee, the helper the rest.
    const split = { helper: NET - 1000 - 500 - FEE, commission: 1000, platformFee: 500, processorFee: FEE };
    assert.deepEqual(payment.split, split);
    assert.equal(split.helper + split.commission + split.platformFee + split.processorFee, NET);
    assert.deepEqual(await balances.changes(), { escrow: 0, tax: 1900, helper: split.helper, repo: 1000, platform: 500, fees: 0 });

    const pdf = await it.ctx.app.inject({ method: 'GET', url: `/api/v1/invoices/${invoice.id}.pdf`, headers: { authorization: `Bearer ${customer.token}` } });
    assert.equal(pdf.statusCode, 200);
    const text = await pdfText(pdf.rawPayload);
    assert.match(text, /Total excluding VAT\s*€100\.00/);
    assert.match(text, /VAT 19% \(DE\), included\s*€19\.00/);
    assert.match(text, /Total\s*€119\.00/);
    await assertLedgerConsistent(it.ctx);
  });

  test('refunds after release give back the VAT their credit notes give back, and the rest of the split in proportion', async () => {
    const { repo, payment, invoice, balances } = await releasedTicket();
    const refund = async (amount: number) => {
      const refunded = await repo.maintainer.api.post(`/api/v1/payments/${payment.id}/refunds`, { amount, reason: 'Part of it' }, withKey());
      assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
      const notes = (await repo.maintainer.api.get(`/api/v1/invoices/${invoice.id}`)).body.creditNotes;
      return (await repo.maintainer.api.get(`/api/v1/invoices/${notes.at(-1).id}`)).body;
    };
    const before = await balances.changes();

    // 0.22 of 119.00: in proportion the VAT line would give back 0.03, but 0.22 includes 0.04 of VAT.
    const small = await refund(22);
    assert.deepEqual([small.total, small.tax.amount, small.subtotal, small.tax.inclusive], [22, 4, 18, true]);
    let moved = await balances.changes();
    assert.equal(moved.tax - before.tax, -4, 'the ledger gives back the VAT of the credit note');
    // The processor fees are an expense: giving back its share raises what the platform carries.
    const shares = (balances: Record<string, number>) => balances.helper + balances.repo + balances.platform - balances.fees;
    assert.equal(shares(moved) - shares(before), -18, 'the parties give back the rest');

    // Cumulative rounding: 50.00 refunded in all includes 7.98 of VAT, so this one carries 7.94.
    const half = await refund(4978);
    assert.deepEqual([half.total, half.tax.amount, half.subtotal], [4978, 794, 4184]);
    moved = await balances.changes();
    assert.equal(moved.tax, 1900 - 798);

    const rest = await refund(6900);
    assert.deepEqual([rest.total, rest.tax.amount], [6900, 1900 - 798]);
    // The processor keeps its fee of a refunded charge: the platform bears it again, as for any refund.
    assert.deepEqual(await balances.changes(), { escrow: 0, tax: 0, helper: 0, repo: 0, platform: 0, fees: FEE }, 'refunded in full, nobody keeps a share, no VAT is owed');
    await assertLedgerConsistent(it.ctx);
  });

  test('a reverse-charged business buyer and a 0% rate give no VAT, inclusive or not', async () => {
    const french = await createBuyerOrg(it.ctx, { country: 'FR', vatId: 'FR12345678901' });
    const reverse = await issue(it.ctx, { buyer: { kind: 'org', orgId: french.id }, taxInclusive: true, lines: [{ kind: 'plan', description: 'Plan', quantity: 1, unitPrice: PRICE }] });
    assert.deepEqual([reverse.subtotal, reverse.tax.amount, reverse.total, reverse.tax.reverseCharge, reverse.tax.inclusive], [PRICE, 0, PRICE, true, true]);
    assert.equal((await it.operator.api.put('/api/v1/admin/tax-rates/US', { rateBps: 0 })).status, 200);
    const american = await createBuyerOrg(it.ctx, { country: 'US', vatId: null });
    const zero = await issue(it.ctx, { buyer: { kind: 'org', orgId: american.id }, taxInclusive: true, lines: [{ kind: 'plan', description: 'Plan', quantity: 1, unitPrice: PRICE }] });
    assert.deepEqual([zero.subtotal, zero.tax.amount, zero.total], [PRICE, 0, PRICE]);
  });

  test('credit notes of an inclusive invoice: VAT-only cents, a full credit voids it, and the notes add up to the invoice', async () => {
    const org = await createBuyerOrg(it.ctx);
    const invoice = await issue(it.ctx, { buyer: { kind: 'org', orgId: org.id }, taxInclusive: true, lines: [{ kind: 'consulting', description: 'Review', quantity: 1, unitPrice: 10 }] });
    assert.deepEqual([invoice.total, invoice.tax.amount, invoice.subtotal], [10, 2, 8]); // 0.10 / 1.19 = 0.084 -> 0.08 net
    const credit = (lines: { lineId: string; amount: number }[] | undefined) =>
      it.operator.api.post(`/api/v1/invoices/${invoice.id}/credit-notes`, lines ? { reason: 'Correction', lines } : { reason: 'Cancelled', full: true }, withKey());
    const notes = [];
    for (const amount of [9]) notes.push((await credit([{ lineId: invoice.lines[0].id, amount }])).body);
    // From 0.09 (0.01 VAT) to 0.10 (0.02 VAT): the last cent credited is all VAT, its net 0.
    const last = await credit(undefined);
    assert.equal(last.status, 201, JSON.stringify(last.body));
    notes.push(last.body);
    assert.deepEqual(notes.map((note) => [note.total, note.tax.amount, note.subtotal]), [[9, 1, 8], [1, 1, 0]]);
    assert.equal(notes.reduce((sum, note) => sum + note.tax.amount, 0), invoice.tax.amount);
    const voided = (await it.operator.api.get(`/api/v1/invoices/${invoice.id}`)).body;
    assert.equal(voided.status, 'void', 'credited in full: its lines, VAT included, are all credited');
    assert.equal(voided.amountDue, 0);
  });
});
