import { sql, type Kysely } from 'kysely';

/**
 * Card prices include VAT (docs/invoices.md): an invoice of a card payment is tax-inclusive, its lines are
 * the amounts charged and its tax the VAT they include. Existing invoices added VAT on top, so the flag
 * defaults to false; adding a column with a default rewrites no row, so the invoices' update guard
 * (0007) does not fire. A credit note of an inclusive invoice may be VAT only (cumulative rounding: the
 * cent that carries the last cent of included VAT), so its subtotal may be 0 while its total is not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE invoices ADD COLUMN tax_inclusive boolean NOT NULL DEFAULT false;
    ALTER TABLE invoices DROP CONSTRAINT invoices_subtotal_check;
    ALTER TABLE invoices ADD CONSTRAINT invoices_subtotal_check
      CHECK (subtotal > 0 OR (subtotal = 0 AND tax_inclusive AND kind = 'credit_note' AND total > 0));
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
