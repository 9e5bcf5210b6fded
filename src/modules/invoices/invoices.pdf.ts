import { renderPdf, tableRow, type Column, type Doc } from '../../lib/pdf.ts';
import { formatMoney } from './invoices.money.ts';
import type { Invoice } from './invoices.presenter.ts';

const MARGIN = 50;
const PAGE_WIDTH = 595.28; // A4
const CONTENT = PAGE_WIDTH - 2 * MARGIN;
const COLUMNS: readonly Column[] = [
  { title: 'Description', width: 245, align: 'left' },
  { title: 'Quantity', width: 70, align: 'right' },
  { title: 'Unit price', width: 90, align: 'right' },
  { title: 'Amount', width: 90, align: 'right' },
];
const AMOUNT_COLUMN = COLUMNS[3];

const percent = (bps: number) => `${new Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(bps / 100)}%`;

function block(doc: Doc, x: number, y: number, width: number, heading: string, lines: (string | null)[]): number {
  doc.font('bold').fontSize(9).text(heading, x, y, { width });
  doc.font('regular').fontSize(10);
  for (const line of lines) if (line) doc.text(line, { width });
  return doc.y;
}

function parties(doc: Doc, invoice: Invoice): void {
  const top = doc.y;
  const half = CONTENT / 2 - 10;
  const sellerEnd = block(doc, MARGIN, top, half, 'From', [
    invoice.seller.legalName,
    ...invoice.seller.address,
    invoice.seller.country,
    invoice.seller.vatId ? `VAT ID: ${invoice.seller.vatId}` : null,
  ]);
  const buyerEnd = block(doc, MARGIN + CONTENT / 2, top, half, 'Bill to', [
    invoice.buyer.name,
    ...invoice.buyer.address,
    invoice.buyer.country,
    invoice.buyer.vatId ? `VAT ID: ${invoice.buyer.vatId}` : null,
    invoice.buyer.email,
  ]);
  doc.y = Math.max(sellerEnd, buyerEnd) + 15;
}

function facts(doc: Doc, invoice: Invoice): void {
  const rows: [string, string | null][] = [
    [invoice.kind === 'invoice' ? 'Invoice number' : 'Credit note number', invoice.number],
    ['Issue date', invoice.issueDate],
    ['Due date', invoice.dueDate],
    ['Credits invoice', invoice.creditsInvoice?.number ?? null],
    ['PO number', invoice.poNumber],
    ['Currency', invoice.currency],
    ['Status', invoice.status === 'paid' && invoice.paidAt ? `Paid on ${invoice.paidAt.slice(0, 10)}` : invoice.status === 'void' ? 'Void (fully credited)' : null],
  ];
  for (const [label, value] of rows) {
    if (!value) continue;
    const y = doc.y;
    doc.font('bold').fontSize(10).text(label, MARGIN, y, { width: 130 });
    doc.font('regular').text(value, MARGIN + 130, y, { width: CONTENT - 130 });
  }
  doc.moveDown();
}

function row(doc: Doc, cells: string[], font: 'regular' | 'bold'): void {
  tableRow(doc, COLUMNS, cells, { font, size: 10, gap: 4 });
}

function lineTable(doc: Doc, invoice: Invoice): void {
  const money = (amount: number) => formatMoney(amount, invoice.currency);
  row(doc, COLUMNS.map((column) => column.title), 'bold');
  doc.moveTo(MARGIN, doc.y - 2).lineTo(MARGIN + CONTENT, doc.y - 2).lineWidth(0.5).stroke();
  for (const line of invoice.lines) {
    // Logged time is counted in minutes, except a credit of part of a line: one amount, not a minute.
    const partialCredit = invoice.kind === 'credit_note' && line.quantity === 1 && line.unitPrice === line.amount;
    const quantity = line.kind === 'time' && !partialCredit ? `${line.quantity} min` : String(line.quantity);
    row(doc, [line.description, quantity, money(line.unitPrice), money(line.amount)], 'regular');
  }
  doc.moveDown(0.5);
}

function totals(doc: Doc, invoice: Invoice): void {
  const money = (amount: number) => formatMoney(amount, invoice.currency);
  const tax = invoice.tax.reverseCharge ? 'VAT (reverse charge)' : `VAT ${percent(invoice.tax.rateBps)} (${invoice.tax.country})`;
  // A card payment's lines are the prices charged, VAT included: the VAT is shown as part of them, not added.
  const rows: [string, string][] = [
    [invoice.tax.inclusive ? 'Total excluding VAT' : 'Subtotal', money(invoice.subtotal)],
    [invoice.tax.inclusive && !invoice.tax.reverseCharge ? `${tax}, included` : tax, money(invoice.tax.amount)],
    [invoice.kind === 'invoice' ? 'Total' : 'Total credited', money(invoice.total)],
  ];
  if (invoice.creditedTotal > 0) rows.push(['Credited', money(invoice.creditedTotal)], ['Amount due', money(invoice.amountDue)]);
  for (const [label, value] of rows) {
    const y = doc.y;
    doc.font(label === 'Total' || label === 'Total credited' ? 'bold' : 'regular').fontSize(10);
    doc.text(label, MARGIN, y, { width: CONTENT - AMOUNT_COLUMN.width, align: 'right' });
    doc.text(value, MARGIN + CONTENT - AMOUNT_COLUMN.width, y, { width: AMOUNT_COLUMN.width - 6, align: 'right' });
  }
  doc.x = MARGIN;
  doc.moveDown();
}

function closing(doc: Doc, invoice: Invoice): void {
  doc.font('regular').fontSize(10);
  for (const note of invoice.notes) doc.text(note, MARGIN, doc.y, { width: CONTENT }).moveDown(0.5);
  const pay = invoice.paymentInstructions;
  if (pay) {
    doc.moveDown(0.5).font('bold').text('Payment by bank transfer', MARGIN, doc.y, { width: CONTENT });
    doc.font('regular');
    doc.text(`Please transfer ${formatMoney(pay.amount, invoice.currency)} by ${invoice.dueDate} to:`, { width: CONTENT });
    doc.text(`Account holder: ${invoice.seller.legalName}`);
    doc.text(`IBAN: ${pay.iban.replace(/(.{4})(?=.)/g, '$1 ')}`);
    if (pay.bic) doc.text(`BIC: ${pay.bic}`);
    doc.text(`Reference: ${pay.reference}`);
  }
}

/** The document as a PDF a procurement department files: parties, VAT ids, PO number, lines, totals, how to pay. */
export function renderInvoicePdf(invoice: Invoice): Promise<Buffer> {
  return renderPdf({ size: 'A4', margin: MARGIN, info: { Title: invoice.number, Author: invoice.seller.legalName } }, (doc) => {
    doc.font('bold').fontSize(20).text(`${invoice.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${invoice.number}`, MARGIN, MARGIN);
    doc.moveDown();
    parties(doc, invoice);
    facts(doc, invoice);
    lineTable(doc, invoice);
    totals(doc, invoice);
    closing(doc, invoice);
  });
}
