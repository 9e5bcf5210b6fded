import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommit } from './group-commit.ts';

/** A write the test finishes by hand: each call is recorded with the items it was given. */
function manualWrites(fail: (item: number) => boolean = () => false) {
  const calls: { items: number[]; finish: () => void }[] = [];
  const write = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        items,
        finish: () => (items.some(fail) ? reject(new Error(`bad item in ${items.join(',')}`)) : resolve(items.map((item) => `stored ${item}`))),
      });
    });
  return { calls, write };
}

/** Lets every promise callback that is ready run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('group commit', () => {
  test('an item with nothing in flight is written at once; those arriving meanwhile go together in the next write', async () => {
    const { calls, write } = manualWrites();
    const group = new GroupCommit(write);
    const first = group.add(1);
    assert.deepEqual(calls.map((call) => call.items), [[1]]);
    const rest = [group.add(2), group.add(3), group.add(4)];
    assert.equal(calls.length, 1, 'nothing more is written while the first write runs');
    calls[0].finish();
    assert.equal(await first, 'stored 1');
    await settle();
    assert.deepEqual(calls.map((call) => call.items), [[1], [2, 3, 4]]);
    calls[1].finish();
    assert.deepEqual(await Promise.all(rest), ['stored 2', 'stored 3', 'stored 4']);
  });

  test('a batch holds at most maxBatch items', async () => {
    const { calls, write } = manualWrites();
    const group = new GroupCommit(write, { maxBatch: 2 });
    const results = [1, 2, 3, 4, 5].map((item) => group.add(item));
    calls[0].finish();
    await settle();
    assert.deepEqual(calls.map((call) => call.items), [[1], [2, 3]]);
    calls[1].finish();
    await settle();
    calls[2].finish();
    assert.deepEqual(await Promise.all(results), [1, 2, 3, 4, 5].map((item) => `stored ${item}`));
    assert.deepEqual(calls.map((call) => call.items), [[1], [2, 3], [4, 5]]);
  });

  test('when a batch fails its items are written one by one, and only the bad one fails', async () => {
    const { calls, write } = manualWrites((item) => item === 3);
    const group = new GroupCommit(write);
    const first = group.add(1);
    const results = [2, 3, 4].map((item) => group.add(item).then(
      (value) => value,
      (error: Error) => `failed: ${error.message}`,
    ));
    calls[0].finish();
    await first;
    await settle();
    calls[1].finish();
    await settle();
    assert.deepEqual(calls.slice(2).map((call) => call.items), [[2], [3], [4]]);
    calls.slice(2).forEach((call) => call.finish());
    assert.deepEqual(await Promise.all(results), ['stored 2', 'failed: bad item in 3', 'stored 4']);
  });

  test('the next write is on its way before the callers of the one that ended are answered', async () => {
    const { calls, write: reachDatabase } = manualWrites();
    // Like the query builder and the pool, the write reaches the database a few promise steps after it is called.
    const write = async (items: number[]) => {
      for (let step = 0; step < 3; step++) await Promise.resolve();
      return reachDatabase(items);
    };
    const group = new GroupCommit(write);
    const first = group.add(1).then((result) => `${result}, answered with ${calls.length} writes started`);
    await settle();
    const second = group.add(2);
    calls[0].finish();
    assert.equal(await first, 'stored 1, answered with 2 writes started');
    calls[1].finish();
    assert.equal(await second, 'stored 2');
  });

  test('a write that throws instead of rejecting fails its callers, and the next items are still written', async () => {
    let throwing = true;
    const group = new GroupCommit((items: number[]) => {
      if (throwing) throw new Error('no connection');
      return Promise.resolve(items.map((item) => `stored ${item}`));
    });
    await assert.rejects(group.add(1), /no connection/);
    throwing = false;
    assert.equal(await group.add(2), 'stored 2');
  });
});
