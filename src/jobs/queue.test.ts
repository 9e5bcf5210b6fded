import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { freshDatabase } from '../../test/helpers/database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { FakeClock, HOUR, MINUTE } from '../lib/clock.ts';
import { enqueue, JobRunner, retryDelayMs, type JobContext, type JobHandler } from './queue.ts';

const SECOND = 1000;
const logger = pino({ level: 'silent' });

describe('job queue', () => {
  let handle: DatabaseHandle;
  const clock = new FakeClock();
  before(async () => (handle = await freshDatabase()));
  after(() => handle.close());

  let sequence = 0;
  /** A queue name of its own per test, so tests sharing the database do not run each other's jobs. */
  const newQueue = () => `test.queue-${++sequence}`;
  const runner = (queue: string, handler: JobHandler, options: { workerId?: string; lockMs?: number; batchSize?: number } = {}) =>
    new JobRunner({ db: handle.db, clock, logger, handlers: { [queue]: handler }, workerId: options.workerId ?? 'worker', lockMs: options.lockMs, batchSize: options.batchSize });
  const jobsOf = (queue: string) => handle.db.selectFrom('jobs').selectAll().where('queue', '=', queue).orderBy('id').execute();

  test('a job exists only if the transaction that enqueued it commits', async () => {
    const queue = newQueue();
    await assert.rejects(
      handle.db.transaction().execute(async (trx) => {
        await enqueue(trx, clock, queue, { n: 1 });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    assert.equal((await jobsOf(queue)).length, 0);

    await handle.db.transaction().execute(async (trx) => enqueue(trx, clock, queue, { n: 2, nested: { list: [1, 'two'] } }));
    const payloads: unknown[] = [];
    assert.equal(await runner(queue, async (payload) => void payloads.push(payload)).drain(), 1);
    assert.deepEqual(payloads, [{ n: 2, nested: { list: [1, 'two'] } }], 'the payload arrives as it was given');
    const [job] = await jobsOf(queue);
    assert.equal(job.completed_at?.getTime(), clock.now().getTime());
    assert.equal(job.attempts, 1);
    assert.equal(job.locked_by, null);
  });

  test('a singleton key dedupes: enqueueing it again, even after it ran, adds nothing', async () => {
    const queue = newQueue();
    await enqueue(handle.db, clock, queue, { n: 1 }, { singletonKey: `${queue}:only` });
    await enqueue(handle.db, clock, queue, { n: 2 }, { singletonKey: `${queue}:only` });
    await enqueue(handle.db, clock, queue, { n: 3 }, { singletonKey: `${queue}:other` });
    const seen: number[] = [];
    const work = runner(queue, async (payload: { n: number }) => void seen.push(payload.n));
    assert.equal(await work.drain(), 2);
    await enqueue(handle.db, clock, queue, { n: 4 }, { singletonKey: `${queue}:only` });
    assert.equal(await work.drain(), 0);
    assert.deepEqual(seen.sort(), [1, 3]);
    assert.equal((await jobsOf(queue)).length, 2);
  });

  test('a batch runs oldest due first, whatever order the database returns it in', async () => {
    const queue = newQueue();
    const start = clock.now().getTime();
    for (const offset of [5, 1, 4, 2, 3]) await enqueue(handle.db, clock, queue, { offset }, { runAt: new Date(start - offset * MINUTE) });
    const seen: number[] = [];
    assert.equal(await runner(queue, async (payload: { offset: number }) => void seen.push(payload.offset), { batchSize: 10 }).drain(), 5);
    assert.deepEqual(seen, [5, 4, 3, 2, 1]);
  });

  test('a job waits for its runAt', async () => {
    const queue = newQueue();
    await enqueue(handle.db, clock, queue, {}, { runAt: new Date(clock.now().getTime() + 5 * MINUTE) });
    let runs = 0;
    const work = runner(queue, async () => void runs++);
    assert.equal(await work.drain(), 0);
    clock.advance(5 * MINUTE);
    assert.equal(await work.drain(), 1);
    assert.equal(runs, 1);
  });

  test('a failing job is retried with growing delays and fails for good after maxAttempts, keeping its last error', async () => {
    const queue = newQueue();
    await enqueue(handle.db, clock, queue, { n: 1 }, { maxAttempts: 3 });
    const attempts: JobContext[] = [];
    const work = runner(queue, async (_payload, context) => {
      attempts.push(context);
      throw new Error(`provider down (attempt ${context.attempt})`);
    });

    assert.equal(await work.drain(), 1);
    let [job] = await jobsOf(queue);
    assert.equal(job.attempts, 1);
    assert.equal(job.last_error, 'provider down (attempt 1)');
    assert.equal(job.failed_at, null);
    assert.equal(job.locked_until, null, 'a failed attempt releases its lock');
    assert.equal(job.run_at.getTime(), clock.now().getTime() + 10 * SECOND);

    assert.equal(await work.drain(), 0, 'not before the delay');
    clock.advance(10 * SECOND - 1);
    assert.equal(await work.drain(), 0);
    clock.advance(1);
    assert.equal(await work.drain(), 1);
    [job] = await jobsOf(queue);
    assert.equal(job.run_at.getTime(), clock.now().getTime() + 20 * SECOND, 'the delay doubles');

    clock.advance(20 * SECOND);
    assert.equal(await work.drain(), 1);
    [job] = await jobsOf(queue);
    assert.equal(job.attempts, 3);
    assert.equal(job.failed_at?.getTime(), clock.now().getTime());
    assert.equal(job.last_error, 'provider down (attempt 3)');
    assert.equal(job.completed_at, null);

    clock.advance(2 * HOUR);
    assert.equal(await work.drain(), 0, 'a job that failed for good never runs again');
    assert.deepEqual(attempts.map((context) => [context.attempt, context.queue, context.jobId]), [1, 2, 3].map((attempt) => [attempt, queue, job.id]));
  });

  test('a job that fails once and then succeeds completes with its error cleared', async () => {
    const queue = newQueue();
    await enqueue(handle.db, clock, queue, {});
    let calls = 0;
    const work = runner(queue, async () => {
      if (++calls === 1) throw new Error('flaky');
    });
    await work.drain();
    clock.advance(retryDelayMs(1));
    await work.drain();
    const [job] = await jobsOf(queue);
    assert.ok(job.completed_at);
    assert.equal(job.last_error, null);
    assert.equal(job.attempts, 2);
    assert.equal(calls, 2);
  });

  test('retry delays grow from 10 seconds and stop at an hour', () => {
    assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [10_000, 20_000, 40_000, 80_000]);
    assert.equal(retryDelayMs(30), HOUR);
  });

  test('a job whose worker died is taken over once its lock expires', { timeout: 20_000 }, async () => {
    const queue = newQueue();
    await enqueue(handle.db, clock, queue, { n: 1 });
    let started!: () => void;
    const claimed = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const stuck = new Promise<void>((resolve) => (finish = resolve));
    const dying = runner(queue, () => (started(), stuck), { workerId: 'dying', lockMs: MINUTE });
    const dyingRun = dying.runDue();
    await claimed;

    let runs = 0;
    const healthy = runner(queue, async () => void runs++, { workerId: 'healthy' });
    assert.equal(await healthy.drain(), 0, 'a locked job is left alone');
    let [job] = await jobsOf(queue);
    assert.equal(job.locked_by, 'dying');

    clock.advance(MINUTE + SECOND);
    assert.equal(await healthy.drain(), 1);
    assert.equal(runs, 1);
    [job] = await jobsOf(queue);
    assert.ok(job.completed_at);
    assert.equal(job.attempts, 2);
    finish();
    await dyingRun;
  });

  test('a job that kills its worker on every attempt fails for good after maxAttempts instead of looping', { timeout: 20_000 }, async () => {
    const queue = newQueue();
    await enqueue(handle.db, clock, queue, {}, { maxAttempts: 2 });
    const never = new Promise<void>(() => {});
    let started = 0;
    let onStart!: () => void;
    const crash = () => {
      started++;
      onStart();
      return never;
    };
    for (let attempt = 1; attempt <= 2; attempt++) {
      const claimed = new Promise<void>((resolve) => (onStart = resolve));
      void runner(queue, crash, { workerId: `doomed-${attempt}`, lockMs: MINUTE }).runDue();
      await claimed;
      clock.advance(MINUTE + SECOND);
    }
    let runs = 0;
    const survivor = runner(queue, async () => void runs++);
    assert.equal(await survivor.drain(), 0, 'the attempts are used up');
    assert.equal(runs, 0);
    assert.equal(started, 2);
    const [job] = await jobsOf(queue);
    assert.ok(job.failed_at, 'the job is marked failed, not left pending for ever');
    assert.match(job.last_error ?? '', /lock expired/);
  });

  test('the polling worker runs due jobs, and stop() waits for the job in hand', { timeout: 20_000 }, async () => {
    const queue = newQueue();
    await enqueue(handle.db, clock, queue, {});
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const work = runner(queue, () => {
      started();
      return new Promise<void>((resolve) => (finish = resolve));
    });
    work.start(5);
    await running;
    let stopped = false;
    const stopping = work.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'stop waits while a job runs');
    finish();
    await stopping;
    const [job] = await jobsOf(queue);
    assert.ok(job.completed_at);
  });

  test('runners draining at the same time run each job exactly once', async () => {
    const queue = newQueue();
    const total = 60;
    for (let index = 0; index < total; index++) await enqueue(handle.db, clock, queue, { index });
    const runs = new Map<number, string[]>();
    const handler = (workerId: string): JobHandler => async (payload: { index: number }) => {
      // Touch the database so that the runners interleave.
      await handle.db.selectFrom('jobs').select('id').where('queue', '=', queue).limit(1).execute();
      runs.set(payload.index, [...(runs.get(payload.index) ?? []), workerId]);
    };
    const runners = ['a', 'b', 'c', 'd'].map((workerId) => runner(queue, handler(workerId), { workerId, batchSize: 3 }));
    const ran = await Promise.all(runners.map((each) => each.drain(1000)));
    assert.equal(ran.reduce((sum, count) => sum + count, 0), total);
    assert.equal(runs.size, total);
    for (const [index, workers] of runs) assert.equal(workers.length, 1, `job ${index} ran ${workers.length} times (${workers.join(', ')})`);
    const jobs = await jobsOf(queue);
    assert.ok(jobs.every((job) => job.completed_at && job.attempts === 1));
    if (handle.engine === 'postgres') assert.ok(ran.filter((count) => count > 0).length > 1, 'on PostgreSQL the work is shared');
  });
});
