import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeHub } from '../../../test/helpers/fake-hub.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import { systemClock } from '../../lib/clock.ts';
import { IndexCache } from './knowledge.cache.ts';
import { KnowledgeIndex, type IndexedPassage } from './knowledge.index.ts';
import { retrieve } from './knowledge.retrieve.ts';
import { SearchThread } from './knowledge.searcher.ts';

const passages: IndexedPassage[] = [
  { id: 'p1', sourceId: 's1', titlePath: ['Retries', 'Backoff'], url: 'retries.md#backoff', text: 'Failed jobs are retried with exponential backoff. Set maxRetries to change how often.' },
  { id: 'p2', sourceId: 's1', titlePath: ['Queues'], url: 'queues.md', text: 'A queue holds jobs until a worker takes them. Workers poll every second.' },
  { id: 'p3', sourceId: 's2', titlePath: ['Dashboard'], url: 'dashboard.md', text: 'The dashboard lists failed jobs and retries them by hand.' },
];
const question = 'how do retries with backoff work';
const params = { limit: 5, sourceIds: null };

test('the search thread answers what the index answers in process: the same hits, confidence and extract', async () => {
  const thread = new SearchThread();
  try {
    const remote = await thread.build(passages);
    assert.equal(remote.size, 3);
    assert.deepEqual(await remote.retrieve(question, params, 'medium'), retrieve(new KnowledgeIndex(passages), question, params, 'medium'));
    const onlyS2 = await remote.retrieve(question, { ...params, sourceIds: ['s2'] }, 'short');
    assert.deepEqual(onlyS2.outcome.hits.map((hit) => hit.passage.id), ['p3'], 'the source filter applies on the thread');
  } finally {
    await thread.close();
  }
});

test('an index whose search thread stopped is built again, on a new thread, by the cache', async () => {
  const thread = new SearchThread();
  let builds = 0;
  const cache = new IndexCache(fakeHub(), systemClock, (rows: IndexedPassage[]) => {
    builds++;
    return thread.build(rows);
  });
  const read = { settings: async () => ({ version: 1 }), passages: async () => passages };
  try {
    const first = await cache.get('repo', read.settings, read.passages);
    const answer = await first.index.retrieve(question, params, 'medium');
    await thread.close();
    assert.equal(first.index.usable, false);
    await assert.rejects(first.index.retrieve(question, params, 'medium'), /search thread stopped/);
    const second = await cache.get('repo', read.settings, read.passages);
    assert.equal(builds, 2);
    assert.equal(second.index.usable, true);
    assert.deepEqual(await second.index.retrieve(question, params, 'medium'), answer);
  } finally {
    await thread.close();
  }
});

test('the cache keeps the settings until their key is notified, and builds the index again only when the version moved', async () => {
  const hub = fakeHub();
  let builds = 0;
  let settingsReads = 0;
  let version = 1;
  const cache = new IndexCache(hub, systemClock, async (rows: IndexedPassage[]) => {
    builds++;
    return { size: rows.length, usable: true, retrieve: () => Promise.reject(new Error('not asked here')) };
  });
  const read = {
    settings: async () => {
      settingsReads++;
      return { version };
    },
    passages: async () => passages,
  };
  await cache.get('repo', read.settings, read.passages);
  await cache.get('repo', read.settings, read.passages);
  assert.deepEqual([settingsReads, builds], [1, 1], 'the second question reads nothing');
  hub.announce(CACHE_KEYS.knowledge);
  await cache.get('repo', read.settings, read.passages);
  assert.deepEqual([settingsReads, builds], [2, 1], 'settings read again; same version, same index');
  version = 2;
  cache.invalidate();
  const rebuilt = await cache.get('repo', read.settings, read.passages);
  assert.deepEqual([settingsReads, builds], [3, 2], 'a new version: the index is built again');
  assert.equal(rebuilt.settings.version, 2);
});
