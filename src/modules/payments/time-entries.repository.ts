import type { Insertable, Selectable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { TimeEntriesTable } from '../../db/types.ts';

export type TimeEntryRow = Selectable<TimeEntriesTable>;

export async function insertTimeEntry(db: Queryable, row: Insertable<TimeEntriesTable>): Promise<TimeEntryRow> {
  return db.insertInto('time_entries').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function timeEntriesOfTicket(db: Queryable, ticketId: string): Promise<TimeEntryRow[]> {
  return db.selectFrom('time_entries').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
}

export async function timeEntriesOfPayment(db: Queryable, paymentId: string): Promise<TimeEntryRow[]> {
  return db.selectFrom('time_entries').selectAll().where('payment_id', '=', paymentId).orderBy('id').execute();
}

/**
 * Time on the ticket that no session has billed yet, locked so that two captures cannot bill it twice;
 * `until` leaves out what was logged after that moment.
 */
export async function unbilledTime(trx: Tx, ticketId: string, until?: Date): Promise<TimeEntryRow[]> {
  let query = trx.selectFrom('time_entries').selectAll().where('ticket_id', '=', ticketId).where('payment_id', 'is', null);
  if (until) query = query.where('created_at', '<=', until);
  return query.orderBy('id').forUpdate().execute();
}

export async function markBilled(trx: Tx, entryIds: string[], paymentId: string): Promise<void> {
  if (entryIds.length === 0) return;
  await trx.updateTable('time_entries').set({ payment_id: paymentId }).where('id', 'in', entryIds).execute();
}

/** Minutes per helper logged on the given tickets in [from, to), most first. */
export async function minutesByHelper(db: Queryable, ticketIds: string[], from: Date, to: Date): Promise<{ helperId: string; minutes: number }[]> {
  if (ticketIds.length === 0) return [];
  const rows = await db
    .selectFrom('time_entries')
    .select((eb) => ['helper_id', eb.fn.sum<string>('minutes').as('minutes')])
    .where('ticket_id', 'in', ticketIds)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .groupBy('helper_id')
    .execute();
  return rows.map((row) => ({ helperId: row.helper_id, minutes: Number(row.minutes) })).sort((a, b) => b.minutes - a.minutes || (a.helperId < b.helperId ? -1 : 1));
}
