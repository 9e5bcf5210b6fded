import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rowObjects } from './row-objects.ts';

const fields = (...names: string[]) => names.map((name) => ({ name }));

describe('rowObjects', () => {
  test('makes each array row an object of its columns, in column order', () => {
    const rows = rowObjects(fields('id', 'title', 'closed_at'), [[1, 'one', null], [2, 'two', new Date(0)]]);
    assert.deepEqual(rows, [{ id: 1, title: 'one', closed_at: null }, { id: 2, title: 'two', closed_at: new Date(0) }]);
    assert.deepEqual(Object.keys(rows[0]), ['id', 'title', 'closed_at']);
    assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
  });

  test('a later column of the same name wins, as in node-postgres', () => {
    assert.deepEqual(rowObjects(fields('id', 'id'), [[1, 2]]), [{ id: 2 }]);
  });

  test('column names are data, never code', () => {
    const names = ['a"b', "c'd", 'e\\f', 'g\nh', '}); throw new Error("no"); ({', 'constructor', ''];
    const [row] = rowObjects(fields(...names), [names.map((_, index) => index)]);
    assert.deepEqual(Object.keys(row), names);
    names.forEach((name, index) => assert.equal(Object.getOwnPropertyDescriptor(row, name)?.value, index, name));
  });

  test('a column named __proto__ is a column, not the prototype', () => {
    const [row] = rowObjects(fields('id', '__proto__'), [[1, { polluted: true }]]);
    assert.deepEqual(Object.keys(row), ['id', '__proto__']);
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, { polluted: true });
  });

  test('no rows, no columns', () => {
    assert.deepEqual(rowObjects(fields('id'), []), []);
    assert.deepEqual(rowObjects([], [[]]), [{}]);
  });
});
