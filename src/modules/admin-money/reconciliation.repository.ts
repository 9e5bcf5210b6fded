import type { Insertable, Selectable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { ReconciliationItemsTable, ReconciliationRunsTable } from '../../db/types.ts';

export type RunRow = Selectable<ReconciliationRunsTable>;
export type ItemRow = Selectable<ReconciliationItemsTable>;

export async function insertRun(trx: Tx, run: Insertable<ReconciliationRunsTable>, items: Insertable<ReconciliationItemsTable>[]): Promise<void> {
  await trx.insertInto('reconciliation_runs').values(run).execute();
  if (items.length) await trx.insertInto('reconciliation_items').values(items).execute();
}

export async function findRun(db: Queryable, id: string): Promise<{ run: RunRow; items: ItemRow[] } | undefined> {
  const run = await db.selectFrom('reconciliation_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!run) return undefined;
  const items = await db.selectFrom('reconciliation_items').selectAll().where('run_id', '=', id).orderBy('id').execute();
  return { run, items };
}

/** The latest runs with their differences, newest first. */
export async function latestRuns(db: Queryable, limit: number): Promise<Array<{ run: RunRow; items: ItemRow[] }>> {
  const found = await db.selectFrom('reconciliation_runs').selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  if (found.length === 0) return [];
  const items = await db.selectFrom('reconciliation_items').selectAll().where('run_id', 'in', found.map((run) => run.id)).orderBy('id').execute();
  return found.map((run) => ({ run, items: items.filter((item) => item.run_id === run.id) }));
}
