import type { Tx } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { Invoice } from '../invoices/invoices.presenter.ts';
import type { IssueInput } from '../invoices/invoices.schemas.ts';
import type { PaymentsContext } from './payments.context.ts';
import { remainingOf } from './payments.money.ts';
import * as repo from './payments.repository.ts';
import { timeFlows } from './payments.time.ts';

type Line = IssueInput['lines'][number];
type TimeEntry = { id: string; minutes: number; note: string };

const describe = (text: string) => text.trim().slice(0, 500) || 'Support';

const timeLine = (entry: TimeEntry, perMinute: number): Line => ({
  kind: 'time',
  description: describe(entry.note || 'Logged time'),
  quantity: entry.minutes,
  unitPrice: perMinute,
  reference: { type: 'time_entry', id: entry.id },
});

/**
 * The lines of a payment's invoice, adding up to exactly `amount`, what the buyer finally paid. A session is
 * billed as it was charged: its initial fee (a fee line), each metered entry at the per-minute rate, and what
 * the minimum billed time added. Anything else (a fixed price, a quote, a session capped by its authorization
 * or reduced in a dispute) is one line for the price, and the ticket's time is listed at no charge, so the
 * customer sees the work the price paid for. The platform's fees are not lines: they come out of the helper's
 * share, not on top of the buyer's price.
 */
export function invoiceLines(payment: repo.PaymentRow, entries: TimeEntry[], amount: number): Line[] {
  if (payment.kind === 'session') {
    const initialFee = payment.session_initial_fee ?? 0;
    const metered: Line[] = [
      ...(initialFee > 0 ? [{ kind: 'fee' as const, description: describe(`${payment.description}: initial fee`), quantity: 1, unitPrice: initialFee }] : []),
      ...entries.map((entry) => timeLine(entry, payment.session_per_minute_rate ?? 0)),
    ];
    const sum = metered.reduce((total, line) => total + line.quantity * line.unitPrice, 0);
    if (sum === amount) return metered;
    if (sum < amount) return [...metered, { kind: 'time', description: `Minimum billed time (${payment.session_minimum_minutes} minutes)`, quantity: 1, unitPrice: amount - sum }];
  }
  const reference = payment.quote_id ? { type: 'quote', id: payment.quote_id } : payment.offering_id ? { type: 'offering', id: payment.offering_id } : { type: 'payment', id: payment.id };
  const kind = payment.kind === 'consulting' ? 'consulting' : 'offering';
  return [{ kind, description: describe(payment.description), quantity: 1, unitPrice: amount, reference }, ...entries.map((entry) => timeLine(entry, 0))];
}

/**
 * The buyer's invoice of a payment, issued in the release's transaction through the invoices service, which
 * keeps one invoice per payment (a retried release gets the first one back). A card payment was paid when it
 * was captured, so its invoice is marked paid at once; an invoice-method payment already has its invoice.
 * A card price includes VAT, so a card payment's invoice is tax-inclusive: its total is what was charged.
 */
