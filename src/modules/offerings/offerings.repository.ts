import { sql, type Insertable, type Selectable } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { OfferingPricesTable, OfferingsTable } from '../../db/types.ts';

export type OfferingRow = Selectable<OfferingsTable>;
export type PriceRow = Selectable<OfferingPricesTable>;

/** Every read of an offering by id is scoped to its repository, so another repository's id is not found. */
export async function findOffering(db: Queryable, repoId: string, id: string): Promise<OfferingRow | undefined> {
  return db.selectFrom('offerings').selectAll().where('repo_id', '=', repoId).where('id', '=', id).executeTakeFirst();
}

/** For internal callers (payments) that hold an offering id taken from a record of the same repository. */
export async function findOfferingById(db: Queryable, id: string): Promise<OfferingRow | undefined> {
  return db.selectFrom('offerings').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listOfferings(db: Queryable, repoId: string, includeInactive: boolean): Promise<OfferingRow[]> {
  let query = db.selectFrom('offerings').selectAll().where('repo_id', '=', repoId);
  if (!includeInactive) query = query.where('active', '=', true);
  return query.orderBy('sort_order').orderBy('id').execute();
}

/** `lock` holds the rows (FOR SHARE) until the caller's transaction ends, so that bounds cannot change under a check. */
export async function pricesOf(db: Queryable, offeringIds: string[], options: { lock?: boolean } = {}): Promise<PriceRow[]> {
  if (offeringIds.length === 0) return [];
  const query = db.selectFrom('offering_prices').selectAll().where('offering_id', 'in', offeringIds).orderBy('currency');
  return (options.lock ? query.forShare() : query).execute();
}

export async function insertOffering(db: Queryable, row: Insertable<OfferingsTable>): Promise<void> {
  await db.insertInto('offerings').values(row).execute();
}

export async function updateOffering(db: Queryable, id: string, patch: Partial<Omit<OfferingRow, 'id' | 'repo_id' | 'kind'>>): Promise<void> {
  await db.updateTable('offerings').set(patch).where('id', '=', id).execute();
}

/**
 * Makes the offering's prices exactly `rows`. Currencies that stay are updated in place rather than deleted
 * and re-inserted, because deleting a price deletes the helpers' rates in that currency. Rates that the new
 * bounds no longer allow are moved to the nearest bound; where bounds are gone, so are the rates.
 */
export async function replacePrices(db: Queryable, offeringId: string, rows: PriceRow[]): Promise<void> {
  const currencies = rows.map((row) => row.currency);
  let removed = db.deleteFrom('offering_prices').where('offering_id', '=', offeringId);
  if (currencies.length) removed = removed.where('currency', 'not in', currencies);
  await removed.execute();
  for (const row of rows) {
    const { offering_id: _id, currency: _currency, ...amounts } = row;
    await db.insertInto('offering_prices').values(row).onConflict((oc) => oc.columns(['offering_id', 'currency']).doUpdateSet(amounts)).execute();
  }
  await sql`
    DELETE FROM offering_helper_rates r USING offering_prices p
    WHERE p.offering_id = r.offering_id AND p.currency = r.currency AND r.offering_id = ${offeringId} AND p.rate_min IS NULL`.execute(db);
  await sql`
    UPDATE offering_helper_rates r SET rate = LEAST(GREATEST(r.rate, p.rate_min), p.rate_max)
    FROM offering_prices p
    WHERE p.offering_id = r.offering_id AND p.currency = r.currency AND r.offering_id = ${offeringId}
      AND (r.rate < p.rate_min OR r.rate > p.rate_max)`.execute(db);
}

export async function findHelperRate(db: Queryable, offeringId: string, helperId: string, currency: string) {
  return db
    .selectFrom('offering_helper_rates')
    .selectAll()
    .where('offering_id', '=', offeringId)
    .where('helper_id', '=', helperId)
    .where('currency', '=', currency)
    .executeTakeFirst();
}

export async function upsertHelperRate(db: Queryable, row: { offering_id: string; currency: string; helper_id: string; rate: number; now: Date }) {
  await db
    .insertInto('offering_helper_rates')
    .values({ offering_id: row.offering_id, currency: row.currency, helper_id: row.helper_id, rate: row.rate, created_at: row.now, updated_at: row.now })
    .onConflict((oc) => oc.columns(['offering_id', 'helper_id', 'currency']).doUpdateSet({ rate: row.rate, updated_at: row.now }))
    .execute();
}

export async function deleteHelperRates(db: Queryable, offeringId: string, helperId: string, currency?: string): Promise<void> {
  let query = db.deleteFrom('offering_helper_rates').where('offering_id', '=', offeringId).where('helper_id', '=', helperId);
  if (currency) query = query.where('currency', '=', currency);
  await query.execute();
}

/** Helper rates on one offering with the helper's name, optionally only one helper's. */
export async function listHelperRates(db: Queryable, offeringId: string, helperId?: string) {
  let query = db
    .selectFrom('offering_helper_rates')
    .innerJoin('users', 'users.id', 'offering_helper_rates.helper_id')
    .select([
      'offering_helper_rates.offering_id',
      'offering_helper_rates.helper_id',
      'offering_helper_rates.currency',
      'offering_helper_rates.rate',
      'offering_helper_rates.updated_at',
      'users.display_name',
    ])
    .where('offering_helper_rates.offering_id', '=', offeringId);
  if (helperId) query = query.where('offering_helper_rates.helper_id', '=', helperId);
  return query.orderBy('users.display_name').orderBy('offering_helper_rates.helper_id').orderBy('offering_helper_rates.currency').execute();
}

export type HelperRateRow = Awaited<ReturnType<typeof listHelperRates>>[number];
