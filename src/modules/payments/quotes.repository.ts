import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { QuotesTable } from '../../db/types.ts';

export type QuoteRow = Selectable<QuotesTable>;

export async function insertQuote(db: Queryable, row: Insertable<QuotesTable>): Promise<QuoteRow> {
  return db.insertInto('quotes').values(row).returningAll().executeTakeFirstOrThrow();
}

/** With `lock`, accepting, declining and withdrawing one quote take turns, so exactly one of them wins. */
export async function findQuote(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<QuoteRow | undefined> {
  const query = db.selectFrom('quotes').selectAll().where('id', '=', id);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function quotesOfTicket(db: Queryable, ticketId: string): Promise<QuoteRow[]> {
  return db.selectFrom('quotes').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
}

export async function updateQuote(trx: Tx, id: string, changes: Updateable<QuotesTable>): Promise<QuoteRow> {
  return trx.updateTable('quotes').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
