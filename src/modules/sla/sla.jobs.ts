import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { enqueueManyQuery, jobRow, type JobHandlers, type JobRow } from '../../jobs/queue.ts';
import type { BusinessClock } from './business-time.ts';
import { breachedAtOf, dueOf, isBreached, isRunning, pending, recordBreach, warningAt, type SlaState, type Targets } from './sla.clock.ts';
import { slaEmails, type Recipient } from './sla.notifications.ts';
import * as repo from './sla.repository.ts';
import type { TargetKind } from './sla.ticket-view.ts';
import { queueEmail } from '../mail/mail.service.ts';

export const SLA_CHECK_JOB = 'sla.check';

type CheckPayload = { ticketId: string; target: TargetKind; kind: 'warning' | 'breach'; dueAt: string };

export const targetsOf = (row: repo.TicketSlaRow): Targets => ({
  firstResponse: row.first_response_minutes,
  nextResponse: row.next_response_minutes,
  resolution: row.resolution_minutes,
});

/**
 * A warning at 80% and a breach check at the due time for every running target, enqueued in the
 * transaction (or statement) that changed the clock. The singleton key holds the due time: enqueueing
 * the same schedule again (a retry, a second change) adds nothing, and a moved target gets jobs of its own.
 */
export function checkJobs(deps: Pick<Deps, 'clock'>, clock: BusinessClock, ticketId: string, state: SlaState, targets: Targets): JobRow[] {
  if (!isRunning(state)) return [];
  const now = deps.clock.now();
  const rows: JobRow[] = [];
  for (const { kind, dueAt } of pending(state)) {
    if (breachedAtOf(state, kind)) continue;
    const job = (check: CheckPayload['kind'], runAt: Date) =>
      jobRow(deps.clock, SLA_CHECK_JOB, { ticketId, target: kind, kind: check, dueAt: dueAt.toISOString() } satisfies CheckPayload, {
        runAt,
        singletonKey: `sla:${ticketId}:${kind}:${check}:${dueAt.getTime()}`,
      });
    const minutes = targets[kind];
    if (minutes !== null && dueAt > now) rows.push(job('warning', warningAt(clock, dueAt, minutes)));
    rows.push(job('breach', dueAt));
  }
  return rows;
}

export async function scheduleChecks(trx: Queryable, deps: Pick<Deps, 'clock'>, clock: BusinessClock, ticketId: string, state: SlaState, targets: Targets): Promise<void> {
  const rows = checkJobs(deps, clock, ticketId, state, targets);
  if (rows.length) await enqueueManyQuery(trx, rows).execute();
}

type TicketLookup = (scope: Queryable, id: string) => Promise<{ id: string; title: string; priority: string; repo_id: string; repo_full_name: string; requester_id: string; requester_email: string; assignee_id: string | null; assignee_email: string | null } | undefined>;

export type SlaJobServices = {
  findTicket: TicketLookup;
  maintainers: (scope: Queryable, repoId: string) => Promise<Recipient[]>;
  approvedHelpers: (repoId: string) => Promise<Recipient[]>;
};

/**
 * Runs a warning or breach check. It re-reads the clock under a row lock and acts only if the target
 * is still due at the time the job was made for: met, moved, paused or stopped clocks make it a no-op.
 */
export function createSlaJobHandlers(deps: Deps, services: SlaJobServices): JobHandlers {
  const { db, clock } = deps;
  const emails = slaEmails(deps.config);
  const unique = (recipients: Recipient[]) => [...new Map(recipients.map((recipient) => [recipient.userId, recipient])).values()];

  return {
    [SLA_CHECK_JOB]: async ({ ticketId, target, kind, dueAt }: CheckPayload) => {
      const before = await repo.findTicketSla(db, ticketId);
      if (!before) return;
      // Read before the transaction: the helpers service uses its own connection. A helper approved a
      // moment later misses this escalation, which is harmless.
      const helpers = kind === 'breach' ? await services.approvedHelpers(before.repo_id) : [];
      // Checking, recording the breach and queueing every email commit together: a crash before the
      // commit leaves the job to run again in full, and the dedupe keys keep a rerun from sending twice.
      await db.transaction().execute(async (trx) => {
        const row = await repo.lockTicketSla(trx, ticketId);
        const due = row && dueOf(row, target);
        if (!row || !due || due.getTime() !== Date.parse(dueAt)) return;
        const now = clock.now();
        const ticket = await services.findTicket(trx, ticketId);
        if (!ticket) return;
        const maintainers = await services.maintainers(trx, ticket.repo_id);
        if (kind === 'warning') {
          const stillPending = pending(row).some((item) => item.kind === target);
          if (!stillPending || !isRunning(row) || due <= now) return;
          const assignee = ticket.assignee_id && ticket.assignee_email ? [{ userId: ticket.assignee_id, email: ticket.assignee_email }] : [];
          for (const to of unique([...assignee, ...maintainers])) await queueEmail(trx, clock, emails.warning(ticket, target, due, targetsOf(row)[target] ?? 0, to));
          return;
        }
        if (!isBreached(row, target, now)) return;
        await repo.saveState(trx, ticketId, recordBreach(repo.stateOf(row), target), now);
        const team = helpers.filter((helper) => helper.userId !== ticket.requester_id);
        for (const to of unique([...team, ...maintainers])) await queueEmail(trx, clock, emails.breachForTeam(ticket, target, due, to));
        await queueEmail(trx, clock, emails.breachForCustomer(ticket, target, due, { userId: ticket.requester_id, email: ticket.requester_email }));
      });
    },
  };
}
