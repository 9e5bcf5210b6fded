import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { cacheWrites } from './cache-writes.ts';
import { CACHE_KEYS, type NotificationHub } from './notify.ts';
import type { DB } from './types.ts';

/** The plugin on a database that runs nothing, with a hub that records what it was told. */
function announcing() {
  const announced: string[] = [];
  const writes = cacheWrites();
  writes.announceTo({ announce: (key: string) => void announced.push(key) } as unknown as NotificationHub);
  const db = new Kysely<DB>({
    dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (kysely) => new PostgresIntrospector(kysely), createQueryCompiler: () => new PostgresQueryCompiler() },
    plugins: [writes.plugin],
  });
  /** What running `query` announced. */
  const after = async (query: { execute(): Promise<unknown> }) => {
    announced.length = 0;
    await query.execute();
    return [...announced];
  };
  return { db, after };
}

describe('cache writes (the statement hook that empties this process\'s caches)', () => {
  test('a write announces the key of what it changes, once it has run, and only the columns that are kept count', async () => {
    const { db, after } = announcing();
    const now = new Date();
    assert.deepEqual(await after(db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', 'x')), [CACHE_KEYS.apiTokens]);
    assert.deepEqual(await after(db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', 'x')), [], 'a last use changes nothing kept');
    assert.deepEqual(await after(db.updateTable('users').set({ email: 'a@example.com' }).where('id', '=', 'x')), [CACHE_KEYS.apiTokens]);
    assert.deepEqual(await after(db.updateTable('users').set({ is_operator: true })), [CACHE_KEYS.apiTokens]);
    assert.deepEqual(await after(db.updateTable('users').set({ time_zone: 'UTC' })), []);
    assert.deepEqual(await after(db.updateTable('users').set({ display_name: 'New name' })), [CACHE_KEYS.userNames], 'the name lists show');
    assert.deepEqual(await after(db.updateTable('users').set({ email: 'b@example.com', display_name: 'B' })), [CACHE_KEYS.apiTokens, CACHE_KEYS.userNames], 'both');
    assert.deepEqual(await after(db.deleteFrom('users').where('id', '=', 'x')), [CACHE_KEYS.apiTokens, CACHE_KEYS.userNames]);
    assert.deepEqual(await after(db.updateTable('orgs').set({ name: 'Renamed' })), [], 'lists show the slug, not the name');
    assert.deepEqual(await after(db.updateTable('orgs').set({ slug: 'renamed' })), [CACHE_KEYS.orgs]);
    assert.deepEqual(await after(db.deleteFrom('api_tokens').where('id', '=', 'x')), [CACHE_KEYS.apiTokens]);
    assert.deepEqual(await after(db.updateTable('repos').set({ offers_ai: false })), [CACHE_KEYS.repos], 'any column of a repository');
    assert.deepEqual(await after(db.updateTable('repos as r').set({ description: 'd' })), [CACHE_KEYS.repos], 'under an alias');
    assert.deepEqual(await after(db.deleteFrom('repos').where('id', '=', 'x')), [CACHE_KEYS.repos]);
    assert.deepEqual(
      await after(db.insertInto('repo_maintainers').values({ repo_id: 'r', user_id: 'u', role: 'maintainer', created_at: now })),
      [CACHE_KEYS.repos],
      'a new maintainer changes a kept role',
    );
    assert.deepEqual(await after(db.deleteFrom('repo_maintainers').where('user_id', '=', 'u')), [CACHE_KEYS.repos]);
    assert.deepEqual(
      await after(db.insertInto('sla_policies').values({ id: 'p', repo_id: 'r', name: 'n', calendar_id: null, targets: '{}', created_by: 'u', created_at: now })),
      [CACHE_KEYS.slaPolicies],
      'a repository\'s first policy',
    );
    assert.deepEqual(await after(db.updateTable('sla_policies').set({ name: 'm' })), [], 'a renamed policy: the repository still has one');
    assert.deepEqual(await after(db.deleteFrom('sla_policies').where('id', '=', 'p')), [CACHE_KEYS.slaPolicies]);
    assert.deepEqual(await after(db.updateTable('subscriptions').set({ repo_id: 'r' })), [CACHE_KEYS.subscriptions]);
    assert.deepEqual(await after(db.updateTable('subscriptions').set({ cancel_at_period_end: true })), [], 'a subscription changing leaves its repository with one');
    assert.deepEqual(await after(db.deleteFrom('subscriptions').where('id', '=', 's')), [CACHE_KEYS.subscriptions]);
    assert.deepEqual(await after(db.updateTable('knowledge_settings').set({ threshold: 0.5 })), [CACHE_KEYS.knowledge], 'AI settings, any column');
    assert.deepEqual(await after(db.deleteFrom('business_calendars').where('id', '=', 'c')), [CACHE_KEYS.calendars]);
    assert.deepEqual(await after(db.updateTable('conversations').set({ ticket_id: 't' }).where('id', '=', 'c')), [CACHE_KEYS.conversations], 'a conversation linked to a ticket');
    assert.deepEqual(await after(db.updateTable('conversations').set({ external_thread: 'x', updated_at: now })), [], 'a thread id is not what is kept');
  });

  test('reads, writes to other tables, new users and tokens, and raw SQL announce nothing', async () => {
    const { db, after } = announcing();
    const now = new Date();
    assert.deepEqual(await after(db.selectFrom('repos').selectAll()), []);
    assert.deepEqual(await after(db.updateTable('tickets').set({ title: 't' })), []);
    assert.deepEqual(await after(db.insertInto('users').values({ id: 'u', email: 'u@example.com', display_name: 'U', created_at: now, updated_at: now })), []);
    assert.deepEqual(await after(db.insertInto('api_tokens').values({ id: 't', user_id: 'u', name: 'n', token_hash: 'h', token_prefix: 'p', created_at: now })), []);
    assert.deepEqual(await after({ execute: () => sql`UPDATE repos SET offers_ai = false`.execute(db) }), [], 'left to the trigger');
  });
});
