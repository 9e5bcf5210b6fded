import type { Tx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { AppError, conflict, invalidField, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { lockSeries, seriesOf } from './invoices.numbering.ts';
import * as repo from './invoices.repository.ts';
import { creditNoteInput, parseInput, type CreditNoteInput } from './invoices.schemas.ts';
import { includedTax, taxOn } from './invoices.tax.ts';

type Credit = { line: repo.LineRow; amount: number };

/** The amounts to credit, per line, each checked against what is left of its line. */
function creditsWanted(request: ReturnType<typeof creditNoteInput.parse>, invoice: repo.InvoiceRow, lines: repo.LineRow[], credited: Map<string, number>): Credit[] {
  const left = (line: repo.LineRow) => line.amount - (credited.get(line.id) ?? 0);
  if (request.full) {
    const credits = lines.map((line) => ({ line, amount: left(line) })).filter((credit) => credit.amount > 0);
    if (credits.length === 0) throw conflict(`Invoice ${invoice.number} is already fully credited.`, 'nothing_to_credit');
    return credits;
  }
  const byId = new Map(lines.map((line) => [line.id, line]));
  const seen = new Set<string>();
  return request.lines!.map(({ lineId, amount }, index) => {
    const line = byId.get(lineId);
    if (!line) throw invalidField(`lines.${index}.lineId`, `is not a line of invoice ${invoice.number}`);
    if (seen.has(lineId)) throw invalidField(`lines.${index}.lineId`, 'is listed twice; give one amount per line');
    seen.add(lineId);
    if (amount > left(line)) {
      throw new AppError(409, 'over_credit', `Line ${line.position} of invoice ${invoice.number} has ${left(line)} left to credit, less than ${amount}.`, [
        { path: `lines.${index}.amount`, message: `at most ${left(line)}` },
      ]);
    }
    return { line, amount };
  });
}

/**
 * Issues a credit note for some or all of an invoice, in the caller's transaction. The invoice row is
 * locked first, so concurrent credit notes take turns and together never credit more than the invoice.
 * Tax is rounded on the cumulative credited lines (see docs/invoices.md), so the credit notes of an
 * invoice add up to exactly its tax once everything is credited: VAT on top of them, or for a
 * tax-inclusive invoice (a card payment) the VAT they include. An issued invoice credited in full
 * becomes void; a paid one stays paid (the money goes back through a refund).
 */
export async function issueCreditNote(deps: Deps, trx: Tx, invoiceId: string, input: CreditNoteInput, createdBy: string | null): Promise<{ id: string }> {
  const request = parseInput(creditNoteInput, input);
  const invoice = await repo.findInvoice(trx, invoiceId, true);
  if (!invoice) throw notFound(`The invoice ${invoiceId}`);
  if (invoice.kind !== 'invoice') throw conflict(`${invoice.number} is a credit note; credit the invoice it belongs to.`, 'not_an_invoice');
  const lines = await repo.linesOf(trx, invoice.id);
  const before = await repo.creditedSoFar(trx, invoice.id);
  const credits = creditsWanted(request, invoice, lines, before.byLine);

  const credited = credits.reduce((sum, credit) => sum + credit.amount, 0);
  const creditedAfter = before.lines + credited;
  const taxOf = invoice.tax_inclusive ? includedTax : taxOn;
  const tax = taxOf(creditedAfter, invoice.tax_rate_bps) - before.tax;
  // Inclusive lines are gross: the credit note's total is what they credit, its subtotal that less its VAT.
  const subtotal = invoice.tax_inclusive ? credited - tax : credited;

  const now = deps.clock.now();
  const series = seriesOf('credit_note', now);
  const { sequence, number } = await (await lockSeries(trx, invoice.issuer, series)).take();
  const id = newId(now.getTime());
  const { id: _id, number: _number, series: _series, sequence: _sequence, ...copied } = invoice;
  await repo.insertInvoice(
    trx,
    {
      ...copied,
      id,
      kind: 'credit_note',
      series,
      sequence,
      number,
      credits_invoice_id: invoice.id,
      status: 'issued',
      subtotal,
      tax,
      total: subtotal + tax,
      note: request.reason,
      net_terms_days: null,
      issued_at: now,
      due_at: null,
      paid_at: null,
      payment_reference: null,
      voided_at: null,
      created_by: createdBy,
    },
    credits.map(({ line, amount }, index) => ({
      id: newId(now.getTime()),
      invoice_id: id,
      position: index + 1,
      kind: line.kind,
      description: line.description,
      // A whole line is credited as it was billed; part of one as a single amount.
      quantity: amount === line.amount ? line.quantity : 1,
      unit_price: amount === line.amount ? line.unit_price : amount,
      amount,
      reference_type: line.reference_type,
      reference_id: line.reference_id,
      credits_line_id: line.id,
    })),
  );
  if (creditedAfter === repo.linesTotalOf(invoice) && invoice.status === 'issued') await repo.markVoid(trx, invoice.id, now);
  return { id };
}
