import { renderPdf, tableRow, type Column, type Doc } from '../../lib/pdf.ts';
import { formatMoney } from '../invoices/invoices.money.ts';
import type { Money, Statement } from './statements.service.ts';

const MARGIN = 40;
// A4 landscape: eight columns of figures need the width.
const COLUMNS: readonly Column[] = [
  { title: 'Date', width: 70, align: 'left' },
  { title: 'Ticket', width: 220, align: 'left' },
  { title: 'Kind', width: 55, align: 'left' },
  { title: 'Gross', width: 80, align: 'right' },
  { title: 'Commission', width: 80, align: 'right' },
  { title: 'Platform fee', width: 80, align: 'right' },
  { title: 'Processor fee', width: 80, align: 'right' },
  { title: 'Net', width: 96, align: 'right' },
];
const CONTENT = COLUMNS.reduce((sum, column) => sum + column.width, 0);

function row(doc: Doc, cells: string[], font: 'regular' | 'bold'): void {
  tableRow(doc, COLUMNS, cells, { font, size: 8.5, gap: 3 });
}

/** Whole UTC days read as "2026-01-01 – 2026-01-31"; anything else is shown as the exact instants. */
function periodText(statement: Statement): string {
  const midnight = (iso: string) => iso.endsWith('T00:00:00.000Z');
  if (!statement.payoutId && midnight(statement.from) && midnight(statement.to)) {
    const last = new Date(new Date(statement.to).getTime() - 86_400_000).toISOString().slice(0, 10);
    return `${statement.from.slice(0, 10)} – ${last}`;
  }
  return `after ${statement.from} up to ${statement.to}`;
}

/** The statement a maintainer or an accountant files: every line, the totals, and balances that reconcile. */
export function renderStatementPdf(statement: Statement): Promise<Buffer> {
  const title = statement.payee.type === 'repo' ? 'Revenue statement' : 'Earnings statement';
  return renderPdf({ size: 'A4', layout: 'landscape', margin: MARGIN, info: { Title: `${title} ${statement.payee.name}` } }, (doc) => {
    const money = (amount: number) => formatMoney(amount, statement.currency);
    const figures = (parts: Money) => [money(parts.gross), money(parts.commission), money(parts.platformFee), money(parts.processorFee), money(parts.net)];
    const blank = ['', '', '', ''];

    doc.font('bold').fontSize(18).text(title, MARGIN, MARGIN);
    doc.font('regular').fontSize(10);
    doc.text(statement.payee.name);
    doc.text(`Period: ${periodText(statement)}`);
    doc.text(`Currency: ${statement.currency}`);
    if (statement.note) doc.text(statement.note, { width: CONTENT });
    doc.moveDown();

    row(doc, COLUMNS.map((column) => column.title), 'bold');
    doc.moveTo(MARGIN, doc.y - 2).lineTo(MARGIN + CONTENT, doc.y - 2).lineWidth(0.5).stroke();
    row(doc, ['', 'Opening balance', '', ...blank, money(statement.openingBalance)], 'regular');
    for (const line of statement.lines) {
      const ticket = line.ticket ? `${line.ticket.title} (${line.ticket.id.slice(0, 8)})` : line.description;
      row(doc, [line.date.slice(0, 10), ticket, line.kind, ...figures(line)], 'regular');
    }
    doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + CONTENT, doc.y).lineWidth(0.5).stroke();
    doc.y += 3;
    row(doc, ['', 'Total', '', ...figures(statement.totals)], 'bold');
    row(doc, ['', 'Closing balance', '', ...blank, money(statement.closingBalance)], 'bold');
    doc.moveDown();
    doc.font('regular').fontSize(8).text('Net is what each line added to or took from the balance owed to you; opening balance + total net = closing balance.', MARGIN, doc.y, { width: CONTENT });
  });
}
