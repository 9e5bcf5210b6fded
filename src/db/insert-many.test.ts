import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freshDatabase } from '../../test/helpers/database.ts';
import { newId } from '../lib/ids.ts';
import { JOB_COLUMNS as JOBS } from '../jobs/queue.ts';
import { columnsOf, insertManyQuery } from './insert-many.ts';


describe('insertManyQuery', () => {
  let handle: Awaited<ReturnType<typeof freshDatabase>>;
  before(async () => {
    handle = await freshDatabase();
  });
  after(() => handle.close());

  test('inserts every row, in order, with nulls, JSON text, dates, awkward text and the defaults of columns left out', async () => {
    const at = new Date('2026-03-01T10:00:00.123Z');
    const texts = ['plain', 'with "quotes", {braces} and a \\ backslash', 'NULL', '', 'ünïcödé ✓'];
    const rows = texts.map((text, index) => ({
      id: newId(at.getTime() + index),
      queue: `insert-many-${index}`,
      payload: JSON.stringify({ text, index }),
      singleton_key: index === 1 ? null : `key-${index}`,
      run_at: new Date(at.getTime() + index * 1000),
      max_attempts: index + 1,
      last_error: text,
      created_at: at,
    }));
    const inserted = await insertManyQuery(handle.db, 'jobs', JOBS, columnsOf('jobs', rows)).returning(['id', 'attempts']).execute();
    assert.deepEqual(inserted, rows.map((row) => ({ id: row.id, attempts: 0 })), 'in the order given, attempts from its default');
    const stored = await handle.db.selectFrom('jobs').select(['queue', 'payload', 'singleton_key', 'run_at', 'max_attempts', 'last_error']).where('queue', 'like', 'insert-many-%').orderBy('id').execute();
    assert.deepEqual(
      stored,
      rows.map((row, index) => ({ queue: row.queue, payload: { text: texts[index], index }, singleton_key: row.singleton_key, run_at: row.run_at, max_attempts: row.max_attempts, last_error: texts[index] })),
    );
  });

  test('the statement is the same text whatever the number of rows', () => {
    const row = (queue: string) => ({ id: newId(), queue, payload: '{}', run_at: new Date(), max_attempts: 1, created_at: new Date() });
    const one = insertManyQuery(handle.db, 'jobs', JOBS, columnsOf('jobs', [row('a')])).compile();
    const three = insertManyQuery(handle.db, 'jobs', JOBS, columnsOf('jobs', [row('a'), row('b'), row('c')])).compile();
    assert.equal(one.sql, three.sql);
    assert.equal(three.parameters.length, 6, 'one parameter per column');
  });

  test('rows that set different columns, or none at all, are refused before anything is sent', () => {
    const base = { id: newId(), queue: 'q', payload: '{}', run_at: new Date(), max_attempts: 1, created_at: new Date() };
    assert.throws(() => columnsOf('jobs', [base, { ...base, id: newId(), last_error: 'x' }]), /every row must set the same columns \(id, queue, payload, run_at, max_attempts, created_at\)/);
    const { last_error: _swapped, ...others } = { ...base, last_error: null };
    assert.throws(() => columnsOf('jobs', [{ ...base, last_error: null }, { ...others, id: newId(), locked_by: 'x' }]), /every row must set the same columns/, 'as many columns, not the same ones');
    assert.throws(() => columnsOf('jobs', []), /no rows to insert/);
  });
});
