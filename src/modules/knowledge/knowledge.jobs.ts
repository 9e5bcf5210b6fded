import type { Database, Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import { MINUTE, type Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import * as store from './knowledge.repository.ts';

export const INGEST_JOB = 'knowledge.ingest';
export const REINGEST_JOB = 'knowledge.reingest';

type RunIngestion = (ingestionId: string, options: { trusted: boolean }) => Promise<void>;

/**
 * A queued ingestion: its report row and its job in one transaction. One attempt: a failure is recorded
 * in the report with its reason (a bad URL does not get better by retrying), and re-ingesting is one call.
 */
export async function enqueueIngestion(db: Database, clock: Clock, input: { sourceId: string; repoId: string }): Promise<string> {
  const id = newId(clock.now().getTime());
  await db.transaction().execute(async (trx) => {
    await store.insertIngestion(trx, { id, repo_id: input.repoId, source_id: input.sourceId, trigger: 'api', status: 'queued', created_at: clock.now() });
    await enqueue(trx, clock, INGEST_JOB, { ingestionId: id }, { maxAttempts: 1 });
  });
  return id;
}

/**
 * The next scheduled run of a source with a schedule. The payload carries the source's updated_at, so a
 * run finding the source changed since (new schedule, or none) ends its chain; the singleton key keeps
 * one job per source and due time.
 */
export async function scheduleReingestion(db: Queryable, clock: Clock, source: store.SourceRow): Promise<void> {
  if (!source.schedule_minutes) return;
  const runAt = new Date(clock.now().getTime() + source.schedule_minutes * MINUTE);
  await enqueue(db, clock, REINGEST_JOB, { sourceId: source.id, version: source.updated_at.toISOString() }, {
    runAt,
    singletonKey: `${REINGEST_JOB}:${source.id}:${runAt.toISOString()}`,
  });
}

export function createKnowledgeJobHandlers(deps: Deps, runIngestion: RunIngestion): JobHandlers {
  const { db, clock } = deps;
  return {
    // Whoever created the source was checked then (server folders and file:// only for operators).
    [INGEST_JOB]: async ({ ingestionId }: { ingestionId: string }) => runIngestion(ingestionId, { trusted: true }),
    /** Ingests now, then enqueues the next run: the schedule is a chain of durable jobs. */
    [REINGEST_JOB]: async ({ sourceId, version }: { sourceId: string; version: string }) => {
      const source = await store.findSourceById(db, sourceId);
      if (!source?.schedule_minutes || source.updated_at.toISOString() !== version) return;
      const ingestionId = newId(clock.now().getTime());
      await store.insertIngestion(db, { id: ingestionId, repo_id: source.repo_id, source_id: sourceId, trigger: 'schedule', status: 'queued', created_at: clock.now() });
      await runIngestion(ingestionId, { trusted: true });
      await scheduleReingestion(db, clock, source);
    },
  };
}
