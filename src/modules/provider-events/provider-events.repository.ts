import type { Insertable, Selectable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { ProviderEventsTable } from '../../db/types.ts';

export type ProviderEventRow = Selectable<ProviderEventsTable>;

/** Returns the new row's id, or undefined when this (provider, external_id) is already stored. */
export async function insertEvent(trx: Tx, row: Insertable<ProviderEventsTable>): Promise<string | undefined> {
  const inserted = await trx
    .insertInto('provider_events')
    .values(row)
    .onConflict((oc) => oc.columns(['provider', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
}

export function findEvent(db: Queryable, id: string): Promise<ProviderEventRow | undefined> {
  return db.selectFrom('provider_events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** True when this call marked it; false when it was handled already (the guard that makes handling once). */
export async function markHandled(trx: Tx, id: string, now: Date): Promise<boolean> {
  const result = await trx
    .updateTable('provider_events')
    .set((eb) => ({ handled_at: now, attempts: eb('attempts', '+', 1), last_error: null }))
    .where('id', '=', id)
    .where('handled_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function recordFailure(db: Queryable, id: string, message: string): Promise<void> {
  await db
    .updateTable('provider_events')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: message.slice(0, 2000) }))
    .where('id', '=', id)
    .execute();
}
