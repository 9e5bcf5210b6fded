import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { freshDatabase } from '../../test/helpers/database.ts';
import { newId } from '../lib/ids.ts';
import { compileOnce } from './compile-once.ts';

describe('compileOnce', () => {
  let handle: Awaited<ReturnType<typeof freshDatabase>>;
  const ids: string[] = [];
  before(async () => {
    handle = await freshDatabase();
    const now = new Date();
    for (const name of ['ada', 'grace', 'linus']) {
      const id = newId();
      ids.push(id);
      await handle.db.insertInto('users').values({ id, email: `${name}@example.com`, display_name: name, is_operator: name === 'linus', created_at: now, updated_at: now }).execute();
    }
  });
  after(() => handle.close());

  test('builds once per shape and runs each time with the values given', async () => {
    let builds = 0;
    const user = compileOnce((values: { id: string }, shape) => {
      builds++;
      const query = handle.db.selectFrom('users').select('email').where('id', '=', values.id);
      return shape === 'operators' ? query.where('is_operator', '=', true) : query;
    });
    assert.deepEqual(await user(handle.db, 'anyone', { id: ids[0] }), [{ email: 'ada@example.com' }]);
    assert.deepEqual(await user(handle.db, 'anyone', { id: ids[1] }), [{ email: 'grace@example.com' }]);
    assert.equal(builds, 1);
    assert.deepEqual(await user(handle.db, 'operators', { id: ids[1] }), [], 'another shape, another statement');
    assert.deepEqual(await user(handle.db, 'operators', { id: ids[2] }), [{ email: 'linus@example.com' }]);
    assert.equal(builds, 2);
    await handle.db.transaction().execute(async (trx) => {
      assert.deepEqual(await user(trx, 'anyone', { id: ids[2] }), [{ email: 'linus@example.com' }], 'inside a transaction too');
    });
  });

  test('a value written into the text, or one that never reaches the statement, is refused at the first build', async () => {
    const inlined = compileOnce((values: { name: string }) => handle.db.selectFrom('users').select('email').where('display_name', '=', sql.lit(values.name)));
    await assert.rejects(inlined(handle.db, 'x', { name: 'ada' }), /the value name was written into the statement/);
    const unused = compileOnce((_values: { name: string }) => handle.db.selectFrom('users').select('email'));
    await assert.rejects(unused(handle.db, 'x', { name: 'ada' }), /the value name does not reach the statement/);
  });

  test('a value that is not a string (an array the statement unnests) goes in as one parameter', async () => {
    let builds = 0;
    const emails = compileOnce((values: { ids: string[] }, _shape, db) => {
      builds++;
      return db.selectFrom('users').select('email').where(sql<boolean>`id = ANY(${values.ids}::uuid[])`).orderBy('email');
    });
    assert.deepEqual(await emails(handle.db, 'ids', { ids: [ids[0], ids[2]] }), [{ email: 'ada@example.com' }, { email: 'linus@example.com' }]);
    assert.deepEqual(await emails(handle.db, 'ids', { ids: [ids[1]] }), [{ email: 'grace@example.com' }]);
    assert.equal(builds, 1);
  });
});
