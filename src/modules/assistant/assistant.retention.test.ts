import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DAY, HOUR } from '../../lib/clock.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { PRUNE_CHAT_EVENTS_JOB } from './assistant.retention.ts';

let ctx: TestContext;
before(async () => {
  ctx = await startTestApp({ env: { CHAT_EVENTS_RETENTION_DAYS: '7' } });
});
after(() => ctx.close());

const record = (externalId: string) =>
  ctx.services.assistant.inbox.record(ctx.db, { provider: 'discord', externalId, type: 'button', payload: { token: 'short-lived' }, handled: true });
const stored = async () => (await ctx.db.selectFrom('chat_events').select('external_id').orderBy('external_id').execute()).map((row) => row.external_id);

test('the daily run deletes chat events older than CHAT_EVENTS_RETENTION_DAYS, keeps newer ones, and schedules the next run', async () => {
  ctx.clock.set(new Date('2026-03-01T12:00:00Z'));
  await record('old-1');
  await record('old-2');
  ctx.clock.advance(5 * DAY);
  await record('recent');
  await ctx.services.assistant.retention.scheduleNextRun();
  await ctx.services.assistant.retention.scheduleNextRun();
  const scheduled = await ctx.db.selectFrom('jobs').select(['run_at']).where('queue', '=', PRUNE_CHAT_EVENTS_JOB).execute();
  assert.deepEqual(scheduled.map((job) => job.run_at.toISOString()), ['2026-03-07T03:00:00.000Z'], 'one run per day however often it is scheduled');

  ctx.clock.advance(DAY);
  await ctx.jobs.drain();
  assert.deepEqual(await stored(), ['old-1', 'old-2', 'recent'], 'nothing is 7 days old yet (6.6 days)');

  ctx.clock.advance(DAY + HOUR);
  await ctx.jobs.drain();
  assert.deepEqual(await stored(), ['recent'], 'the events of 2026-03-01 went on 2026-03-08');
  const next = await ctx.db.selectFrom('jobs').select('run_at').where('queue', '=', PRUNE_CHAT_EVENTS_JOB).where('completed_at', 'is', null).execute();
  assert.deepEqual(next.map((job) => job.run_at.toISOString()), ['2026-03-09T03:00:00.000Z']);
  assert.equal(await record('recent'), undefined, 'a kept event still turns a redelivery away');
});
