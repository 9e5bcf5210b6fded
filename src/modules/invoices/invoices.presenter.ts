import type { z } from 'zod';
import type { Config } from '../../config.ts';
import type { InvoiceRow, LineRow } from './invoices.repository.ts';
import type { invoiceOut } from './invoices.schemas.ts';
import { REVERSE_CHARGE_NOTE } from './invoices.tax.ts';

export type Invoice = z.output<typeof invoiceOut>;

/** Everything a document shows besides its own row: its lines and how it relates to other documents. */
export type DocumentParts = {
  lines: LineRow[];
  /** Invoices: amount credited so far per line id. */
  creditedByLine: Map<string, number>;
  creditNotes: { id: string; number: string; total: number; issued_at: Date }[];
  creditsInvoice: { id: string; number: string } | null;
};

const dateOf = (at: Date | null) => (at ? at.toISOString().slice(0, 10) : null);
const addressLines = (text: string) => (text ? text.split('\n') : []);

export function presentInvoice(row: InvoiceRow, parts: DocumentParts, config: Config): Invoice {
  const isInvoice = row.kind === 'invoice';
  const creditedTotal = parts.creditNotes.reduce((sum, note) => sum + note.total, 0);
  const amountDue = isInvoice && row.status === 'issued' ? row.total - creditedTotal : 0;
  return {
    id: row.id,
    kind: row.kind,
    number: row.number,
    status: row.status,
    currency: row.currency,
    issueDate: dateOf(row.issued_at)!,
    dueDate: dateOf(row.due_at),
    issuedAt: row.issued_at.toISOString(),
    paidAt: row.paid_at?.toISOString() ?? null,
    paymentReference: row.payment_reference,
    voidedAt: row.voided_at?.toISOString() ?? null,
    seller: { legalName: row.seller_legal_name, address: addressLines(row.seller_address), country: row.seller_country, vatId: row.seller_vat_id },
    buyer: {
      kind: row.buyer_org_id ? 'org' : 'user',
      orgId: row.buyer_org_id,
      userId: row.buyer_user_id,
      name: row.buyer_name,
      email: row.buyer_email,
      address: addressLines(row.buyer_address),
      country: row.buyer_country,
      vatId: row.buyer_vat_id,
    },
    poNumber: row.po_number,
    repoId: row.repo_id,
    paymentId: row.payment_id,
    lines: parts.lines.map((line) => ({
      id: line.id,
      position: line.position,
      kind: line.kind,
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unit_price,
      amount: line.amount,
      reference: line.reference_type && line.reference_id ? { type: line.reference_type, id: line.reference_id } : null,
      creditsLineId: line.credits_line_id,
      credited: parts.creditedByLine.get(line.id) ?? 0,
    })),
    subtotal: row.subtotal,
    tax: { country: row.tax_country, rateBps: row.tax_rate_bps, amount: row.tax, reverseCharge: row.reverse_charge, inclusive: row.tax_inclusive },
    total: row.total,
    notes: [...(row.reverse_charge ? [REVERSE_CHARGE_NOTE] : []), ...(row.note ? [row.note] : [])],
    creditedTotal,
    amountDue,
    creditsInvoice: parts.creditsInvoice,
    creditNotes: parts.creditNotes.map((note) => ({ id: note.id, number: note.number, total: note.total, issuedAt: note.issued_at.toISOString() })),
    paymentInstructions:
      amountDue > 0 && config.PLATFORM_IBAN
        ? { method: 'bank_transfer', iban: config.PLATFORM_IBAN, bic: config.PLATFORM_BIC ?? null, reference: row.number, amount: amountDue }
        : null,
    pdfUrl: `/api/v1/invoices/${row.id}.pdf`,
  };
}
