import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { ConsultingQuotesTable, ConsultingRatesTable, ConsultingRequestsTable, ConsultingServicesTable } from '../../db/types.ts';

export type ServiceRow = Selectable<ConsultingServicesTable> & { rates: Array<{ currency: string; hourlyRate: number }> };
export type RequestRow = Selectable<ConsultingRequestsTable>;
export type QuoteRow = Selectable<ConsultingQuotesTable>;

/** The consulting catalogue, requests and quotes (Kysely only). */

export const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === constraint;

export async function insertService(trx: Tx, service: Insertable<ConsultingServicesTable>, rates: Insertable<ConsultingRatesTable>[]): Promise<void> {
  await trx.insertInto('consulting_services').values(service).execute();
  await trx.insertInto('consulting_rates').values(rates).execute();
}

/** Changes a service; new rates replace all of its old ones. */
export async function updateService(trx: Tx, id: string, changes: Updateable<ConsultingServicesTable>, rates?: Insertable<ConsultingRatesTable>[]): Promise<void> {
  await trx.updateTable('consulting_services').set(changes).where('id', '=', id).execute();
  if (!rates) return;
  await trx.deleteFrom('consulting_rates').where('service_id', '=', id).execute();
  await trx.insertInto('consulting_rates').values(rates).execute();
}

async function withRates(db: Queryable, rows: Selectable<ConsultingServicesTable>[]): Promise<ServiceRow[]> {
  if (rows.length === 0) return [];
  const rates = await db.selectFrom('consulting_rates').selectAll().where('service_id', 'in', rows.map((row) => row.id)).orderBy('currency').execute();
  return rows.map((row) => ({ ...row, rates: rates.filter((rate) => rate.service_id === row.id).map((rate) => ({ currency: rate.currency, hourlyRate: rate.hourly_rate })) }));
}

export async function listServices(db: Queryable, repoId: string, includeInactive: boolean): Promise<ServiceRow[]> {
  let query = db.selectFrom('consulting_services').selectAll().where('repo_id', '=', repoId);
  if (!includeInactive) query = query.where('active', '=', true);
  return withRates(db, await query.orderBy('created_at').orderBy('id').execute());
}

export async function findService(db: Queryable, id: string): Promise<ServiceRow | undefined> {
  const row = await db.selectFrom('consulting_services').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await withRates(db, [row]))[0] : undefined;
}

export async function insertRequest(trx: Tx, row: Insertable<ConsultingRequestsTable>): Promise<void> {
  await trx.insertInto('consulting_requests').values(row).execute();
}

export async function findRequest(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<RequestRow | undefined> {
  const query = db.selectFrom('consulting_requests').selectAll().where('id', '=', id);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function updateRequest(trx: Tx, id: string, changes: Updateable<ConsultingRequestsTable>): Promise<void> {
  await trx.updateTable('consulting_requests').set(changes).where('id', '=', id).execute();
}

export async function insertQuote(trx: Queryable, row: Insertable<ConsultingQuotesTable>): Promise<QuoteRow> {
  return trx.insertInto('consulting_quotes').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findQuote(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<QuoteRow | undefined> {
  const query = db.selectFrom('consulting_quotes').selectAll().where('id', '=', id);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function quotesOf(db: Queryable, requestId: string): Promise<QuoteRow[]> {
  return db.selectFrom('consulting_quotes').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('id').execute();
}

export async function updateQuote(trx: Tx, id: string, changes: Updateable<ConsultingQuotesTable>): Promise<QuoteRow> {
  return trx.updateTable('consulting_quotes').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** What the request shows besides its row: the names of its repository, service and organization. */
export async function requestNames(db: Queryable, request: RequestRow) {
  return db
    .selectFrom('consulting_requests as q')
    .innerJoin('repos as r', 'r.id', 'q.repo_id')
    .innerJoin('consulting_services as s', 's.id', 'q.service_id')
    .leftJoin('orgs as o', 'o.id', 'q.org_id')
    .select(['r.full_name', 's.name as service_name', 'o.slug as org_slug', 'r.commission_bps'])
    .where('q.id', '=', request.id)
    .executeTakeFirstOrThrow();
}
