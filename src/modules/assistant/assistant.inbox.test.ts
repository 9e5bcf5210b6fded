import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';

let ctx: TestContext;
before(async () => {
  ctx = await startTestApp();
});
after(() => ctx.close());

const QUEUE = 'test.inbox';
const recordForJob = (externalId: string, payload: unknown = { text: externalId }) =>
  ctx.services.assistant.inbox.recordForJob({ provider: 'slack', externalId, type: 'message', payload }, QUEUE, { maxAttempts: 3 });

test('events stored at once share statements, each stored once with exactly one job, repeats in the same batch included', async () => {
  const ids = Array.from({ length: 30 }, (_, index) => `burst-${index % 20}`);
  const results = await Promise.all(ids.map((id) => recordForJob(id)));
  // The first of each external id is new; its repeat (10 of them, in the same burst) is turned away.
  assert.deepEqual(results, ids.map((_, index) => index < 20));
  const events = await ctx.db.selectFrom('chat_events').select(['id', 'external_id', 'payload', 'handled_at']).where('external_id', 'like', 'burst-%').execute();
  assert.equal(events.length, 20);
  assert.ok(events.every((event) => event.handled_at === null && (event.payload as { text: string }).text === event.external_id));
  const jobs = await ctx.db.selectFrom('jobs').select(['payload', 'max_attempts', 'run_at']).where('queue', '=', QUEUE).execute();
  assert.deepEqual(jobs.map((job) => (job.payload as { eventId: string }).eventId).sort(), events.map((event) => event.id).sort(), 'one job per stored event, naming it');
  assert.ok(jobs.every((job) => job.max_attempts === 3 && job.run_at instanceof Date));
  assert.equal(await recordForJob('burst-3'), false, 'a later redelivery changes nothing');
  assert.equal(await ctx.db.selectFrom('jobs').select('id').where('queue', '=', QUEUE).execute().then((rows) => rows.length), 20);
});

test('an event the database refuses fails alone: the others of its batch are stored', async () => {
  // external_id is at most 255 characters (a CHECK constraint): that event's batch fails, and is retried one by one.
  const results = await Promise.allSettled([recordForJob('fine-1'), recordForJob('x'.repeat(300)), recordForJob('fine-2')]);
  assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled']);
  const stored = await ctx.db.selectFrom('chat_events').select('external_id').where('external_id', 'in', ['fine-1', 'fine-2']).execute();
  assert.equal(stored.length, 2);
});
