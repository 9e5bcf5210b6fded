import type { Deps } from '../../deps.ts';
import { DAY, HOUR } from '../../lib/clock.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import { deleteChatEventsBefore } from './assistant.repository.ts';

export const PRUNE_CHAT_EVENTS_JOB = 'assistant.prune-chat-events';
/** Deleted per statement, so one run never holds a long lock on the inbox channels write to. */
const BATCH = 1000;

/** Deletes one channel's expired rows; returns how many went. */
export type Pruner = { name: string; prune: () => Promise<number> };

/**
 * Chat events hold people's message text and short-lived interaction tokens; they are only needed to
 * recognize a redelivery and to run the deferred job, so they are deleted after CHAT_EVENTS_RETENTION_DAYS.
 * Channels keeping text of their own add a pruner (`addPruner`) that the same run calls: the email
 * channel's support requests never confirmed. The run is daily (at 03:00 UTC), scheduled by the run
 * before it and by every server start.
 */
export function chatEventsRetention(deps: Deps) {
  const { db, clock, config, logger } = deps;
  const pruners: Pruner[] = [];

  function scheduleNextRun() {
    const now = clock.now();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + 3 * HOUR;
    const at = new Date(today > now.getTime() ? today : today + DAY);
    return enqueue(db, clock, PRUNE_CHAT_EVENTS_JOB, {}, { runAt: at, singletonKey: `${PRUNE_CHAT_EVENTS_JOB}:${at.toISOString().slice(0, 10)}`, maxAttempts: 5 });
  }

  /** Deletes every event older than the retention period; returns how many went. */
  async function prune(): Promise<number> {
    const before = new Date(clock.now().getTime() - config.CHAT_EVENTS_RETENTION_DAYS * DAY);
    let total = 0;
    for (;;) {
      const deleted = await deleteChatEventsBefore(db, before, BATCH);
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total) logger.info({ deleted: total, before }, 'assistant: old chat events deleted');
    return total;
  }

  return {
    scheduleNextRun,
    prune,
    addPruner: (pruner: Pruner) => void pruners.push(pruner),
    jobHandlers: {
      // The next run is scheduled first, so a failing run never ends the schedule.
      [PRUNE_CHAT_EVENTS_JOB]: async () => {
        await scheduleNextRun();
        await prune();
        for (const pruner of pruners) {
          const deleted = await pruner.prune();
          if (deleted) logger.info({ deleted, what: pruner.name }, 'assistant: expired rows deleted');
        }
      },
    } satisfies JobHandlers,
  };
}
