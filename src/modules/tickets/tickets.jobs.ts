import type { Deps } from '../../deps.ts';
import { jobRow, type JobHandlers, type JobRow } from '../../jobs/queue.ts';
import type { Clock } from '../../lib/clock.ts';
import type { HelpersService } from '../helpers/helpers.service.ts';
import { queueEmail } from '../mail/mail.service.ts';
import { ticketEmails } from './tickets.notifications.ts';
import { findTicket } from './tickets.repository.ts';

export const NOTIFY_HELPERS_JOB = 'tickets.notify-helpers';

/** Inserted by the statement that creates the ticket, so the job exists if and only if the ticket does. */
export function notifyHelpersJob(clock: Clock, ticketId: string): JobRow {
  return jobRow(clock, NOTIFY_HELPERS_JOB, { ticketId }, { maxAttempts: 8 });
}

export function createTicketJobHandlers(deps: Deps, helpers: HelpersService): JobHandlers {
  const { db, clock } = deps;
  const emails = ticketEmails(deps.config);
  return {
    /** One email per approved helper; the dedupe keys make a retry after a partial run send only what is missing. */
    [NOTIFY_HELPERS_JOB]: async ({ ticketId }: { ticketId: string }) => {
      const ticket = await findTicket(db, ticketId);
      // A ticket already claimed or cancelled needs nobody to come and claim it.
      if (!ticket || ticket.status !== 'open') return;
      const recipients = (await helpers.approvedHelpers(ticket.repo_id)).filter((helper) => helper.user_id !== ticket.requester_id);
      await db.transaction().execute(async (trx) => {
        for (const helper of recipients) await queueEmail(trx, clock, emails.openedForHelper(ticket, helper));
      });
    },
  };
}
