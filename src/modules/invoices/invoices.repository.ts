import { sql, type Insertable, type Selectable } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { InvoiceLinesTable, InvoicesTable } from '../../db/types.ts';

export type InvoiceRow = Selectable<InvoicesTable>;
export type LineRow = Selectable<InvoiceLinesTable>;

export async function findInvoice(db: Queryable, id: string, lock = false): Promise<InvoiceRow | undefined> {
  const query = db.selectFrom('invoices').selectAll().where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function findInvoiceForPayment(db: Queryable, paymentId: string): Promise<InvoiceRow | undefined> {
  return db.selectFrom('invoices').selectAll().where('kind', '=', 'invoice').where('payment_id', '=', paymentId).executeTakeFirst();
}

/** Invoices of `issuer` by number, locked: a bank import marks some of them paid. */
export async function findInvoicesByNumber(db: Queryable, issuer: string, numbers: string[]): Promise<InvoiceRow[]> {
  if (numbers.length === 0) return [];
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('issuer', '=', issuer)
    .where('kind', '=', 'invoice')
    .where('number', 'in', numbers)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function insertInvoice(db: Queryable, row: Insertable<InvoicesTable>, lines: Insertable<InvoiceLinesTable>[]): Promise<void> {
  await db.insertInto('invoices').values(row).execute();
  await db.insertInto('invoice_lines').values(lines).execute();
}

export async function linesOf(db: Queryable, invoiceId: string): Promise<LineRow[]> {
  return db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', invoiceId).orderBy('position').execute();
}

/**
 * What credit notes have credited so far, per line of the invoice and in total (subtotal, tax and
 * total); `lines` is the sum of the credited lines, in the invoice's own terms (VAT included or not).
 */
export async function creditedSoFar(db: Queryable, invoiceId: string) {
  const byLine = await db
    .selectFrom('invoice_lines as credit')
    .innerJoin('invoice_lines as original', 'original.id', 'credit.credits_line_id')
    .select(['credit.credits_line_id as line_id', sql<number>`sum(credit.amount)::int8`.as('amount')])
    .where('original.invoice_id', '=', invoiceId)
    .groupBy('credit.credits_line_id')
    .execute();
  const totals = await db
    .selectFrom('invoices')
    .select([sql<number>`coalesce(sum(subtotal), 0)::int8`.as('subtotal'), sql<number>`coalesce(sum(tax), 0)::int8`.as('tax')])
    .where('credits_invoice_id', '=', invoiceId)
    .executeTakeFirstOrThrow();
  const lines = byLine.reduce((sum, row) => sum + Number(row.amount), 0);
  return { byLine: new Map(byLine.map((row) => [row.line_id as string, row.amount])), subtotal: totals.subtotal, tax: totals.tax, total: totals.subtotal + totals.tax, lines };
}

/** The sum of an invoice's lines: its total when they include VAT (card payments), its subtotal when VAT is on top. */
export const linesTotalOf = (invoice: Pick<InvoiceRow, 'tax_inclusive' | 'subtotal' | 'total'>) => (invoice.tax_inclusive ? invoice.total : invoice.subtotal);

export async function creditNotesOf(db: Queryable, invoiceId: string) {
  return db.selectFrom('invoices').select(['id', 'number', 'total', 'issued_at']).where('credits_invoice_id', '=', invoiceId).orderBy('sequence').execute();
}

export async function numberOf(db: Queryable, invoiceId: string): Promise<string | undefined> {
  return (await db.selectFrom('invoices').select('number').where('id', '=', invoiceId).executeTakeFirst())?.number;
}

/**
 * Who may read a document besides operators: the buying user, admins of the buying organization and
 * maintainers of the repository it was issued for. One query, so the rule lives in one place.
 */
export async function isReadableBy(db: Queryable, invoice: InvoiceRow, userId: string): Promise<boolean> {
  if (invoice.buyer_user_id === userId) return true;
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .or([
          eb.exists(
            eb.selectFrom('org_members').select('user_id').where('org_id', '=', invoice.buyer_org_id).where('user_id', '=', userId).where('role', '=', 'admin'),
          ),
          eb.exists(eb.selectFrom('repo_maintainers').select('user_id').where('repo_id', '=', invoice.repo_id).where('user_id', '=', userId)),
        ])
        .as('readable'),
    ])
    .executeTakeFirstOrThrow();
  return Boolean(row.readable);
}

