import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { toDecimal } from '../invoices/invoices.money.ts';
import type { Money, Statement } from './statements.service.ts';

export const CSV_COLUMNS = ['date', 'kind', 'ticket_id', 'ticket_title', 'description', 'currency', 'gross', 'commission', 'platform_fee', 'processor_fee', 'net'];

/** A cell starting with = + - @ is a formula to a spreadsheet: a ticket title must never run as one. */
const text = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/**
 * The statement as CSV, one row per line between an opening-balance row and the totals and closing-balance
 * rows, amounts as exact decimals of the currency ("81.81"). Rows are generated as the stream is read.
 */
export function statementCsv(statement: Statement): Readable {
  const amount = (value: number) => toDecimal(value, statement.currency);
  const zero: Money = { gross: 0, commission: 0, platformFee: 0, processorFee: 0, net: 0 };
  const row = (date: string, kind: string, ticket: { id: string; title: string } | null, description: string, money: Money) => [
    date,
    kind,
    ticket?.id ?? '',
    text(ticket?.title ?? ''),
    text(description),
    statement.currency,
    amount(money.gross),
    amount(money.commission),
    amount(money.platformFee),
    amount(money.processorFee),
    amount(money.net),
  ];
  function* rows() {
    yield row(statement.from, 'opening_balance', null, 'Balance at the start of the period', { ...zero, net: statement.openingBalance });
    for (const line of statement.lines) yield row(line.date, line.kind, line.ticket, line.description, line);
    yield row(statement.to, 'total', null, 'Total of the lines', statement.totals);
    yield row(statement.to, 'closing_balance', null, 'Balance at the end of the period', { ...zero, net: statement.closingBalance });
  }
  return Readable.from(rows()).pipe(stringify({ header: true, columns: CSV_COLUMNS }));
}
