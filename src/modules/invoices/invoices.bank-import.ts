import { CsvError, parse } from 'csv-parse/sync';
import type { Tx } from '../../db/database.ts';
import { badRequest, type ErrorDetail } from '../../errors.ts';
import { parseDecimal } from './invoices.money.ts';
import * as repo from './invoices.repository.ts';

/** One transaction from a bank statement; `row` is its line in the CSV, the header being line 1. */
export type BankRow = { row: number; date: string; amount: number; currency: string; reference: string };

export type BankRowResult = BankRow & { invoiceId: string | null; invoiceNumber: string | null; reason: string; message: string };
export type BankImportResult = { matched: BankRowResult[]; unmatched: BankRowResult[]; ambiguous: BankRowResult[] };

const COLUMNS = ['date', 'amount', 'currency', 'reference'] as const;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** Invoice numbers as people type them in a transfer's reference: BL-2026-000123, bl 2026 000123, BL2026000123. */
const INVOICE_NUMBER = /\bBL[-\s]?(\d{4})[-\s]?(\d{6,})\b/gi;

function invalidRow(row: number, column: string, message: string): ErrorDetail {
  return { path: `row ${row}.${column}`, message };
}

function checkDate(text: string, today: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'must be a date as YYYY-MM-DD';
  const date = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) return 'is not a calendar date';
  if (text > today) return 'is in the future';
  return null;
}

/**
 * Reads a statement: a header naming the columns date, amount, currency and reference (any order,
 * other columns ignored), then one transaction per line. Every problem is collected, so a rejected file
 * says at once which rows to fix; one bad row rejects the whole file, before anything is marked paid.
 */
export function parseBankCsv(text: string, today: string): BankRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With info: true each record comes with its line number; the library's types do not say so.
    records = parse(text, { info: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as typeof records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    throw badRequest(`The CSV could not be read at line ${line}: ${error.message}`, [{ path: `row ${line}`, message: error.message }]);
  }
  const header = records.shift()?.record.map((name) => name.toLowerCase());
  const positions = COLUMNS.map((column) => header?.indexOf(column) ?? -1);
  if (!header || positions.includes(-1)) {
    throw badRequest(`The first line must name the columns ${COLUMNS.join(', ')}.`, [{ path: 'row 1', message: `missing column(s): ${COLUMNS.filter((_, index) => positions[index] === -1).join(', ')}` }]);
  }
  if (records.length === 0) throw badRequest('The CSV has a header but no transactions.', [{ path: 'row 2', message: 'no transactions' }]);

  const problems: ErrorDetail[] = [];
  const rows = records.map(({ record, info }) => {
    const [date, amountText, currencyText, reference] = positions.map((position) => record[position]);
    const currency = currencyText.toUpperCase();
    const dateProblem = checkDate(date, today);
    if (dateProblem) problems.push(invalidRow(info.lines, 'date', dateProblem));
    const currencyKnown = CURRENCIES.has(currency);
    if (!currencyKnown) problems.push(invalidRow(info.lines, 'currency', `"${currencyText}" is not an ISO 4217 currency code`));
    const amount = currencyKnown ? parseDecimal(amountText, currency) : 0;
    if (amount === null) problems.push(invalidRow(info.lines, 'amount', `"${amountText}" is not an amount in ${currency}: use digits, a point and at most its minor-unit digits, such as 1190.00`));
    return { row: info.lines, date, amount: amount ?? 0, currency, reference };
  });
  if (problems.length > 0) {
    throw badRequest(`The CSV has ${problems.length} invalid value(s); nothing was imported. ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
  }
  return rows;
}

export function invoiceNumbersIn(reference: string): string[] {
  return [...new Set([...reference.matchAll(INVOICE_NUMBER)].map((match) => `BL-${match[1]}-${match[2]}`))];
}

type MarkPaid = (trx: Tx, invoiceId: string, input: { paidAt: Date; reference: string }) => Promise<unknown>;

/**
 * Matches each transaction to an open invoice by the invoice number in its reference and the exact
 * amount due, and marks those paid. Everything else is reported with its reason, never guessed:
 * partial and over-payments, unknown numbers, several numbers, repeated rows, paid or void invoices.
 */
export async function matchBankRows(trx: Tx, issuer: string, rows: BankRow[], markPaid: MarkPaid): Promise<BankImportResult> {
  const result: BankImportResult = { matched: [], unmatched: [], ambiguous: [] };
  const numbers = rows.flatMap((row) => invoiceNumbersIn(row.reference));
  const invoices = new Map((await repo.findInvoicesByNumber(trx, issuer, [...new Set(numbers)])).map((invoice) => [invoice.number, invoice]));
  const seen = new Map<string, number>();

  for (const row of rows) {
    const report = (bucket: keyof BankImportResult, reason: string, message: string, invoice?: repo.InvoiceRow) =>
      result[bucket].push({ ...row, invoiceId: invoice?.id ?? null, invoiceNumber: invoice?.number ?? null, reason, message });
    const key = JSON.stringify([row.date, row.amount, row.currency, row.reference]);
    const earlier = seen.get(key);
    seen.set(key, earlier ?? row.row);
    const found = invoiceNumbersIn(row.reference);

    if (earlier !== undefined) {
      report('ambiguous', 'duplicate_row', `Same date, amount, currency and reference as row ${earlier}: a repeated line or a second payment; check the statement.`);
    } else if (row.amount <= 0) {
      report('unmatched', 'not_incoming', 'Not money received: only incoming transfers pay invoices.');
    } else if (found.length === 0) {
      report('unmatched', 'no_invoice_number', 'The reference holds no invoice number (BL-YYYY-NNNNNN).');
    } else if (found.length > 1) {
      report('ambiguous', 'several_invoices', `The reference names several invoices (${found.join(', ')}); mark the right ones paid by hand.`);
    } else {
      const invoice = invoices.get(found[0]);
      if (!invoice) {
        report('unmatched', 'unknown_invoice', `There is no invoice ${found[0]}.`);
      } else if (invoice.status === 'paid') {
        report('unmatched', 'already_paid', `${invoice.number} was already paid (reference "${invoice.payment_reference}").`, invoice);
      } else if (invoice.status === 'void') {
        report('unmatched', 'invoice_void', `${invoice.number} is void (fully credited): nothing is due.`, invoice);
      } else if (invoice.currency !== row.currency) {
        report('unmatched', 'currency_mismatch', `${invoice.number} is in ${invoice.currency}, the transfer in ${row.currency}.`, invoice);
      } else {
        const credited = await repo.creditedSoFar(trx, invoice.id);
        const due = invoice.total - credited.total;
        if (row.amount !== due) {
          const kind = row.amount < due ? 'partial_payment' : 'over_payment';
          report('unmatched', kind, `${invoice.number} has ${due} due, the transfer is ${row.amount} (minor units): not marked paid.`, invoice);
        } else {
          await markPaid(trx, invoice.id, { paidAt: new Date(`${row.date}T00:00:00Z`), reference: row.reference.slice(0, 200) });
          invoices.set(invoice.number, { ...invoice, status: 'paid', payment_reference: row.reference });
          report('matched', 'paid', `${invoice.number} marked paid.`, invoice);
        }
      }
    }
  }
  return result;
}
