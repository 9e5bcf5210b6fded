import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { freshDatabase, testEngine } from '../../test/helpers/database.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';

describe('prepared statements (PostgreSQL)', { skip: testEngine !== 'postgres' && 'PGlite runs statements in process' }, () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let other: DatabaseHandle;
  // One connection, so that every statement below runs on it (until it is replaced).
  let single: DatabaseHandle;
  before(async () => {
    fresh = await freshDatabase();
    const url = (fresh as { url?: string }).url!;
    single = await openDatabase({ engine: 'postgres', url, poolSize: 1 });
    other = await openDatabase({ engine: 'postgres', url, poolSize: 1, preparedStatements: false });
    await sql`CREATE TABLE probe (id int PRIMARY KEY, name text NOT NULL)`.execute(other.db);
    await sql`INSERT INTO probe VALUES (1, 'one')`.execute(other.db);
  });
  after(async () => {
    await single.close();
    await other.close();
    await fresh.close();
  });

  const read = (db = single.db) => sql<Record<string, unknown>>`SELECT * FROM probe WHERE id = ${1}`.execute(db);
  const prepared = async () => (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(single.db)).rows.map((row) => row.statement);
  const backend = async () => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(single.db)).rows[0].pid;

  test('a statement is prepared the second time it runs on a connection, and one without parameters never', async () => {
    await read();
    assert.ok(!(await prepared()).some((text) => text.includes('FROM probe')));
    await read();
    assert.ok((await prepared()).some((text) => text.includes('FROM probe')));
    assert.ok(!(await prepared()).some((text) => /pg_prepared_statements/.test(text)), 'a statement without parameters stays unnamed');
  });

  test('after another process adds a column, a prepared SELECT * is retried unnamed outside a transaction and the connection replaced', async () => {
    await read();
    const pid = await backend();
    await sql`ALTER TABLE probe ADD COLUMN note text`.execute(other.db);
    assert.deepEqual((await read()).rows, [{ id: 1, name: 'one', note: null }]);
    assert.notEqual(await backend(), pid, 'the connection with the stale statement was closed');
    await read();
    assert.deepEqual((await read()).rows, [{ id: 1, name: 'one', note: null }], 'prepared again on the new connection');
  });

  test('inside a transaction the stale statement fails that transaction once; the next one works', async () => {
    await read();
    await read();
    await sql`ALTER TABLE probe ADD COLUMN extra text`.execute(other.db);
    await assert.rejects(single.db.transaction().execute((trx) => read(trx)), /cached plan must not change result type/);
    const rows = await single.db.transaction().execute(async (trx) => (await read(trx)).rows);
    assert.deepEqual(rows, [{ id: 1, name: 'one', note: null, extra: null }]);
  });
});
