import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import type { Clock } from '../../lib/clock.ts';
import { queueEmail } from '../mail/mail.service.ts';
import { bookingEmails, partiesOf } from './scheduling.notifications.ts';
import { findBooking } from './scheduling.repository.ts';

export const REMINDER_JOB = 'scheduling.reminder';

/** How long before the start each reminder goes out. */
export const REMINDERS = { '24 hours': 24 * 3_600_000, '15 minutes': 15 * 60_000 } as const;
type Lead = keyof typeof REMINDERS;
type ReminderPayload = { bookingId: string; lead: Lead; startsAt: string };

/**
 * Reminders for a booking starting at `startsAt`, enqueued with the booking (or its new time). One
 * whose moment has passed is skipped. The singleton key holds the start time, so a moved booking gets
 * new reminders and the old ones find the start changed and send nothing.
 */
export async function scheduleReminders(trx: Queryable, clock: Clock, bookingId: string, startsAt: Date): Promise<void> {
  for (const [lead, before] of Object.entries(REMINDERS) as Array<[Lead, number]>) {
    const runAt = new Date(startsAt.getTime() - before);
    if (runAt <= clock.now()) continue;
    await enqueue(trx, clock, REMINDER_JOB, { bookingId, lead, startsAt: startsAt.toISOString() } satisfies ReminderPayload, {
      runAt,
      singletonKey: `booking-reminder:${bookingId}:${lead}:${startsAt.getTime()}`,
    });
  }
}

export function createSchedulingJobHandlers(deps: Deps): JobHandlers {
  const { db, clock } = deps;
  const emails = bookingEmails(deps.config);
  return {
    /** Re-checked when it runs: a cancelled or moved booking sends nothing. */
    [REMINDER_JOB]: async ({ bookingId, lead, startsAt }: ReminderPayload) => {
      const booking = await findBooking(db, bookingId);
      if (!booking || booking.status !== 'confirmed' || booking.starts_at.getTime() !== Date.parse(startsAt)) return;
      await db.transaction().execute(async (trx) => {
        for (const party of partiesOf(booking)) await queueEmail(trx, clock, emails.reminder(booking, party, lead));
      });
    },
  };
}
