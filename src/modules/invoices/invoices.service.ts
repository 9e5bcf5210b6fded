import type { Queryable, Tx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { conflict, invalidField, notFound } from '../../errors.ts';
import { UUID_PATTERN } from '../../lib/ids.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { requireOperator, requireUser, type Actor } from '../auth/actor.ts';
import type { OrgsService } from '../orgs/orgs.service.ts';
import { withIdempotency, type StoredResponse } from '../payments/idempotency.ts';
import { matchBankRows, parseBankCsv } from './invoices.bank-import.ts';
import { issueCreditNote } from './invoices.credit-notes.ts';
import { issueInvoice } from './invoices.issue.ts';
import { renderInvoicePdf } from './invoices.pdf.ts';
import { presentInvoice, type Invoice } from './invoices.presenter.ts';
import * as repo from './invoices.repository.ts';
import { countryCode, markPaidInput, parseInput, type CreditNoteInput, type IssueInput, type MarkPaidInput } from './invoices.schemas.ts';
import { PLATFORM_ISSUER, requireSellerForRealMoney } from './invoices.seller.ts';

/**
 * Runs inside the transaction that marks an invoice paid, so whatever it writes (the ledger posting
 * that moves the money, see docs/invoices.md) commits with the paid status or not at all.
 */
export type InvoicePaidHandler = (trx: Tx, invoice: Invoice) => Promise<void>;

export function createInvoicesService(deps: Deps, orgs: OrgsService) {
  const { db, clock, config } = deps;
  requireSellerForRealMoney(config);
  const paidHandlers: InvoicePaidHandler[] = [];

  async function present(scope: Queryable, row: repo.InvoiceRow): Promise<Invoice> {
    const isInvoice = row.kind === 'invoice';
    const lines = await repo.linesOf(scope, row.id);
    const credited = isInvoice ? (await repo.creditedSoFar(scope, row.id)).byLine : new Map<string, number>();
    const creditNotes = isInvoice ? await repo.creditNotesOf(scope, row.id) : [];
    const creditsInvoice = row.credits_invoice_id ? { id: row.credits_invoice_id, number: (await repo.numberOf(scope, row.credits_invoice_id))! } : null;
    return presentInvoice(row, { lines, creditedByLine: credited, creditNotes, creditsInvoice }, config);
  }

  async function load(scope: Queryable, id: string): Promise<Invoice> {
    const row = await repo.findInvoice(scope, id);
    if (!row) throw notFound(`The invoice ${id}`);
    return present(scope, row);
  }

  /** Operators, the buyer and the repository's maintainers; anyone else gets a 404, as if it did not exist. */
  async function readable(actor: Actor, id: string): Promise<Invoice> {
    const user = requireUser(actor);
    const row = await repo.findInvoice(db, id);
    if (!row || !(user.isOperator || (await repo.isReadableBy(db, row, user.userId)))) throw notFound(`The invoice ${id}`);
    return present(db, row);
  }

  /**
   * Marks an invoice paid in the caller's transaction and runs the onInvoicePaid handlers there.
   * Marking it again with the same reference returns it unchanged (handlers do not run twice).
   */
  async function markPaid(trx: Tx, invoiceId: string, input: MarkPaidInput): Promise<Invoice> {
    const { paidAt, reference } = parseInput(markPaidInput, input);
    if (paidAt > clock.now()) throw invalidField('paidAt', 'is in the future');
    const row = await repo.findInvoice(trx, invoiceId, true);
    if (!row) throw notFound(`The invoice ${invoiceId}`);
    if (row.kind !== 'invoice') throw conflict(`${row.number} is a credit note; only invoices are paid.`, 'not_an_invoice');
    if (row.status === 'void') throw conflict(`${row.number} is void (fully credited): nothing is due.`, 'invoice_void');
    if (row.status === 'paid') {
      if (row.payment_reference === reference) return present(trx, row);
      throw conflict(`${row.number} was already paid on ${row.paid_at?.toISOString().slice(0, 10)} (reference "${row.payment_reference}").`, 'already_paid');
    }
    const invoice = await present(trx, await repo.markPaid(trx, row.id, paidAt, reference));
    for (const handler of paidHandlers) await handler(trx, invoice);
    return invoice;
  }

  const inTransaction = <T>(work: (trx: Tx) => Promise<T>) => db.transaction().execute(work);

  return {
    /** For the payments code: issues an invoice in its transaction (see invoices.issue.ts). */
    async issueInvoice(trx: Tx, input: IssueInput, createdBy: string | null = null): Promise<Invoice> {
      return load(trx, (await issueInvoice(deps, trx, input, createdBy)).id);
    },

    /** For the payments code: credits some or all of an invoice in its transaction (refunds). */
    async issueCreditNote(trx: Tx, invoiceId: string, input: CreditNoteInput, createdBy: string | null = null): Promise<Invoice> {
      return load(trx, (await issueCreditNote(deps, trx, invoiceId, input, createdBy)).id);
    },

    markPaid,

    /**
     * For the payments code: the VAT a tax-inclusive invoice (a card payment's) says its price still
     * includes, what its credit notes have not given back; 0 for an invoice with VAT on top, whose VAT was
     * booked when it was paid (docs/payments.md).
     */
    async includedVatLeft(scope: Queryable, invoiceId: string): Promise<number> {
      const row = await repo.findInvoice(scope, invoiceId);
      if (!row) throw notFound(`The invoice ${invoiceId}`);
      if (!row.tax_inclusive) return 0;
      return row.tax - (await repo.creditedSoFar(scope, row.id)).tax;
    },

    /** For the payments code: an invoice as JSON, read in its transaction, whoever asks. */
    find: load,

    /** Registers a handler run when an invoice becomes paid; returns a function that removes it. */
    onInvoicePaid(handler: InvoicePaidHandler): () => void {
      paidHandlers.push(handler);
      return () => {
        const index = paidHandlers.indexOf(handler);
        if (index >= 0) paidHandlers.splice(index, 1);
      };
    },

    get: readable,

    async pdf(actor: Actor, id: string): Promise<{ number: string; pdf: Buffer }> {
      const invoice = await readable(actor, id);
      return { number: invoice.number, pdf: await renderInvoicePdf(invoice) };
    },

    /** An organization's invoices and credit notes, newest first: its admins (members get a 403) and operators. */
    async listForOrg(actor: Actor, slug: string, query: { cursor?: string; limit: number }) {
      const { org } = await orgs.requireAdmin(actor, slug);
      const rows = await repo.listForOrg(db, org.id, listCursor(query.cursor), query.limit);
      const page = toPage(rows, query.limit, (row) => [row.issued_at.toISOString(), row.id], (row) => row);
      return { items: await Promise.all(page.items.map((row) => present(db, row))), nextCursor: page.nextCursor };
    },

    /** Consolidated spend per repository and currency, for the organization's admins. */
    async spendForOrg(actor: Actor, slug: string) {
      const { org } = await orgs.requireAdmin(actor, slug);
      const rows = await repo.spendForOrg(db, org.id);
      return { items: rows.map((row) => ({ ...row, net: row.invoiced - row.credited })) };
    },

    /**
     * Issues a numbered document, so it runs once per Idempotency-Key: a retried request gets the first
     * invoice back instead of a second number in the series (which could then never be deleted).
     */
    async issueAsOperator(actor: Actor, input: IssueInput, key: string): Promise<StoredResponse> {
      const user = requireOperator(actor);
      return withIdempotency(db, clock, { actorId: user.userId, key, route: 'POST /api/v1/admin/invoices', request: input }, async (trx) => ({
        status: 201,
        body: await load(trx, (await issueInvoice(deps, trx, input, user.userId)).id),
      }));
    },

    /** A credit note is what a refund pays back against: once per Idempotency-Key, like the refund itself. */
    async creditAsOperator(actor: Actor, invoiceId: string, input: CreditNoteInput, key: string): Promise<StoredResponse> {
      const user = requireOperator(actor);
      const route = 'POST /api/v1/invoices/{id}/credit-notes';
      return withIdempotency(db, clock, { actorId: user.userId, key, route, request: { invoiceId, ...input } }, async (trx) => ({
        status: 201,
        body: await load(trx, (await issueCreditNote(deps, trx, invoiceId, input, user.userId)).id),
      }));
    },

    /** Marking paid captures the money in the ledger (the onInvoicePaid handlers): once per Idempotency-Key. */
    async markPaidAsOperator(actor: Actor, invoiceId: string, input: MarkPaidInput, key: string): Promise<StoredResponse> {
      const user = requireOperator(actor);
      const route = 'POST /api/v1/admin/invoices/{id}/mark-paid';
      return withIdempotency(db, clock, { actorId: user.userId, key, route, request: { invoiceId, ...input } }, async (trx) => ({
        status: 200,
        body: await markPaid(trx, invoiceId, input),
      }));
    },

    /** Reads a bank statement and marks the invoices it pays, all in one transaction (see invoices.bank-import.ts). */
    async importBankStatement(actor: Actor, csv: string) {
      requireOperator(actor);
      const rows = parseBankCsv(csv, clock.now().toISOString().slice(0, 10));
      return inTransaction((trx) => matchBankRows(trx, PLATFORM_ISSUER, rows, markPaid));
    },

    async taxRates(actor: Actor) {
      requireOperator(actor);
      return (await repo.taxRates(db)).map(presentTaxRate);
    },

    async setTaxRate(actor: Actor, country: string, rateBps: number) {
      const user = requireOperator(actor);
      const code = parseInput(countryCode, country);
      return presentTaxRate(await repo.setTaxRate(db, code, rateBps, user.userId, clock.now()));
    },
  };
}

/** The position after which the next page starts; a cursor that was not ours is a 400, not a database error. */
function listCursor(cursor: string | undefined): [Date, string] | undefined {
  const key = decodeCursor(cursor, 2);
  if (!key) return undefined;
  const [at, id] = key;
  const date = new Date(typeof at === 'string' ? at : Number.NaN);
  if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !UUID_PATTERN.test(id)) {
    throw invalidField('cursor', 'is not valid: pass back the nextCursor of the previous page unchanged');
  }
  return [date, id];
}

const presentTaxRate = (row: { country: string; rate_bps: number; updated_at: Date }) => ({
  country: row.country,
  rateBps: row.rate_bps,
  updatedAt: row.updated_at.toISOString(),
});

export type InvoicesService = ReturnType<typeof createInvoicesService>;
