import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { PlanPricesTable, PlansTable, SubscriptionPeriodsTable, SubscriptionsTable } from '../../db/types.ts';

export type PlanRow = Selectable<PlansTable> & { prices: Array<{ currency: string; amount: number }> };
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type PeriodRow = Selectable<SubscriptionPeriodsTable>;

/** Plans, subscriptions and their periods (Kysely only). Every money change locks the subscription row first. */

export const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === constraint;

export async function insertPlan(trx: Tx, plan: Insertable<PlansTable>, prices: Insertable<PlanPricesTable>[]): Promise<void> {
  await trx.insertInto('plans').values(plan).execute();
  await trx.insertInto('plan_prices').values(prices).execute();
}

/** Edits a plan; given prices replace all of its prices. */
export async function updatePlan(trx: Tx, id: string, changes: Updateable<PlansTable>, prices?: Array<{ currency: string; amount: number }>): Promise<void> {
  await trx.updateTable('plans').set(changes).where('id', '=', id).execute();
  if (!prices) return;
  await trx.deleteFrom('plan_prices').where('plan_id', '=', id).execute();
  await trx.insertInto('plan_prices').values(prices.map((price) => ({ plan_id: id, ...price }))).execute();
}

/** The currencies in which subscriptions to the plan still run (they renew at its price in that currency). */
export async function liveCurrencies(db: Queryable, planId: string): Promise<string[]> {
  const rows = await db.selectFrom('subscriptions').select('currency').distinct().where('plan_id', '=', planId).where('status', 'in', ['incomplete', 'active', 'past_due']).execute();
  return rows.map((row) => row.currency);
}

async function withPrices(db: Queryable, rows: Selectable<PlansTable>[]): Promise<PlanRow[]> {
  if (rows.length === 0) return [];
  const prices = await db.selectFrom('plan_prices').selectAll().where('plan_id', 'in', rows.map((row) => row.id)).orderBy('currency').execute();
  return rows.map((row) => ({ ...row, prices: prices.filter((price) => price.plan_id === row.id).map(({ currency, amount }) => ({ currency, amount })) }));
}

export async function listPlans(db: Queryable, repoId: string, includeInactive: boolean): Promise<PlanRow[]> {
  let query = db.selectFrom('plans').selectAll().where('repo_id', '=', repoId);
  if (!includeInactive) query = query.where('active', '=', true);
  return withPrices(db, await query.orderBy('created_at').orderBy('id').execute());
}

export async function findPlan(db: Queryable, id: string): Promise<PlanRow | undefined> {
  const row = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await withPrices(db, [row]))[0] : undefined;
}

export async function findPlans(db: Queryable, ids: string[]): Promise<Map<string, PlanRow>> {
  if (ids.length === 0) return new Map();
  const rows = await withPrices(db, await db.selectFrom('plans').selectAll().where('id', 'in', [...new Set(ids)]).execute());
  return new Map(rows.map((row) => [row.id, row]));
}

export async function insertSubscription(trx: Tx, row: Insertable<SubscriptionsTable>): Promise<void> {
  await trx.insertInto('subscriptions').values(row).execute();
}

export async function findSubscription(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<SubscriptionRow | undefined> {
  const query = db.selectFrom('subscriptions').selectAll().where('id', '=', id);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

/** A subscription with the names it is shown with. */
export type SubscriptionView = SubscriptionRow & { org_slug: string; repo_full_name: string; plan_name: string };

function selectViews(db: Queryable) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('orgs as o', 'o.id', 's.org_id')
    .innerJoin('repos as r', 'r.id', 's.repo_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .selectAll('s')
    .select(['o.slug as org_slug', 'r.full_name as repo_full_name', 'p.name as plan_name']);
}

export async function subscriptionViews(db: Queryable, where: { orgId: string; id?: string }): Promise<SubscriptionView[]> {
  let query = selectViews(db).where('s.org_id', '=', where.orgId);
  if (where.id) query = query.where('s.id', '=', where.id);
  return query.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc').execute();
}

/** What subscribing needs to know of the plan's repository. */
export async function repoSummary(db: Queryable, repoId: string) {
  return db.selectFrom('repos').select(['id', 'full_name', 'status', 'commission_bps']).where('id', '=', repoId).executeTakeFirstOrThrow();
}

/** A live subscription of the organization to the repository, if any (subscribing twice is refused). */
export async function liveSubscription(db: Queryable, orgId: string, repoId: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('org_id', '=', orgId).where('repo_id', '=', repoId).where('status', 'in', ['incomplete', 'active', 'past_due']).executeTakeFirst();
}

export async function updateSubscription(trx: Tx, id: string, changes: Updateable<SubscriptionsTable>): Promise<SubscriptionRow> {
  return trx.updateTable('subscriptions').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function insertPeriod(trx: Tx, row: Insertable<SubscriptionPeriodsTable>): Promise<PeriodRow> {
  return trx.insertInto('subscription_periods').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updatePeriod(trx: Tx, id: string, changes: Updateable<SubscriptionPeriodsTable>): Promise<PeriodRow> {
  return trx.updateTable('subscription_periods').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function findPeriod(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<PeriodRow | undefined> {
  const query = db.selectFrom('subscription_periods').selectAll().where('id', '=', id);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function periodOfPayment(db: Queryable, paymentId: string): Promise<PeriodRow | undefined> {
  return db.selectFrom('subscription_periods').selectAll().where('payment_id', '=', paymentId).executeTakeFirst();
}

export async function periodsOf(db: Queryable, subscriptionIds: string[]): Promise<PeriodRow[]> {
  if (subscriptionIds.length === 0) return [];
  return db.selectFrom('subscription_periods').selectAll().where('subscription_id', 'in', subscriptionIds).orderBy('created_at').orderBy('id').execute();
}

/** The period of a subscription that waits for its card payment, if any (at most one at a time). */
export async function pendingPeriod(db: Queryable, subscriptionId: string): Promise<PeriodRow | undefined> {
  return db.selectFrom('subscription_periods').selectAll().where('subscription_id', '=', subscriptionId).where('status', '=', 'pending').executeTakeFirst();
}

/** Periods of the organization's subscriptions that started and overlap [from, to). */
export async function periodsOverlapping(db: Queryable, orgId: string, from: Date, to: Date) {
  return db
    .selectFrom('subscription_periods as p')
    .innerJoin('subscriptions as s', 's.id', 'p.subscription_id')
    .innerJoin('repos as r', 'r.id', 's.repo_id')
    .innerJoin('plans as pl', 'pl.id', 'p.plan_id')
    .select(['p.id', 'p.subscription_id', 'p.starts_at', 'p.ends_at', 'r.full_name', 'pl.id as plan_id', 'pl.name as plan_name', 'pl.included_hours', 'pl.included_tickets'])
    .where('s.org_id', '=', orgId)
    .where('p.status', '=', 'active')
    .where('p.starts_at', '<', to)
    .where('p.ends_at', '>', from)
    .orderBy('p.starts_at')
    .orderBy('p.id')
    .execute();
}