/** An organization's documents, newest first, keyset-paginated by (issued_at, id). */
export async function listForOrg(db: Queryable, orgId: string, after: [Date, string] | undefined, limit: number): Promise<InvoiceRow[]> {
  let query = db.selectFrom('invoices').selectAll().where('buyer_org_id', '=', orgId);
  if (after) query = query.where((eb) => eb(eb.refTuple('issued_at', 'id'), '<', eb.tuple(after[0], after[1])));
  return query.orderBy('issued_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
}

export async function markPaid(db: Queryable, id: string, paidAt: Date, reference: string): Promise<InvoiceRow> {
  return db
    .updateTable('invoices')
    .set({ status: 'paid', paid_at: paidAt, payment_reference: reference })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markVoid(db: Queryable, id: string, at: Date): Promise<void> {
  await db.updateTable('invoices').set({ status: 'void', voided_at: at }).where('id', '=', id).execute();
}

export async function findOrgBilling(db: Queryable, orgId: string) {
  return db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
}

export async function repoExists(db: Queryable, repoId: string): Promise<boolean> {
  return (await db.selectFrom('repos').select('id').where('id', '=', repoId).executeTakeFirst()) !== undefined;
}

export async function taxRate(db: Queryable, country: string): Promise<number | undefined> {
  return (await db.selectFrom('tax_rates').select('rate_bps').where('country', '=', country).executeTakeFirst())?.rate_bps;
}

export async function taxRates(db: Queryable) {
  return db.selectFrom('tax_rates').selectAll().orderBy('country').execute();
}

export async function setTaxRate(db: Queryable, country: string, rateBps: number, userId: string, now: Date) {
  return db
    .insertInto('tax_rates')
    .values({ country, rate_bps: rateBps, updated_by: userId, updated_at: now })
    .onConflict((oc) => oc.column('country').doUpdateSet({ rate_bps: rateBps, updated_by: userId, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type SpendRow = { repo: string | null; currency: string; invoiced: number; credited: number; invoices: number };

/**
 * What an organization was invoiced per repository and currency, net of credit notes (a credit note
 * counts against its invoice's repository). A void invoice is one fully credited: it counts, and so
 * does the credit note that nets it to nothing.
 */
export async function spendForOrg(db: Queryable, orgId: string): Promise<SpendRow[]> {
  const { rows } = await sql<{ repo: string | null; currency: string; invoiced: string; credited: string; invoices: string }>`
    SELECT r.full_name AS repo, i.currency,
           coalesce(sum(i.total) FILTER (WHERE i.kind = 'invoice'), 0)::text AS invoiced,
           coalesce(sum(i.total) FILTER (WHERE i.kind = 'credit_note'), 0)::text AS credited,
           count(*) FILTER (WHERE i.kind = 'invoice')::text AS invoices
    FROM invoices i
    LEFT JOIN invoices credited ON credited.id = i.credits_invoice_id
    LEFT JOIN repos r ON r.id = coalesce(i.repo_id, credited.repo_id)
    WHERE i.buyer_org_id = ${orgId}
    GROUP BY r.full_name, i.currency
    ORDER BY r.full_name NULLS LAST, i.currency`.execute(db);
  return rows.map((row) => ({ repo: row.repo, currency: row.currency, invoiced: Number(row.invoiced), credited: Number(row.credited), invoices: Number(row.invoices) }));
}
