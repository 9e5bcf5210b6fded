import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../db/database.ts';
import { columnsOf, insertManyQuery, type ColumnTypes, type ColumnValues } from '../db/insert-many.ts';
import type { Clock } from '../lib/clock.ts';
import { newId } from '../lib/ids.ts';

/**
 * Durable jobs in PostgreSQL (see docs/decisions/0002-job-queue.md). A job is enqueued with a plain
 * insert inside the transaction of the change that causes it, so it exists if and only if the change
 * committed. Workers claim due jobs with FOR UPDATE SKIP LOCKED, so any number of worker processes
 * share one queue and each job runs once at a time; a worker that dies leaves a lock that expires,
 * and the job runs again. Handlers must therefore be idempotent (dedupe keys, guards on state).
 */

export type JobOptions = {
  /** When to run it (default: now). */
  runAt?: Date;
  /** At most one job with this key ever exists; enqueueing it again does nothing. */
  singletonKey?: string;
  maxAttempts?: number;
};

export type JobContext = { jobId: string; attempt: number; maxAttempts: number; queue: string };
export type JobHandler = (payload: any, context: JobContext) => Promise<void>;
export type JobHandlers = Record<string, JobHandler>;

export async function enqueue(
  db: Queryable,
  clock: Clock,
  queue: string,
  payload: Record<string, unknown>,
  options: JobOptions = {},
): Promise<void> {
  await enqueueManyQuery(db, [jobRow(clock, queue, payload, options)]).execute();
}

/** Jobs in one insert, unexecuted (rows from jobRow()): a change can carry it in its own statement (one round trip). */
export function enqueueManyQuery(db: Queryable, rows: JobRow[]) {
  return enqueueColumnsQuery(db, columnsOf('jobs', rows));
}

/** enqueueManyQuery of jobs already turned into columns (columnsOf), for a statement compiled once. */
export function enqueueColumnsQuery(db: Queryable, columns: ColumnValues) {
  return insertManyQuery(db, 'jobs', JOB_COLUMNS, columns).onConflict((conflict) => conflict.column('singleton_key').doNothing());
}

/** The jobs table's column types, for insertManyQuery. */
export const JOB_COLUMNS: ColumnTypes<'jobs'> = {
  id: 'uuid',
  queue: 'text',
  payload: 'jsonb',
  singleton_key: 'text',
  run_at: 'timestamptz',
  attempts: 'int4',
  max_attempts: 'int4',
  locked_by: 'text',
  locked_until: 'timestamptz',
  completed_at: 'timestamptz',
  failed_at: 'timestamptz',
  last_error: 'text',
  created_at: 'timestamptz',
};

export type JobRow = ReturnType<typeof jobRow>;

/** A new job's row, for a statement that inserts it only when another part of it did something (see insertChatEventWithJob). */
export function jobRow(clock: Clock, queue: string, payload: Record<string, unknown>, options: JobOptions = {}) {
  const now = clock.now();
  return {
    id: newId(now.getTime()),
    queue,
    payload: JSON.stringify(payload),
    singleton_key: options.singletonKey ?? null,
    run_at: options.runAt ?? now,
    max_attempts: options.maxAttempts ?? 8,
    locked_by: null,
    locked_until: null,
    completed_at: null,
    failed_at: null,
    last_error: null,
    created_at: now,
  };
}

/** Seconds to wait before attempt n + 1: 10 s, 20 s, 40 s ... at most an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(10_000 * 2 ** (attempt - 1), 3_600_000);
}

export type JobRunnerOptions = {
  db: Database;
  clock: Clock;
  handlers: JobHandlers;
  logger: Logger;
  workerId: string;
  /** How long a claimed job stays locked before another worker may take it over. */
  lockMs?: number;
  batchSize?: number;
};

type ClaimedJob = { id: string; queue: string; payload: unknown; attempts: number; max_attempts: number; run_at: Date };

export class JobRunner {
  private readonly options: Required<JobRunnerOptions>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(options: JobRunnerOptions) {
    // `??`, not a spread of defaults: an option passed as undefined must not erase its default.
    this.options = { ...options, lockMs: options.lockMs ?? 60_000, batchSize: options.batchSize ?? 10 };
  }

  /** Claims and runs the jobs due now; returns how many ran. */
  async runDue(): Promise<number> {
    const { db, clock, lockMs, batchSize, workerId } = this.options;
    const now = clock.now();
    const queues = Object.keys(this.options.handlers);
    if (queues.length === 0) return 0;
    // A job still locked after its last allowed attempt took its worker down with it (crash, OOM, kill):
    // running it again would repeat that for ever, so it fails for good instead.
    await sql`
      UPDATE jobs SET failed_at = ${now}, locked_by = NULL, locked_until = NULL,
        last_error = 'lock expired: the worker running attempt ' || attempts || ' stopped before finishing'
      WHERE completed_at IS NULL AND failed_at IS NULL AND attempts >= max_attempts
        AND locked_until < ${now} AND queue IN (${sql.join(queues)})`.execute(db);
    const claimed = await sql<ClaimedJob>`
      UPDATE jobs SET attempts = attempts + 1, locked_by = ${workerId},
        locked_until = ${new Date(now.getTime() + lockMs)}
      WHERE id IN (
        SELECT id FROM jobs
        WHERE completed_at IS NULL AND failed_at IS NULL AND run_at <= ${now}
          AND (locked_until IS NULL OR locked_until < ${now}) AND attempts < max_attempts
          AND queue IN (${sql.join(queues)})
        ORDER BY run_at, id
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id, queue, payload, attempts, max_attempts, run_at`.execute(db);
    // RETURNING does not keep the subquery's order; run the batch oldest first, as it was chosen.
    const batch = claimed.rows.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const job of batch) await this.run(job);
    return claimed.rows.length;
  }

  /** Runs jobs until none is due (tests and the CLI use this to finish work deterministically). */
  async drain(maxRounds = 100): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      const ran = await this.runDue();
      total += ran;
      if (ran === 0) return total;
    }
    return total;
  }

  start(pollMs = 500): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      this.running = this.drain(10).catch((error) => this.options.logger.error({ err: error }, 'job polling failed'));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(tick, pollMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops polling and waits for the jobs in hand to finish (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async run(job: ClaimedJob): Promise<void> {
    const { db, clock, handlers, logger } = this.options;
    const handler = handlers[job.queue];
    const log = logger.child({ jobId: job.id, queue: job.queue, attempt: job.attempts });
    try {
      await handler(job.payload, { jobId: job.id, attempt: job.attempts, maxAttempts: job.max_attempts, queue: job.queue });
      await db
        .updateTable('jobs')
        .set({ completed_at: clock.now(), locked_by: null, locked_until: null, last_error: null })
        .where('id', '=', job.id)
        .execute();
      log.debug('job done');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const exhausted = job.attempts >= job.max_attempts;
      const now = clock.now();
      await db
        .updateTable('jobs')
        .set({
          last_error: message.slice(0, 2000),
          locked_by: null,
          locked_until: null,
          failed_at: exhausted ? now : null,
          run_at: new Date(now.getTime() + retryDelayMs(job.attempts)),
        })
        .where('id', '=', job.id)
        .execute();
      log.warn({ err: error, exhausted }, exhausted ? 'job failed for good' : 'job failed, will retry');
    }
  }
}
