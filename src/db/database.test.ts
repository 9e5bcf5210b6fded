import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { freshDatabase, testEngine } from '../../test/helpers/database.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';

describe('dropped PostgreSQL connections', { skip: testEngine !== 'postgres' && 'PGlite has no connections to drop' }, () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let handle: DatabaseHandle;
  let killer: DatabaseHandle;
  before(async () => {
    fresh = await freshDatabase();
    const url = (fresh as { url?: string }).url!;
    handle = await openDatabase({ engine: 'postgres', url, poolSize: 2 });
    killer = await openDatabase({ engine: 'postgres', url, poolSize: 1 });
  });
  after(async () => {
    await handle.close();
    await killer.close();
    await fresh.close();
  });

  test('a connection terminated while a transaction holds it (between two queries) fails that transaction, not the process; the next query works', async () => {
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      const outcome = await handle.db
        .transaction()
        .execute(async (trx) => {
          const { pid } = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0];
          await sql`SELECT pg_terminate_backend(${pid})`.execute(killer.db);
          // The drop reaches the checked-out client while no query of it runs: the moment that crashed workers.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`SELECT 1`.execute(trx);
        })
        .then(() => 'committed', () => 'failed');
      assert.equal(outcome, 'failed');
      assert.deepEqual(crashes, [], 'no uncaught error event');
      assert.equal((await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db)).rows[0].one, 1);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});
