import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeHub } from '../../test/helpers/fake-hub.ts';
import { FakeClock, systemClock } from './clock.ts';
import { notifiedCache } from './notified-cache.ts';


/** A read that counts its calls and answers the current value of `row`. */
function source(initial: string | undefined) {
  const state = { row: initial, reads: 0 };
  return { state, read: async () => (state.reads++, state.row) };
}

describe('notified cache', () => {
  test('keeps what it read while notifications arrive, and reads again once its key is notified', async () => {
    const hub = fakeHub();
    const cache = notifiedCache<string>(hub, 'cache:things', { capacity: 10, maxAgeMs: 60_000, clock: systemClock });
    const { state, read } = source('v1');
    assert.equal(await cache.get('a', read), 'v1');
    state.row = 'v2';
    assert.equal(await cache.get('a', read), 'v1', 'kept');
    assert.equal(state.reads, 1);
    hub.announce('cache:other');
    assert.equal(await cache.get('a', read), 'v1', 'another key leaves it');
    hub.announce('cache:things');
    assert.equal(await cache.get('a', read), 'v2');
    assert.equal(state.reads, 2);
  });

  test('reads through, keeping nothing, while notifications do not arrive; subscribes on first use only', async () => {
    const hub = fakeHub();
    const cache = notifiedCache<string>(hub, 'cache:things', { capacity: 10, maxAgeMs: 60_000, clock: systemClock });
    assert.equal(hub.subscriberCount(), 0, 'a process that never reads opens no LISTEN');
    hub.up = false;
    const { state, read } = source('v1');
    await cache.get('a', read);
    await cache.get('a', read);
    assert.equal(state.reads, 2);
    assert.equal(hub.subscriberCount(), 1);
    hub.up = true;
    await cache.get('a', read);
    state.row = 'v2';
    assert.equal(await cache.get('a', read), 'v1');
    // Listening dropped and came back: the hub calls every subscriber, for what was missed meanwhile.
    hub.announce('cache:things');
    assert.equal(await cache.get('a', read), 'v2');
  });

  test('an answer read while the key was notified is returned but not kept', async () => {
    const hub = fakeHub();
    const cache = notifiedCache<string>(hub, 'cache:things', { capacity: 10, maxAgeMs: 60_000, clock: systemClock });
    let release!: () => void;
    const slow = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'read before the change';
    };
    const pending = cache.get('a', slow);
    await Promise.resolve();
    hub.announce('cache:things');
    release();
    assert.equal(await pending, 'read before the change');
    const { state, read } = source('after the change');
    assert.equal(await cache.get('a', read), 'after the change');
    assert.equal(state.reads, 1);
  });

  test('an entry lives maxAgeMs at most; nothing found is never kept; the least recently used go beyond capacity', async () => {
    const hub = fakeHub();
    const clock = new FakeClock();
    const cache = notifiedCache<string>(hub, 'cache:things', { capacity: 2, maxAgeMs: 1000, clock });
    const { state, read } = source('v1');
    await cache.get('a', read);
    clock.advance(999);
    await cache.get('a', read);
    assert.equal(state.reads, 1);
    clock.advance(1);
    await cache.get('a', read);
    assert.equal(state.reads, 2, 'expired');

    const missing = source(undefined);
    assert.equal(await cache.get('gone', missing.read), undefined);
    await cache.get('gone', missing.read);
    assert.equal(missing.state.reads, 2);

    const other = source('x');
    await cache.get('b', other.read);
    await cache.get('c', other.read);
    await cache.get('a', read);
    assert.equal(state.reads, 3, 'a was the least recently used of three in a cache of two');
  });

  test('update replaces a kept entry and adds none', async () => {
    const hub = fakeHub();
    const cache = notifiedCache<string>(hub, 'cache:things', { capacity: 10, maxAgeMs: 60_000, clock: systemClock });
    const { state, read } = source('v1');
    cache.update('a', 'ignored');
    assert.equal(await cache.get('a', read), 'v1');
    cache.update('a', 'v1 with its last use');
    assert.equal(await cache.get('a', read), 'v1 with its last use');
    assert.equal(state.reads, 1);
  });

  test('getMany reads only the keys it does not keep, in one read, and keeps what it found', async () => {
    const hub = fakeHub();
    const cache = notifiedCache<string>(hub, 'cache:things', { capacity: 10, maxAgeMs: 60_000, clock: systemClock });
    const asked: string[][] = [];
    const read = async (missing: string[]) => {
      asked.push(missing);
      return new Map(missing.filter((key) => key !== 'gone').map((key) => [key, `value of ${key}`]));
    };
    assert.deepEqual([...(await cache.getMany(['a', 'b', 'a'], read))], [['a', 'value of a'], ['b', 'value of b']]);
    assert.deepEqual([...(await cache.getMany(['b', 'c', 'gone'], read))].sort(), [['b', 'value of b'], ['c', 'value of c']]);
    assert.deepEqual(asked, [['a', 'b'], ['c', 'gone']], 'a and b once, c and the missing key in one read');
    assert.equal(await cache.get('a', async () => 'read again'), 'value of a', 'get sees what getMany kept');
    hub.announce('cache:things');
    await cache.getMany(['a'], read);
    assert.deepEqual(asked.at(-1), ['a'], 'forgotten once notified');
  });
});
