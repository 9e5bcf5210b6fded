import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newId, UUID_PATTERN } from './ids.ts';

describe('newId', () => {
  test('UUID version 7 ids: distinct across many draws of the random pool, ordered by their milliseconds', () => {
    const ids = Array.from({ length: 2000 }, (_, index) => newId(1_700_000_000_000 + index * 7));
    assert.equal(new Set(ids).size, ids.length, 'no id twice, past several refills of the pool');
    for (const id of ids) {
      assert.match(id, UUID_PATTERN);
      assert.equal(id[14], '7', 'version 7');
      assert.ok('89ab'.includes(id[19]), 'RFC 9562 variant');
    }
    assert.deepEqual([...ids].sort(), ids, 'later milliseconds sort later');
    assert.equal(ids[1].slice(0, 13).replace('-', ''), (1_700_000_000_007).toString(16).padStart(12, '0'), 'the first 48 bits are the milliseconds');
    const randomParts = new Set(ids.map((id) => id.slice(19)));
    assert.equal(randomParts.size, ids.length, 'each id has random bits of its own');
  });

  test('within one millisecond, or when the clock steps back, each id counts up from the one before', () => {
    const at = 1_800_000_000_000;
    const same = [newId(at), newId(at), newId(at), newId(at - 5)];
    assert.deepEqual([...same].sort(), same);
    assert.equal(new Set(same).size, same.length);
  });
});
