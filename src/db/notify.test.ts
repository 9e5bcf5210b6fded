import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { freshDatabase, testEngine } from '../../test/helpers/database.ts';
import { newId } from '../lib/ids.ts';
import type { Database } from './database.ts';
import { LISTEN_APPLICATION_NAME, notificationHub, type Listen, type NotificationHub } from './notify.ts';

/** Every test here waits for notifications: one that never comes fails the test instead of hanging it. */
const WAIT = { timeout: 15_000 };

/** A subscription whose calls are awaited one at a time, and counted. */
function watch(hub: NotificationHub, key: string) {
  const waiting: (() => void)[] = [];
  let unread = 0;
  let calls = 0;
  const unsubscribe = hub.subscribe(key, () => {
    calls++;
    const resolve = waiting.shift();
    if (resolve) resolve();
    else unread++;
  });
  return {
    unsubscribe,
    calls: () => calls,
    next: () => (unread > 0 ? (unread--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve))),
  };
}

async function newConversation(db: Database): Promise<string> {
  const now = new Date();
  const userId = newId();
  await db.insertInto('users').values({ id: userId, email: `${userId}@example.com`, display_name: 'Visitor', created_at: now, updated_at: now }).execute();
  const id = newId();
  await db.insertInto('conversations').values({ id, channel: 'web', external_channel: 'acme/widget', external_user: userId, user_id: userId, state: 'start', data: '{}', created_at: now, updated_at: now }).execute();
  return id;
}

const entry = (conversationId: string, text: string) => ({ conversation_id: conversationId, author: 'assistant' as const, body: JSON.stringify({ text }), created_at: new Date() });

describe('database notifications (LISTEN/NOTIFY)', () => {
  let handle: Awaited<ReturnType<typeof freshDatabase>>;
  before(async () => {
    handle = await freshDatabase();
  });
  after(() => handle.close());

  test('a committed transcript entry wakes its conversation\'s subscribers once per transaction; a rolled back one and other conversations wake no one', WAIT, async () => {
    const [mine, other] = [await newConversation(handle.db), await newConversation(handle.db)];
    const hub = handle.notifications;
    const watched = watch(hub, mine);
    const bystander = watch(hub, other);
    const marker = watch(hub, 'marker');
    assert.equal(hub.subscriberCount(), 3);
    // Listening starts with the first subscriber, and wakes everyone once to read what came before.
    await Promise.all([watched.next(), bystander.next(), marker.next()]);

    await handle.db.transaction().execute((trx) => trx.insertInto('web_chat_messages').values([entry(mine, 'one'), entry(mine, 'two'), entry(mine, 'three')]).execute());
    await watched.next();

    await handle.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('web_chat_messages').values(entry(mine, 'undone')).execute();
        throw new Error('roll back');
      })
      .catch(() => undefined);
    // Notifications arrive in commit order: once the marker's has come, one for the rollback would have too.
    await sql`SELECT pg_notify('backline_live', 'marker')`.execute(handle.db);
    await marker.next();
    assert.equal(watched.calls(), 2, 'the wake-up, then one call for the three entries committed together; none for the rollback');
    assert.equal(bystander.calls(), 1, 'another conversation only had the wake-up');

    for (const subscription of [watched, bystander, marker]) subscription.unsubscribe();
    assert.equal(hub.subscriberCount(), 0);
  });
});

// Its own database: its hub connects on this test's subscriber, so the first wake-up is this test's to await.
describe('a dropped LISTEN connection', { skip: testEngine !== 'postgres' && 'the embedded database has no connection to drop' }, () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  before(async () => {
    fresh = await freshDatabase();
  });
  after(() => fresh.close());

  test('a dropped LISTEN connection is replaced: subscribers are woken to read what they missed, and notifications flow again', WAIT, async () => {
    const conversation = await newConversation(fresh.db);
    const watched = watch(fresh.notifications, conversation);
    await watched.next(); // listening started
    const dropped = await sql<{ dropped: boolean }>`
      SELECT pg_terminate_backend(pid) AS dropped FROM pg_stat_activity WHERE application_name = ${LISTEN_APPLICATION_NAME} AND datname = current_database()
    `.execute(fresh.db);
    assert.deepEqual(dropped.rows, [{ dropped: true }], 'one LISTEN connection for the process');
    await watched.next(); // woken by the reconnection
    await fresh.db.insertInto('web_chat_messages').values(entry(conversation, 'after the drop')).execute();
    await watched.next();
    watched.unsubscribe();
  });
});

describe('the notification hub', () => {
  test('a LISTEN that fails is retried until it works; nothing connects before the first subscriber, and one connection serves them all', WAIT, async () => {
    let attempts = 0;
    let deliver: (payload: string) => void = () => {};
    const listen: Listen = async (_channel, onPayload) => {
      attempts++;
      if (attempts === 1) throw new Error('the database is restarting');
      deliver = onPayload;
      return { close: async () => {} };
    };
    const hub = notificationHub(listen);
    assert.equal(attempts, 0, 'no subscriber, no connection');
    const first = watch(hub, 'a');
    const second = watch(hub, 'a');
    await Promise.all([first.next(), second.next()]); // woken once listening works
    assert.equal(attempts, 2);
    deliver('a');
    await Promise.all([first.next(), second.next()]);
    first.unsubscribe();
    deliver('a');
    await second.next();
    assert.deepEqual([first.calls(), second.calls()], [2, 3], 'an unsubscribed listener is not called again');
    second.unsubscribe();
    assert.equal(hub.subscriberCount(), 0);
    await hub.close();
  });
});
