import { sql, type Insertable } from 'kysely';
import type { Queryable } from './database.ts';
import type { DB } from './types.ts';

/** The PostgreSQL type of each column a table's rows may set, for the arrays insertManyQuery sends. */
export type ColumnTypes<T extends keyof DB> = { [K in keyof Insertable<DB[T]> & string]-?: string };

/** Rows turned around: each column's values in one array (or, inside compileOnce, a stand-in for it). */
export type ColumnValues = Record<string, unknown>;

/**
 * Rows' values by column, for insertManyQuery. Every row sets the same columns, those of the first (a
 * column left out takes its default).
 */
export function columnsOf<T extends keyof DB & string>(table: T, rows: ReadonlyArray<Insertable<DB[T]>>): ColumnValues {
  if (rows.length === 0) throw new Error(`insertManyQuery(${table}): no rows to insert`);
  const columns = Object.keys(rows[0]);
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length || columns.some((column) => !(column in row))) {
      throw new Error(`insertManyQuery(${table}): every row must set the same columns (${columns.join(', ')})`);
    }
  }
  return Object.fromEntries(columns.map((column) => [column, rows.map((row) => (row as Record<string, unknown>)[column] ?? null)]));
}

/**
 * Rows inserted as one array per column (`INSERT ... SELECT * FROM unnest($1::uuid[], $2::text[], ...)`),
 * unexecuted. A statement on every request that inserts a batch of rows (group commit) is then one text
 * however many rows it carries: the query builder builds and compiles a few nodes rather than one per
 * value (a batch of tickets with their events and jobs was an eighth of the server's CPU per ticket), it
 * can be compiled once (compileOnce), and PostgreSQL prepares and plans it once per connection, not once
 * per batch size. A value travels as its column's type reads it: JSON columns as JSON text.
 */
export function insertManyQuery<T extends keyof DB & string>(db: Queryable, table: T, types: ColumnTypes<T>, values: ColumnValues) {
  const columns = Object.keys(values) as Array<keyof ColumnTypes<T> & string>;
  const arrays = columns.map((column) => sql`${values[column]}::${sql.raw(types[column])}[]`);
  // Kysely's column list is typed per table; the names come from rows the table's type checked.
  return db.insertInto(table).columns(columns as never).expression(sql`SELECT * FROM unnest(${sql.join(arrays)})`);
}