export function invoicingFlows(ctx: PaymentsContext) {
  const { clock, logger } = ctx.deps;
  const time = timeFlows(ctx);

  async function issueForRelease(trx: Tx, payment: repo.PaymentRow): Promise<string | null> {
    const existing = (await repo.invoiceIdsOf(trx, [payment.id])).get(payment.id);
    if (existing) return existing;
    const amount = remainingOf(payment);
    if (amount <= 0) return null;
    const entries = await time.billableTime(trx, payment.id);
    let invoice: Invoice;
    try {
      invoice = await ctx.invoices.issueInvoice(trx, {
        issuer: { kind: 'platform', repoId: payment.repo_id },
        buyer: { kind: 'user', userId: payment.payer_id },
        currency: payment.currency,
        lines: invoiceLines(payment, entries, amount),
        paymentId: payment.id,
        // A card price includes VAT: the invoice says how much of what was charged is VAT.
        taxInclusive: true,
      });
    } catch (error) {
      // Releasing the helper's money does not wait for an operator's VAT table; the refusal is thrown before
      // anything is written, and an operator issues the invoice by hand once the rate is set.
      if (!(error instanceof AppError && error.code === 'tax_rate_missing')) throw error;
      logger.error({ paymentId: payment.id, reason: error.message }, 'released a payment without its invoice: set the VAT rate');
      return null;
    }
    await ctx.invoices.markPaid(trx, invoice.id, { paidAt: payment.held_at ?? clock.now(), reference: payment.provider_charge_id ?? payment.id });
    return invoice.id;
  }

  /**
   * The invoice of a charge paid by card to an organization (a support plan's period): one line for what
   * was charged, issued when the money is held and marked paid at once, as a card payment was paid when
   * captured. One invoice per payment, so a retried hold gets the first back. As at a release, a missing
   * VAT rate does not hold the money up: no invoice, an error logged for an operator.
   */
  async function issueForCardCharge(trx: Tx, payment: repo.PaymentRow, buyer: { orgId: string; poNumber: string | null; reference: { type: string; id: string } }): Promise<string | null> {
    const existing = (await repo.invoiceIdsOf(trx, [payment.id])).get(payment.id);
    if (existing) return existing;
    if (payment.provider === 'invoice' || payment.kind === 'quote' || payment.kind === 'fixed' || payment.kind === 'session') return null;
    let invoice: Invoice;
    try {
      invoice = await ctx.invoices.issueInvoice(trx, {
        issuer: { kind: 'platform', repoId: payment.repo_id },
        buyer: { kind: 'org', orgId: buyer.orgId },
        currency: payment.currency,
        lines: [{ kind: payment.kind === 'plan' ? 'plan' : 'consulting', description: describe(payment.description), quantity: 1, unitPrice: payment.captured_amount, reference: buyer.reference }],
        poNumber: buyer.poNumber ?? undefined,
        paymentId: payment.id,
        taxInclusive: true,
      });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'tax_rate_missing')) throw error;
      logger.error({ paymentId: payment.id, reason: error.message }, 'held a card payment without its invoice: set the VAT rate');
      return null;
    }
    await ctx.invoices.markPaid(trx, invoice.id, { paidAt: payment.held_at ?? clock.now(), reference: payment.provider_charge_id ?? payment.id });
    return invoice.id;
  }

  /** The VAT still included in what the payment holds, by its invoice (0 without one: see issueForRelease). */
  async function vatHeld(trx: Tx, payment: Pick<repo.PaymentRow, 'id'>): Promise<number> {
    return (await includedVat(trx, payment.id))?.vat ?? 0;
  }

  /**
   * For a payment whose invoice is tax-inclusive (a card payment's): the VAT its price still includes
   * (the invoice's less what its credit notes gave back) and the rate. Null otherwise: no invoice, or
   * one with VAT on top, booked when it was paid.
   */
  async function includedVat(trx: Tx, paymentId: string): Promise<{ vat: number; rateBps: number } | null> {
    const invoiceId = (await repo.invoiceIdsOf(trx, [paymentId])).get(paymentId);
    if (!invoiceId) return null;
    const invoice = await ctx.invoices.find(trx, invoiceId);
    if (!invoice.tax.inclusive) return null;
    return { vat: await ctx.invoices.includedVatLeft(trx, invoiceId), rateBps: invoice.tax.rateBps };
  }

  /**
   * A refund of an invoiced payment is documented by a credit note for its amount, once per refund.
   * Returns the VAT the credit note gives back when the invoice's prices included it (a card payment),
   * so the ledger takes back the same VAT; undefined otherwise.
   */
  async function creditRefund(trx: Tx, payment: repo.PaymentRow, refund: repo.RefundRow): Promise<number | undefined> {
    const invoiceId = (await repo.invoiceIdsOf(trx, [payment.id])).get(payment.id);
    if (!invoiceId) return undefined;
    const invoice = await ctx.invoices.find(trx, invoiceId);
    let left = refund.amount;
    const lines: { lineId: string; amount: number }[] = [];
    for (const line of invoice.lines) {
      const amount = Math.min(left, line.amount - line.credited);
      if (amount <= 0) continue;
      lines.push({ lineId: line.id, amount });
      left -= amount;
    }
    if (lines.length === 0) return invoice.tax.inclusive ? 0 : undefined;
    const note = await ctx.invoices.issueCreditNote(trx, invoiceId, { reason: describe(`Refund: ${refund.reason}`), lines });
    return invoice.tax.inclusive ? note.tax.amount : undefined;
  }

  return { issueForRelease, issueForCardCharge, vatHeld, includedVat, creditRefund };
}

export type InvoicingFlows = ReturnType<typeof invoicingFlows>;
